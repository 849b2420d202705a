import Formats
import Foundation
import Grading

extension ShardMerge {
    struct VerifyDocument: Decodable {
        var problem: String
        var timeLimit: Double
        var safetyMargin: Double
        var outputLimit: Int
        var outputRule: String
        /// The memory limit and its rule (absent in reports of older versions).
        var memoryLimit: Int?
        var memoryRule: String?
        /// Which rules judged (absent in reports of older versions).
        var expectations: String?
        var submissions: [Submission]

        struct Submission: Decodable {
            var path: String
            var expected: String
            var verdict: String?
            var score: Double?
            var ok: Bool
            var skipped: String?
            var message: String
        }
    }

    /// The merged `proctor verify`: every submission in the package's order, ok when all are.
    /// Parts judged at different time limits (computed from the accepted submissions' times
    /// on machines of different speeds) are refused.
    public static func verify(_ parts: [Part]) throws -> VerifyResult {
        try requireCommand(parts, "verify")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let documents = try parts.map { p in
            do {
                return try decoder.decode(VerifyDocument.self, from: Data(p.bytes))
            } catch {
                throw ReportError("\(p.path): not a `proctor verify` report (\(error))")
            }
        }
        let a = documents[0]
        for (p, d) in zip(parts, documents).dropFirst() {
            if d.problem != a.problem || d.outputLimit != a.outputLimit || d.outputRule != a.outputRule
                || d.memoryLimit != a.memoryLimit || d.memoryRule != a.memoryRule
                || d.safetyMargin != a.safetyMargin || d.expectations != a.expectations
            {
                throw ReportError("\(p.path): another problem or other limits than \(parts[0].path)")
            }
            if d.timeLimit != a.timeLimit {
                throw ReportError(
                    "\(p.path) was judged at a time limit of \(d.timeLimit) s, \(parts[0].path) at \(a.timeLimit) s: "
                        + "the package computes its limit from the accepted submissions' times, and the shards' machines "
                        + "measured differently; fix it in problem.yaml (limits.time_limit) to shard the package")
            }
        }
        let submissions = try place(parts, documents.map(\.submissions)).map { s in
            VerifiedSubmission(
                path: s.path, expected: s.expected, verdict: s.verdict.flatMap(Verdict.init(rawValue:)), score: s.score,
                ok: s.ok, skipped: s.skipped, message: s.message)
        }
        var v = VerifyResult(
            problem: a.problem, ok: submissions.allSatisfy(\.ok), timeLimit: a.timeLimit, timeLimitComputed: false,
            submissions: submissions)
        v.outputLimit = a.outputLimit
        v.outputRule = a.outputRule
        v.memoryRule = a.memoryRule ?? ""
        v.memoryLimit = a.memoryLimit ?? 0
        v.safetyMargin = a.safetyMargin
        v.expectations = a.expectations ?? ""
        return v
    }
}
