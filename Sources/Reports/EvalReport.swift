import Grading
import Sandbox

/// `proctor eval --json`: {"samples", "passed", "pass_at_k": {"1": x}, "results": [{"task_id",
/// "completion_id", "passed", "result"}]}.
public enum EvalReport {
    public static func render(_ e: EvalResult) -> [UInt8] {
        let ks = e.passAtK.keys.sorted().map { "\(JSONText.quoted(String($0))): \(e.passAtK[$0]!)" }
        var text = "{\n  \"samples\": \(e.samples),\n  \"passed\": \(e.passed),\n  \"pass_at_k\": {" + ks.joined(separator: ", ") + "},\n"
        text += "  \"duration\": \(e.duration),\n  \"results\": [\n"
        text += e.results.map { r in
            "    {\"task_id\": \(JSONText.quoted(r.taskID)), \"completion_id\": \(r.completionID.map(String.init) ?? "null"), "
                + "\"passed\": \(r.passed), \"result\": \(JSONText.quoted(r.result))}"
        }.joined(separator: ",\n")
        text += (e.results.isEmpty ? "" : "\n") + "  ]\n}\n"
        return Array(text.utf8)
    }
}
