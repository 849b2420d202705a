import Testing

@testable import ProctorServer

/// Accepted or Wrong Answer against `expected_output`, decided as Judge0 CE 1.13.1 does.
@Suite("Judge0 expected_output comparison")
struct Judge0CompareTests {
    /// Judge0's own rule, as isolate_job.rb writes it in Ruby:
    /// `text.split("\n").collect(&:rstrip).join("\n").rstrip`, both sides, then `==`.
    /// Ruby's `rstrip` removes trailing NUL, \t, \n, \v, \f, \r and space.
    static func rubyStrip(_ text: [UInt8]) -> [UInt8] {
        func rstrip(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
            var s = s
            while let last = s.last, last == 0 || last == 0x20 || (0x09...0x0D).contains(last) { s = s.dropLast() }
            return s
        }
        let lines = text.split(separator: 0x0A, omittingEmptySubsequences: false).map(rstrip)
        return Array(rstrip(ArraySlice(Array(lines.joined(separator: [0x0A])))))
    }

    static func judge0(_ expected: String, _ stdout: String) -> Bool {
        rubyStrip(Array(expected.utf8)) == rubyStrip(Array(stdout.utf8))
    }

    /// The rule this server applied before it used Grading's comparator (trailing space, tab
    /// and CR of each line, and trailing newlines, ignored).
    static func previous(_ bytes: [UInt8]) -> [UInt8] {
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { line -> ArraySlice<UInt8> in
            var l = line
            while let last = l.last, last == 0x20 || last == 0x09 || last == 0x0D { l = l.dropLast() }
            return l
        }
        var out = Array(lines.joined(separator: [0x0A]))
        while let last = out.last, last == 0x0A || last == 0x20 || last == 0x09 || last == 0x0D { out.removeLast() }
        return out
    }

    /// (expected_output, stdout, Accepted?)
    static let cases: [(String, String, Bool)] = [
        ("3", "3\n", true), ("3\n", "3", true), ("3", "3   \n\n\n", true), ("3\n", "3\r\n", true),
        ("1 2\n3 4\n", "1 2  \n3 4\t\n", true), ("a\n\nb", "a\n  \nb\n", true), ("", "", true), ("", "\n \n\t", true),
        ("3", "4", false), ("3", " 3", false), ("a b", "a  b", false), ("a\nb", "a\n\nb", false), ("a", "a\nb", false),
        ("a\nb", "a", false), ("", "x", false), ("x", "", false), ("a\tb", "a b", false), ("A", "a", false),
        ("1.0", "1", false), ("a\r\nb", "a\nb", true), ("a\rb", "a\nb", false),
    ]

    @Test("the same decisions as before on ordinary output, and as Judge0's rule")
    func decisions() {
        for (expected, stdout, accepted) in Self.cases {
            let e = Array(expected.utf8)
            let o = Array(stdout.utf8)
            #expect(
                Judge0.accepts(expected: e, stdout: o) == accepted, "\(expected.debugDescription) vs \(stdout.debugDescription)")
            #expect((Self.previous(e) == Self.previous(o)) == accepted, "previous rule: \(expected.debugDescription)")
            #expect(Self.judge0(expected, stdout) == accepted, "Judge0's rule: \(expected.debugDescription)")
        }
    }

    /// Where the previous rule departed from Judge0's: \v, \f and NUL at the end of a line
    /// are whitespace to Ruby's `rstrip`. Now decided as Judge0 does.
    @Test("vertical tab, form feed and NUL at a line's end: Accepted, as in Judge0")
    func rubyWhitespace() {
        for (expected, stdout) in [("3", "3\u{0B}\n"), ("3", "3\u{0C}"), ("3\n4", "3\u{0}\n4\u{0} \u{0}\n"), ("3", "3 \u{0}\t")] {
            #expect(Self.judge0(expected, stdout))
            #expect(Judge0.accepts(expected: Array(expected.utf8), stdout: Array(stdout.utf8)), "\(stdout.debugDescription)")
        }
        // A NUL inside a line is content, as in Ruby.
        #expect(!Judge0.accepts(expected: Array("ab".utf8), stdout: Array("a\u{0}b".utf8)))
        #expect(!Self.judge0("ab", "a\u{0}b"))
    }

    @Test("agrees with Judge0's rule on 20000 random pairs over whitespace-heavy bytes")
    func randomPairs() {
        let alphabet: [UInt8] = [0x61, 0x62, 0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C, 0x00]
        var rng = SplitMix(seed: 9)
        func text() -> [UInt8] {
            (0..<Int(rng.next() % 7)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
        }
        var disagreements: [String] = []
        for _ in 0..<20000 {
            let e = text()
            // Half the time a variant of the expected text, so that both answers are common.
            let o = rng.next() % 2 == 0 ? e + text().filter { $0 != 0x61 && $0 != 0x62 } : text()
            let ours = Judge0.accepts(expected: e, stdout: o)
            let theirs = Self.rubyStrip(e) == Self.rubyStrip(o)
            if ours != theirs { disagreements.append("\(e) vs \(o): \(ours)") }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(5))")
    }
}

/// A small seeded generator, so a failure repeats.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
