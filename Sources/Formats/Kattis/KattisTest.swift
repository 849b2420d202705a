import Grading
import Yams

public struct KattisTest: Sendable, Hashable {
    /// Path under data/ without extension: "secret/group1/01".
    public var name: String
    /// Beneath the package's folder.
    public var input: RootedPath
    public var answer: RootedPath
    public var flags: [String]
}
