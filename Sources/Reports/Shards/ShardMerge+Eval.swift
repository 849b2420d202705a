import Formats
import Foundation
import Grading

extension ShardMerge {
    struct EvalDocument: Decodable {
        var duration: Double
        var results: [Row]

        struct Row: Decodable {
            var taskID: String
            var completionID: Int?
            var passed: Bool
            var result: String

            enum CodingKeys: String, CodingKey {
                case taskID = "task_id"
                case completionID = "completion_id"
                case passed, result
            }
        }
    }

    /// The merged `proctor eval`: every sample in the samples file's order, and pass@k computed
    /// again over every task (each task's samples are all in one part).
    public static func eval(_ parts: [Part]) throws -> EvalResult {
        try requireCommand(parts, "eval")
        let documents = try parts.map { p in
            do {
                return try JSONDecoder().decode(EvalDocument.self, from: Data(p.bytes))
            } catch {
                throw ReportError("\(p.path): not a `proctor eval` report (\(error))")
            }
        }
        let results = try place(parts, documents.map(\.results)).map {
            EvalSampleResult(taskID: $0.taskID, completionID: $0.completionID, passed: $0.passed, result: $0.result)
        }
        return EvalResult(
            samples: results.count, passed: results.filter(\.passed).count,
            passAtK: HumanEval.passAtK(results, ks: parts[0].shard.ks ?? []), results: results,
            duration: documents.map(\.duration).max() ?? 0)
    }
}
