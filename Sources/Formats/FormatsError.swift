/// The one error type of the Formats layer, shaped as `GradingError` (and swift-subprocess's
/// SubprocessError): a `code` that is a struct of static constants, so a new code breaks no
/// caller's `switch`, a message for a person, and the error beneath when there is one.
/// Errors of the layers below pass through as `GradingError` and `SandboxError`.
public struct FormatsError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A Kattis package is invalid or unsupported (the message names its folder), or
        /// names a file outside itself.
        public static let invalidPackage = Code("invalidPackage")
        /// An eval dataset or samples file is invalid (the message names file:line), a
        /// sample names a task the dataset lacks, or a task's canonical solution fails.
        public static let invalidDataset = Code("invalidDataset")
        /// A host file could not be read (not valid gzip).
        public static let io = Code("io")
        /// The sandbox could not be made or used.
        public static let sandbox = Code("sandbox")
    }

    public var code: Code
    public var message: String
    /// The error beneath, when there is one (a `GradingError`, a YAML parser's).
    public var underlyingError: (any Error)?

    public init(_ code: Code, _ message: String, underlyingError: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlyingError = underlyingError
    }

    public var description: String { message }
}
