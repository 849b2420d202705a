import Formats
import Foundation
import Grading
import Sandbox

/// `proctor eval --json`: {"samples", "passed", "pass_at_k": {"1": x}, "results": [{"task_id",
/// "completion_id", "passed", "result"}]}.
public enum EvalReport {
    /// `shard`: a shard's partial report, with its "shard" object (`ShardSection`).
    public static func render(_ e: EvalResult, shard: ShardSection? = nil) -> [UInt8] {
        let ks = e.passAtK.keys.sorted().map { "\(JSONText.quoted(String($0))): \(e.passAtK[$0]!)" }
        var text =
            "{\n  \"samples\": \(e.samples),\n  \"passed\": \(e.passed),\n  \"pass_at_k\": {" + ks.joined(separator: ", ")
            + "},\n"
        text += "  \"duration\": \(e.duration),\n  \"results\": [\n"
        text += e.results.map { r in
            "    {\"task_id\": \(JSONText.quoted(r.taskID)), \"completion_id\": \(r.completionID.map(String.init) ?? "null"), "
                + "\"passed\": \(r.passed), \"result\": \(JSONText.quoted(r.result))}"
        }.joined(separator: ",\n")
        text += (e.results.isEmpty ? "" : "\n") + "  ]\n}\n"
        return shard.map { $0.appended(to: Array(text.utf8)) } ?? Array(text.utf8)
    }
}

/// `proctor eval` on an EvalPlus dataset: evalplus' `eval_results.json` shape, {"date", "hash",
/// "eval": {task_id: [{"task_id", "solution", "base_status", "plus_status", "base_fail_tests",
/// "plus_fail_tests"}]}} (each task's samples by completion id), plus what evalplus prints:
/// "pass_at_k": {"base": {"pass@1": x}, "plus": {...}}.
public enum EvalPlusReport {
    public static func render(_ e: EvalPlusResult, dataset: EvalPlusDataset, date: Date = Date()) -> [UInt8] {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyy-MM-dd HH:mm"
        var byTask: [String: [EvalPlusSampleResult]] = [:]
        for r in e.results { byTask[r.taskID, default: []].append(r) }
        func list(_ xs: [String]) -> String { "[" + xs.joined(separator: ", ") + "]" }
        func ks(_ p: [Int: Double]) -> String {
            "{" + p.keys.sorted().map { "\"pass@\($0)\": \(p[$0]!)" }.joined(separator: ", ") + "}"
        }
        var text =
            "{\n  \"date\": \(JSONText.quoted(f.string(from: date))),\n  \"hash\": \(JSONText.quoted(dataset.hash)),\n  \"eval\": {\n"
        func row(_ r: EvalPlusSampleResult) -> String {
            var line = "      {\"task_id\": " + JSONText.quoted(r.taskID)
            line += ", \"solution\": " + JSONText.quoted(r.solution)
            line += ", \"base_status\": " + JSONText.quoted(r.base.status.rawValue)
            line += ", \"plus_status\": " + (r.plus.map { JSONText.quoted($0.status.rawValue) } ?? "null")
            line += ", \"base_fail_tests\": " + list(r.baseFailTests)
            line += ", \"plus_fail_tests\": " + list(r.plusFailTests) + "}"
            return line
        }
        var tasks: [String] = []
        for id in dataset.order {
            guard let rs = byTask[id] else { continue }
            let rows: [String] = rs.sorted { $0.completionID < $1.completionID }.map(row)
            tasks.append("    " + JSONText.quoted(id) + ": [\n" + rows.joined(separator: ",\n") + "\n    ]")
        }
        text += tasks.joined(separator: ",\n")
        text += "\n  },\n  \"pass_at_k\": {\"base\": \(ks(e.passAtKBase)), \"plus\": \(ks(e.passAtKPlus))},\n"
        text += "  \"duration\": \(e.duration),\n  \"ground_truth_duration\": \(e.groundTruthDuration)\n}\n"
        return Array(text.utf8)
    }
}
