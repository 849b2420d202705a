/// The one error type of the Grading layer: what went wrong (`code`), a message that says
/// it for a person, the error beneath it (an `Errno`, a YAML parser's) when there is one,
/// and, for a suite or language file, every problem found in it. Shaped as
/// swift-subprocess's SubprocessError: `Code` is a struct of static constants, not an enum,
/// so a new code breaks no caller's `switch`. Errors of the Sandbox layer pass through as
/// `SandboxError`.
public struct GradingError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A suite or language file is invalid: `diagnostics` holds every problem found
        /// (each file:line:column); validator flags that make no sense.
        public static let invalidSuite = Code("invalidSuite")
        /// A language is unknown, or its toolchain is not installed.
        public static let language = Code("language")
        /// A host file could not be read or written.
        public static let io = Code("io")
        /// A suite or package names a file outside its folder (an absolute path, a '..' or a
        /// symlink that leads out), or one that is not a regular file.
        public static let refused = Code("refused")
        /// A suite asks for more than the caps allow (`SuiteCaps`).
        public static let overCap = Code("overCap")
        /// The sandbox could not be made or used.
        public static let sandbox = Code("sandbox")
        /// Bad usage (a solution file that is not there).
        public static let usage = Code("usage")
    }

    public var code: Code
    public var message: String
    /// The error beneath, when there is one (an `Errno`).
    public var underlyingError: (any Error)?
    /// Every problem found in a suite or language file (code `invalidSuite`); empty otherwise.
    public var diagnostics: [Diagnostic]

    public init(_ code: Code, _ message: String, underlyingError: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlyingError = underlyingError
        self.diagnostics = []
    }

    /// A file that failed to load, with every problem found in it (one per line).
    public init(diagnostics: [Diagnostic]) {
        self.init(.invalidSuite, diagnostics.map(\.description).joined(separator: "\n"))
        self.diagnostics = diagnostics
    }

    public var description: String { message }
}

/// One problem found in a suite or language file, where it is.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public var description: String { "\(file):\(line):\(column): error: \(message)" }
}
