import Foundation
import Grading

/// Gradescope's autograder results.json: score, execution_time, output, tests[] (name, score,
/// max_score, status, output, visibility). A test's max_score is its share of its problem's
/// points (1 for a problem without groups; a group's points split evenly over its tests).
/// When a problem's score is not the sum of those shares (a `min` group that failed, a Kattis
/// package), its tests are listed with max_score 0 and one "PROBLEM: total" entry carries
/// the problem's score. The top-level score is always the sum of the problems' scores.
public enum GradescopeReport {
    struct Document: Encodable {
        var score: Double
        var executionTime: Double
        var output: String
        var visibility: String
        var stdoutVisibility: String
        var tests: [Test]
    }

    struct Test: Encodable {
        var name: String
        var score: Double
        var maxScore: Double
        var status: String
        var output: String
        var visibility: String
        /// A unit test's number (gradescope-utils' @number); left out when nil.
        var number: String? = nil
    }

    public static func render(_ run: RunResult, visibility: String = "visible") throws -> [UInt8] {
        var tests: [Test] = []
        let many = Set(run.results.map(\.problem)).count > 1 || Set(run.results.map(\.submission)).count > 1
        for r in run.results {
            var shares: [String: Double] = [:]
            if let groups = Optional(r.groups), !groups.isEmpty {
                for g in groups {
                    let n = r.tests.filter { $0.group == g.name }.count
                    shares[g.name] = n == 0 ? 0 : g.points / Double(n)
                }
            }
            let plainShare = r.tests.isEmpty ? 0 : r.maxScore / Double(r.tests.count)
            var entries: [Test] = []
            for t in r.tests {
                // A unit test's weight is its max_score (weights, not shares, in unit suites).
                let max = t.weight ?? t.group.flatMap { shares[$0] } ?? plainShare
                let name =
                    many
                    ? "\(r.problem) / \(t.name)" + (Set(run.results.map(\.submission)).count > 1 ? " (\(r.submission))" : "")
                    : t.name
                var output = t.verdict == .accepted ? "\(t.verdict.rawValue)" : "\(t.verdict.rawValue): \(t.headline)"
                if let d = t.difference { output += "\nexpected: \(d.expected)\ngot: \(d.got)" }
                if r.verdict == .compileError, let m = r.compileMessage { output = "CE: \(m)" }
                entries.append(
                    Test(
                        name: name, score: (t.score * max * 1e6).rounded() / 1e6, maxScore: max,
                        status: t.verdict == .accepted ? "passed" : "failed", output: output,
                        visibility: t.visibility?.rawValue ?? visibility, number: t.number))
            }
            // A problem whose score is not the sum of its tests' (a Kattis package: all or
            // nothing, or its own grading) gets its tests for information and one entry with its score.
            if abs(entries.reduce(0) { $0 + $1.score } - r.score) > 1e-6 {
                entries = entries.map {
                    var e = $0
                    e.score = 0
                    e.maxScore = 0
                    return e
                }
                entries.append(
                    Test(
                        name: "\(r.problem)" + (Set(run.results.map(\.submission)).count > 1 ? " (\(r.submission))" : "")
                            + ": total",
                        score: r.score, maxScore: r.maxScore, status: r.verdict == .accepted ? "passed" : "failed",
                        output: "\(r.verdict.rawValue) (\(r.verdict.meaning))", visibility: visibility))
            }
            tests += entries
        }
        let lines = run.results.map { r in
            "\(r.problem) (\(r.submission)): \(r.verdict.rawValue), \(r.passed)/\(r.tests.count) tests, score \(Figures.points(r.score))/\(Figures.points(r.maxScore))"
        }
        let document = Document(
            score: run.results.reduce(0) { $0 + $1.score }, executionTime: run.duration,
            output: lines.joined(separator: "\n"), visibility: visibility, stdoutVisibility: "hidden", tests: tests)
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(document)) + [0x0A]
    }
}
