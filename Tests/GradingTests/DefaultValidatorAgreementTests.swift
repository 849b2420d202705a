import Foundation
import TestSupport
import Testing

@testable import Grading

/// The tokens comparator against problemtools' default output validator, case by case:
/// Fixtures/default-validator/cases.jsonl holds 1,500 answer/output pairs under the
/// validator's five kinds of flags (none, case_sensitive, space_change_sensitive,
/// float_tolerance, absolute with relative tolerance), each with the verdict the validator
/// itself gave (Fixtures/default-validator/make.py says how they were made). The tokens are
/// where judges differ: signs, leading zeros, exponents, hex floats, inf and nan, overflow to
/// infinity, denormals, non-ASCII letters, every C whitespace byte.
@Suite("tokens comparator: problemtools' default validator's own verdicts")
struct DefaultValidatorAgreementTests {
    struct Case: Decodable {
        var flags: [String]
        var answer: String
        var output: String
        var verdict: String
    }

    /// The validator's command-line flags as ours.
    static func flags(_ args: [String]) throws -> TokenFlags {
        var f = TokenFlags()
        var i = 0
        while i < args.count {
            switch args[i] {
            case "case_sensitive": f.caseSensitive = true
            case "space_change_sensitive": f.spaceChangeSensitive = true
            case "float_tolerance":
                f.floatAbsoluteTolerance = try #require(Double(args[i + 1]))
                f.floatRelativeTolerance = f.floatAbsoluteTolerance
                i += 1
            case "float_absolute_tolerance":
                f.floatAbsoluteTolerance = try #require(Double(args[i + 1]))
                i += 1
            case "float_relative_tolerance":
                f.floatRelativeTolerance = try #require(Double(args[i + 1]))
                i += 1
            default: Issue.record("unknown flag \(args[i])")
            }
            i += 1
        }
        return f
    }

    /// AC or WA, with the output fed in chunks of `size` bytes.
    static func verdict(_ flags: TokenFlags, answer: [UInt8], output: [UInt8], chunk size: Int) -> String {
        let c = CompareMode.tokens(flags).comparator(expected: ByteReader(bytes: answer))
        var i = 0
        while i < output.count {
            c.feed(Array(output[i..<min(output.count, i + size)]))
            i += size
        }
        return c.finish() == nil ? "AC" : "WA"
    }

    @Test func everyVerdictIsTheValidators() throws {
        let text = try String(contentsOfFile: Repo.fixture("default-validator/cases.jsonl"), encoding: .utf8)
        let cases = try text.split(separator: "\n").map { try JSONDecoder().decode(Case.self, from: Data($0.utf8)) }
        #expect(cases.count == 1500)
        // Both verdicts occur under every kind of flags: the cases can catch a comparator
        // that accepts or refuses too much.
        for flags in Set(cases.map(\.flags)) {
            let verdicts = Set(cases.filter { $0.flags == flags }.map(\.verdict))
            #expect(verdicts == ["AC", "WA"], "\(flags)")
        }
        var disagreements: [String] = []
        for c in cases {
            let answer = try #require(Data(base64Encoded: c.answer)).map { $0 }
            let output = try #require(Data(base64Encoded: c.output)).map { $0 }
            let flags = try Self.flags(c.flags)
            for size in [1, 3, max(1, output.count)] {
                let ours = Self.verdict(flags, answer: answer, output: output, chunk: size)
                if ours != c.verdict {
                    disagreements.append(
                        "\(c.flags) answer \(String(decoding: answer, as: UTF8.self).debugDescription) output "
                            + "\(String(decoding: output, as: UTF8.self).debugDescription): validator \(c.verdict), ours \(ours) (chunks of \(size))"
                    )
                    break
                }
            }
        }
        #expect(
            disagreements.isEmpty, "\(disagreements.count) disagreements:\n\(disagreements.prefix(20).joined(separator: "\n"))")
    }
}
