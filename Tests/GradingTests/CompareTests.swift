import Foundation
import SystemPackage
import Testing

@testable import Grading

/// Runs a comparator over `output` cut into chunks of every size from 1 up, so that no
/// result depends on where the chunks fall.
private func compare(_ mode: CompareMode, expected: String, output: String) -> Difference? {
    let bytes = Array(output.utf8)
    var first: Difference?? = nil
    for size in [1, 2, 3, 7, max(1, bytes.count)] {
        let c = mode.comparator(expected: ByteReader(expected))
        var i = 0
        while i < bytes.count {
            c.feed(Array(bytes[i..<min(bytes.count, i + size)]))
            i += size
        }
        let d = c.finish()
        if let first { #expect(first == d, "chunk size \(size)") } else { first = .some(d) }
    }
    return first!
}

private func accepts(_ mode: CompareMode, _ expected: String, _ output: String) -> Bool {
    compare(mode, expected: expected, output: output) == nil
}

private let tokens = CompareMode.tokens(TokenFlags())

@Suite("Compare: exact")
struct ExactCompareTests {
    @Test func identical() { #expect(accepts(.exact, "a b\n", "a b\n")) }
    @Test func missingNewline() {
        let d = compare(.exact, expected: "a b\n", output: "a b")
        #expect(d?.message == "output ended before the answer")
        #expect(d?.line == 1 && d?.column == 4)
    }
    @Test func extra() { #expect(compare(.exact, expected: "1\n", output: "1\n2\n")?.line == 2) }
    @Test func firstDifferencePosition() throws {
        let d = try #require(compare(.exact, expected: "abc\nxyz\n", output: "abc\nxYz\n"))
        #expect(d.line == 2 && d.column == 2)
        #expect(d.expected == "xyz\\n" && d.got == "xYz\\n")
    }
    @Test func emptyBoth() { #expect(accepts(.exact, "", "")) }
}

@Suite("Compare: lines")
struct LineCompareTests {
    @Test func trailingSpacesIgnored() { #expect(accepts(.lines, "a b\nc\n", "a b   \nc\t\n")) }
    @Test func finalNewlineIgnored() {
        #expect(accepts(.lines, "a\nb\n", "a\nb"))
        #expect(accepts(.lines, "a\nb", "a\nb\n\n"))
    }
    @Test func innerSpacesMatter() { #expect(!accepts(.lines, "a b\n", "a  b\n")) }
    @Test func leadingSpacesMatter() { #expect(!accepts(.lines, "a\n", " a\n")) }
    @Test func blankLineInMiddleMatters() { #expect(!accepts(.lines, "a\nb\n", "a\n\nb\n")) }
    @Test func spaceThenTextIsNotTrailing() {
        let d = compare(.lines, expected: "ab\n", output: "a b\n")
        #expect(d?.line == 1 && d?.column == 2)
    }
    @Test func shortLine() {
        #expect(compare(.lines, expected: "abc\n", output: "ab\n")?.message == "line 1 is shorter than the answer's")
    }
    @Test func missingLines() { #expect(compare(.lines, expected: "a\nb\n", output: "a\n") != nil) }
    @Test func extraLines() { #expect(compare(.lines, expected: "a\n", output: "a\nb\n")?.line == 2) }
    @Test func crlfIsTrailingSpace() { #expect(accepts(.lines, "a\nb\n", "a\r\nb\r\n")) }
}

@Suite("Compare: tokens (Kattis default validator)")
struct TokenCompareTests {
    @Test func whitespaceInsensitiveByDefault() {
        #expect(accepts(tokens, "1 2\n3\n", "1\n2    3"))
        #expect(accepts(tokens, "a", "\n\n  a  \n\n"))
    }
    @Test func caseInsensitiveByDefault() { #expect(accepts(tokens, "Yes", "YES")) }
    @Test func caseSensitiveFlag() {
        #expect(!accepts(.tokens(TokenFlags(caseSensitive: true)), "Yes", "YES"))
        #expect(accepts(.tokens(TokenFlags(caseSensitive: true)), "Yes", "Yes"))
    }
    @Test func stringMismatchMessage() throws {
        let d = try #require(compare(tokens, expected: "a\nb c\n", output: "a\nb d\n"))
        #expect(
            d.message
                == "Wrong answer on line 2 of output (corresponding to line 2 in answer file)\nString tokens mismatch\nJudge: \"c\"\nUser: \"d\""
        )
        #expect(d.line == 2 && d.column == 3)
        #expect(d.expected == "c" && d.got == "d")
    }
    @Test func emptyOutput() throws {
        let d = try #require(compare(tokens, expected: "5", output: ""))
        #expect(d.message.hasSuffix("User EOF while judge had more output; user output was empty.\n(Next judge token: 5)"))
        let s = try #require(compare(tokens, expected: "5", output: "  \n"))
        #expect(s.message.hasSuffix("user output contained no tokens.\n(Next judge token: 5)"))
        let m = try #require(compare(tokens, expected: "5 6", output: "5"))
        #expect(m.message.hasSuffix("User EOF while judge had more output\n(Next judge token: 6)"))
    }
    @Test func trailingOutput() throws {
        let d = try #require(compare(tokens, expected: "5\n", output: "5\n6\n"))
        #expect(d.message.hasSuffix("Trailing output:\n6"))
        #expect(d.line == 2 && d.column == 1)
    }
    @Test func emptyAnswerEmptyOutput() {
        #expect(accepts(tokens, "", ""))
        #expect(accepts(tokens, "\n", "  "))
    }
    @Test func spaceChangeSensitive() {
        let f = CompareMode.tokens(TokenFlags(spaceChangeSensitive: true))
        #expect(accepts(f, "1 2\n", "1 2\n"))
        #expect(!accepts(f, "1 2\n", "1  2\n"))
        #expect(!accepts(f, "1 2\n", "1 2"))
        #expect(!accepts(f, "1 2\n", "1 2\n\n"))
        #expect(!accepts(f, "1 2", " 1 2"))
        #expect(
            compare(f, expected: "1 2\n", output: "1\t2\n")?.message.hasSuffix("Space change error: got 9 expected 32") == true)
        #expect(
            compare(f, expected: "1 2\n", output: "1 2\n ")?.message.hasSuffix("judge out of space, got 32 from user") == true)
    }
    @Test func floatsOnlyWithTolerance() {
        #expect(!accepts(tokens, "1.0", "1"))
        #expect(!accepts(tokens, "1.0", "1.00"))
        #expect(accepts(.tokens(.floatTolerance(1e-6)), "1.0", "1.0000001"))
    }
    @Test func absoluteTolerance() {
        let f = CompareMode.tokens(TokenFlags(floatAbsoluteTolerance: 0.01))
        #expect(accepts(f, "100", "100.009"))
        #expect(!accepts(f, "100", "100.02"))
        #expect(accepts(f, "0", "-0.005"))
    }
    @Test func relativeTolerance() {
        let f = CompareMode.tokens(TokenFlags(floatRelativeTolerance: 0.01))
        #expect(accepts(f, "100", "101"))
        #expect(!accepts(f, "100", "101.5"))
        #expect(!accepts(f, "0", "0.0000001"))
    }
    @Test func eitherToleranceSuffices() {
        let f = CompareMode.tokens(TokenFlags(floatAbsoluteTolerance: 1e-9, floatRelativeTolerance: 1e-3))
        #expect(accepts(f, "1000", "1000.5"))
        #expect(accepts(f, "0", "0.0000000001"))
    }
    @Test func floatGrammarIsStrtod() {
        let f = CompareMode.tokens(.floatTolerance(1e-9))
        #expect(accepts(f, "16", "0x10"))
        #expect(accepts(f, "1500", "1.5e3"))
        #expect(accepts(f, "0.5", ".5"))
        #expect(accepts(f, "5", "+5."))
        #expect(!accepts(f, "1", "1.0abc"))
        #expect(compare(f, expected: "1", output: "one")?.message.hasSuffix("Expected float, got: one") == true)
        #expect(compare(f, expected: "1", output: "inf")?.message.hasSuffix("Expected float, got: inf") == true)
        #expect(compare(f, expected: "1", output: "nan") != nil)
    }
    @Test func nonFloatAnswerTokensCompareAsStrings() {
        let f = CompareMode.tokens(.floatTolerance(0.5))
        #expect(accepts(f, "abc 1", "ABC 1.2"))
        #expect(!accepts(f, "nan", "1"))
        #expect(accepts(f, "inf", "INF"))
    }
    @Test func tooLargeDifferenceMessage() throws {
        let d = try #require(compare(.tokens(TokenFlags(floatAbsoluteTolerance: 0.1)), expected: "1.0", output: "2.0"))
        #expect(
            d.message.contains(
                "Too large difference.\n Judge: 1.0\n User: 2.0\n Difference: -1.000000e+00\n (abs tol 1.000000e-01 rel tol -1.000000e+00)"
            ))
    }
    @Test func verticalTabAndFormFeedAreSpace() { #expect(accepts(tokens, "a b", "a\u{0B}\u{0C}b")) }
    @Test func lineCountsInMessage() throws {
        let d = try #require(compare(tokens, expected: "1\n2\n3\n", output: "1 2 4"))
        #expect(d.message.hasPrefix("Wrong answer on line 1 of output (corresponding to line 3 in answer file)"))
        #expect(d.line == 1 && d.column == 5)
    }
    @Test func longTokenDecidedEarly() {
        let c = tokens.comparator(expected: ByteReader("ab"))
        c.feed(Array("abc".utf8))
        #expect(c.decided)
        c.feed([UInt8](repeating: 0x61, count: 1 << 16))
        #expect(c.finish() != nil)
    }
    @Test func hugeNumberTokenIsWrongNotTruncated() {
        let c = CompareMode.tokens(.floatTolerance(1e-6)).comparator(expected: ByteReader("1"))
        c.feed(Array("1.".utf8))
        for _ in 0..<20 { c.feed([UInt8](repeating: 0x30, count: 64 << 10)) }
        #expect(c.finish()?.message.contains("Expected float") == true)
    }

    @Test func validatorFlagsParse() throws {
        let f = try TokenFlags(arguments: ["case_sensitive", "float_tolerance", "1e-6"])
        #expect(f.caseSensitive && f.floatAbsoluteTolerance == 1e-6 && f.floatRelativeTolerance == 1e-6)
        #expect(throws: GradingError.self) { try TokenFlags(arguments: ["float_tolerance"]) }
        let e = #expect(throws: GradingError.self) { try TokenFlags(arguments: ["bogus"]) }
        #expect(e?.description == "unknown validator flag bogus")
    }
}

@Suite("Compare: streaming")
struct StreamingCompareTests {
    @Test func largeOutputInChunks() async {
        let line = Array("0123456789 abcdefghij\n".utf8)
        let count = 20_000
        let expected = [UInt8]((0..<count).flatMap { _ in line })
        for mode in [CompareMode.exact, .lines, tokens] {
            let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self)
            for _ in 0..<(count / 100) { continuation.yield([UInt8]((0..<100).flatMap { _ in line })) }
            continuation.finish()
            let d = await mode.comparator(expected: ByteReader(bytes: expected)).consume(stream)
            #expect(d == nil)
        }
    }
    @Test func fileBackedAnswer() throws {
        let path = "/tmp/proctor-compare-\(getpid()).ans"
        let text = String(repeating: "x y z\n", count: 30_000)
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        for mode in [CompareMode.exact, .lines, tokens] {
            let c = mode.comparator(expected: try ByteReader(file: FilePath(path)))
            #expect(c.compare(Array(text.utf8)) == nil)
        }
    }
}

@Suite("Excerpts")
struct ExcerptTests {
    @Test func escapes() {
        #expect(Excerpt.render([0x61, 0x0A, 0x00, 0xFF, 0x09]) == "a\\n\\x00\\xff\\t")
        #expect(Excerpt.render(Array("é".utf8)) == "é")
    }
}

/// One row of the comparator table: answer and output as bytes, and whether it is AC.
private struct Row: CustomStringConvertible {
    var mode: CompareMode
    var answer: [UInt8]
    var output: [UInt8]
    var accepted: Bool
    var note: String
    var description: String { note }

    init(_ mode: CompareMode, _ answer: [UInt8], _ output: [UInt8], _ accepted: Bool, _ note: String) {
        self.mode = mode
        self.answer = answer
        self.output = output
        self.accepted = accepted
        self.note = note
    }

    init(_ mode: CompareMode, _ answer: String, _ output: String, _ accepted: Bool, _ note: String) {
        self.init(mode, Array(answer.utf8), Array(output.utf8), accepted, note)
    }

    /// The verdict, the same whatever the chunk sizes.
    func judged() -> Bool {
        let sizes = output.count > 1 << 16 ? [4096, max(1, output.count)] : [1, 3, 7, max(1, output.count)]
        var results: [Bool] = []
        for size in sizes {
            let c = mode.comparator(expected: ByteReader(bytes: answer))
            var i = 0
            while i < output.count {
                c.feed(Array(output[i..<min(output.count, i + size)]))
                i += size
            }
            results.append(c.finish() == nil)
        }
        #expect(Set(results).count == 1, "chunking changed the verdict: \(note)")
        return results[0]
    }
}

private let floats = CompareMode.tokens(.floatTolerance(1e-6))
private let spaces = CompareMode.tokens(TokenFlags(spaceChangeSensitive: true))
private let cased = CompareMode.tokens(TokenFlags(caseSensitive: true))
private let long = [UInt8](repeating: 0x61, count: 1 << 20)

/// Hostile bytes and number spellings against every comparator. Where Proctor differs from
/// problemtools' default_validator it says so in the note (and Suites/README.md).
private let hostileRows: [Row] = [
    // NUL: the bytes after it are content (problemtools' strcmp on c_str() stops there: AC).
    Row(.exact, "Hello world!\n", "Hello world!\0Extra_stuff\n", false, "exact: NUL then extra"),
    Row(.lines, "Hello world!\n", "Hello world!\0Extra_stuff\n", false, "lines: NUL then extra"),
    Row(tokens, "Hello world!\n", "Hello world!\0Extra_stuff\n", false, "tokens: NUL then extra (problemtools: AC)"),
    Row(cased, "Hello world!\n", "Hello world!\0Extra_stuff\n", false, "case_sensitive: NUL then extra (problemtools: AC)"),
    Row(spaces, "Hello world!\n", "Hello world!\0Extra_stuff\n", false, "space_change_sensitive: NUL then extra"),
    Row(tokens, "abc\n", "abc\0\n", false, "tokens: a trailing NUL (problemtools: AC)"),
    Row(tokens, "a\0b\n", "a\0b\n", true, "tokens: NUL in both"),
    Row(tokens, "a\0b\n", "a\0c\n", false, "tokens: differs after a NUL in both (problemtools: AC)"),
    Row(floats, "1\n", "1\0\n", false, "floats: 1 then NUL is not a number (problemtools: AC)"),
    Row(floats, "1\n", "1\u{0}5\n", false, "floats: 1 NUL 5 (problemtools: AC)"),
    Row(.exact, "a\n", "\0a\n", false, "exact: leading NUL"),
    Row(.lines, "a\n", "a\0\n", false, "lines: NUL is not whitespace"),
    // Other control bytes: only \t \n \v \f \r and space are whitespace (C isspace).
    Row(tokens, "ab\n", "a\u{1}b\n", false, "tokens: SOH inside a token"),
    Row(tokens, "a b\n", "a\u{1}b\n", false, "tokens: SOH is not a separator"),
    Row(tokens, "a b\n", "a\u{B}\u{C}b\r\n", true, "tokens: VT FF CR are separators"),
    Row(tokens, "a b\n", "a\u{1B}b\n", false, "tokens: ESC is not a separator"),
    Row(.lines, "a b\n", "a\u{B}b\n", false, "lines: VT inside a line matters"),
    Row(.lines, "a\n", "a\u{B}\u{C}\n", true, "lines: trailing VT FF ignored"),
    Row(.exact, "a\u{7F}\n", "a\u{7F}\n", true, "exact: DEL"),
    // Invalid UTF-8: bytes, never decoded.
    Row(.exact, [0xFF, 0xFE, 0x0A], [0xFF, 0xFE, 0x0A], true, "exact: invalid UTF-8 identical"),
    Row(.exact, [0xFF, 0x0A], [0xFE, 0x0A], false, "exact: invalid UTF-8 differs"),
    Row(.lines, [0xC3, 0x28, 0x0A], [0xC3, 0x28, 0x20, 0x0A], true, "lines: invalid UTF-8 with trailing space"),
    Row(tokens, [0xFF, 0x0A], [0xFF], true, "tokens: invalid UTF-8 identical"),
    Row(tokens, [0xFF, 0x0A], [0xFE, 0x0A], false, "tokens: invalid UTF-8 differs"),
    Row(tokens, [0xC3, 0xA9], [0xC3, 0x89], false, "tokens: case folding is ASCII only (é vs É)"),
    Row(tokens, [0xC2, 0xA0], [], false, "tokens: U+00A0 is not whitespace"),
    // Final newline, CR LF.
    Row(.exact, "a\n", "a", false, "exact: missing final newline"),
    Row(.exact, "a\n", "a\n\n", false, "exact: extra final newline"),
    Row(.exact, "a\n", "a\r\n", false, "exact: CR LF"),
    Row(.lines, "a\n", "a", true, "lines: missing final newline"),
    Row(.lines, "a\n", "a\n\n\n", true, "lines: extra final newlines"),
    Row(.lines, "a\nb\n", "a\r\nb\r\n", true, "lines: CR LF"),
    Row(.lines, "a\nb\n", "a\rb\n", false, "lines: a lone CR does not end a line"),
    Row(tokens, "a\n", "a", true, "tokens: missing final newline"),
    Row(tokens, "a\n", "a\n\n", true, "tokens: extra final newline"),
    Row(tokens, "a\nb\n", "a\r\nb\r\n", true, "tokens: CR LF"),
    Row(spaces, "a\n", "a", false, "space_change_sensitive: missing final newline"),
    Row(spaces, "a\n", "a\n\n", false, "space_change_sensitive: extra final newline"),
    Row(spaces, "a\nb\n", "a\r\nb\r\n", false, "space_change_sensitive: CR LF"),
    Row(spaces, "a  b\n", "a  b\n", true, "space_change_sensitive: identical"),
    // Very long tokens.
    Row(.exact, long, long, true, "exact: 1 MiB line"),
    Row(tokens, long, long, true, "tokens: 1 MiB token"),
    Row(tokens, long, long + [0x61], false, "tokens: 1 MiB token and one byte more"),
    Row(tokens, long + [0x61], long, false, "tokens: one byte short of the answer's token"),
    Row(cased, long, Array(long.dropLast()) + [0x41], false, "case_sensitive: last byte's case"),
    Row(tokens, long, Array(long.dropLast()) + [0x41], true, "tokens: last byte's case ignored"),
    // Numbers without a tolerance are strings.
    Row(tokens, "1e400\n", "1e400\n", true, "tokens: 1e400 as a string"),
    Row(tokens, "1e400\n", "inf\n", false, "tokens: 1e400 vs inf"),
    Row(tokens, "nan\n", "NaN\n", true, "tokens: nan vs NaN (case-insensitive strings)"),
    Row(cased, "nan\n", "NaN\n", false, "case_sensitive: nan vs NaN"),
    Row(tokens, "0\n", "-0\n", false, "tokens: -0 vs 0"),
    Row(tokens, "1\n", "+1\n", false, "tokens: +1 vs 1"),
    Row(tokens, "8\n", "0x1p3\n", false, "tokens: hex float vs 8"),
    Row(tokens, "1.0\n", "1\n", false, "tokens: 1 vs 1.0"),
    Row(.lines, "0\n", "-0\n", false, "lines: -0 vs 0"),
    Row(.exact, "1\n", "+1\n", false, "exact: +1 vs 1"),
    // Numbers with a tolerance: strtod's grammar, finite values only.
    Row(floats, "8\n", "0x1p3\n", true, "floats: hex float 0x1p3 (strtod accepts it)"),
    Row(floats, "8\n", "0X1P+3\n", true, "floats: hex float upper case"),
    Row(floats, "0.5\n", "0x.8\n", true, "floats: hex fraction"),
    Row(floats, "1\n", "0x\n", false, "floats: 0x alone"),
    Row(floats, "0\n", "-0\n", true, "floats: -0 equals 0"),
    Row(floats, "-0\n", "0.0\n", true, "floats: 0.0 equals -0"),
    Row(floats, "1\n", "+1\n", true, "floats: leading +"),
    Row(floats, "1\n", "+1.0000001e0\n", true, "floats: within tolerance"),
    Row(floats, "1\n", "1.001\n", false, "floats: outside tolerance"),
    Row(floats, "1\n", "1e400\n", false, "floats: 1e400 overflows to inf, not a number"),
    Row(floats, "1e400\n", "1e400\n", true, "floats: an answer that overflows is a string"),
    Row(floats, "1e400\n", "1E400\n", true, "floats: ... compared case-insensitively"),
    Row(floats, "1e400\n", "2e400\n", false, "floats: ... and differs"),
    Row(floats, "1\n", "inf\n", false, "floats: inf is not a number"),
    Row(floats, "1\n", "nan\n", false, "floats: nan is not a number"),
    Row(floats, "inf\n", "INF\n", true, "floats: answer inf is a string"),
    Row(floats, "inf\n", "1e400\n", false, "floats: answer inf vs 1e400 (strings)"),
    Row(floats, "nan\n", "nan\n", true, "floats: answer nan is a string"),
    Row(floats, "1e-400\n", "0\n", true, "floats: underflow is a finite number"),
    Row(floats, "1\n", "one\n", false, "floats: a word for a number"),
    Row(floats, "one\n", "1\n", false, "floats: a number for a word"),
    Row(floats, "one\n", "ONE\n", true, "floats: words stay case-insensitive strings"),
    Row(floats, "1\n", "1,0\n", false, "floats: decimal comma"),
    Row(floats, "1\n", " 1\n", true, "floats: leading space is a separator"),
    Row(floats, "1\n", "1.\n", true, "floats: 1."),
    Row(floats, "1\n", "1e\n", false, "floats: dangling exponent"),
    Row(floats, "1\n", "1e+\n", false, "floats: dangling exponent sign"),
    Row(floats, "100\n", "1e2\n", true, "floats: exponent"),
    Row(floats, "3\n", "3x\n", false, "floats: trailing letter"),
]

@Suite("Compare: hostile bytes and number spellings (table)")
struct HostileCompareTests {
    @Test(arguments: hostileRows)
    fileprivate func row(_ row: Row) {
        #expect(row.judged() == row.accepted, "\(row.note)")
    }
}
