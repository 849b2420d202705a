/// How output is judged against the answer, without a checker program.
public enum CompareMode: Sendable, Hashable {
    /// Byte for byte.
    case exact
    /// Line by line; whitespace at the end of a line, and blank lines at the end, are ignored.
    case lines
    /// The Kattis default output validator.
    case tokens(TokenFlags)

    /// A comparator for one output against `expected`.
    public func comparator(expected: ByteReader) -> any OutputComparator {
        switch self {
        case .exact: return ExactComparator(expected: expected)
        case .lines: return LineComparator(expected: expected)
        case .tokens(let flags): return TokenComparator(expected: expected, flags: flags)
        }
    }
}

/// Consumes a program's output chunk by chunk (never all of it at once) and says whether it
/// matches. Once `decided` is set, further chunks are ignored: the caller may stop early.
public protocol OutputComparator: AnyObject {
    func feed(_ chunk: [UInt8])
    /// The end of the output: nil when it matches, else the first difference.
    func finish() -> Difference?
    /// A difference was already found.
    var decided: Bool { get }
}

extension OutputComparator {
    /// Compares a whole byte string (tests, small outputs).
    public func compare(_ output: [UInt8]) -> Difference? {
        feed(output)
        return finish()
    }

    /// Consumes an async stream of chunks (an exec's stdout).
    public func consume(_ chunks: AsyncStream<[UInt8]>) async -> Difference? {
        for await chunk in chunks where !decided {
            feed(chunk)
        }
        return finish()
    }
}

/// Kattis's `isspace` in the C locale.
@inline(__always) func isCSpace(_ b: UInt8) -> Bool {
    b == 0x20 || (b >= 0x09 && b <= 0x0D)
}
