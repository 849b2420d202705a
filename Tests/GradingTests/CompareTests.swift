import Testing
import Foundation
import SystemPackage
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
    @Test func shortLine() { #expect(compare(.lines, expected: "abc\n", output: "ab\n")?.message == "line 1 is shorter than the answer's") }
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
        #expect(d.message == "Wrong answer on line 2 of output (corresponding to line 2 in answer file)\nString tokens mismatch\nJudge: \"c\"\nUser: \"d\"")
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
    @Test func emptyAnswerEmptyOutput() { #expect(accepts(tokens, "", "")); #expect(accepts(tokens, "\n", "  ")) }
    @Test func spaceChangeSensitive() {
        let f = CompareMode.tokens(TokenFlags(spaceChangeSensitive: true))
        #expect(accepts(f, "1 2\n", "1 2\n"))
        #expect(!accepts(f, "1 2\n", "1  2\n"))
        #expect(!accepts(f, "1 2\n", "1 2"))
        #expect(!accepts(f, "1 2\n", "1 2\n\n"))
        #expect(!accepts(f, "1 2", " 1 2"))
        #expect(compare(f, expected: "1 2\n", output: "1\t2\n")?.message.hasSuffix("Space change error: got 9 expected 32") == true)
        #expect(compare(f, expected: "1 2\n", output: "1 2\n ")?.message.hasSuffix("judge out of space, got 32 from user") == true)
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
        #expect(d.message.contains("Too large difference.\n Judge: 1.0\n User: 2.0\n Difference: -1.000000e+00\n (abs tol 1.000000e-01 rel tol -1.000000e+00)"))
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
        #expect(throws: CompareError.self) { try TokenFlags(arguments: ["float_tolerance"]) }
        #expect(throws: CompareError.self) { try TokenFlags(arguments: ["bogus"]) }
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
