/// The one error type of the Images layer.
public struct ImageError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// A recipe that cannot be read or makes no sense ("recipe.yaml:4: ...").
        case invalidRecipe
        /// A step of a build failed (debootstrap, or a step's command in its sandbox).
        case buildFailed
        /// No image of that name in the store.
        case notFound
        /// Reading or writing the store failed.
        case store
        /// A tool the build needs is missing (debootstrap).
        case missingTool
        /// An image of that name is there already (a snapshot that may not replace it).
        case exists
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
