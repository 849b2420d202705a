/// Where the output first differs from the answer, for a report.
public struct Difference: Sendable, Hashable, Codable {
    /// 1-based line and column (in bytes) of the output where it differs.
    public var line: Int
    public var column: Int
    /// Short excerpts around the difference, control characters and invalid UTF-8 escaped.
    public var expected: String
    public var got: String
    /// One or two lines saying what differs.
    public var message: String

    public init(line: Int, column: Int, expected: String, got: String, message: String) {
        self.line = line
        self.column = column
        self.expected = expected
        self.got = got
        self.message = message
    }
}
