import Formats
import Foundation
import Grading
import Sandbox

/// `proctor verify --json`: {"problem", "ok", "submissions": [{"path", "expected", "verdict",
/// "score", "ok"}]}, plus "time_limit" and, for a skipped submission, "skipped" (the reason)
/// with "verdict": null and "ok": true (a skipped submission never fails the check).
public enum VerifyReport {
    /// `shard`: a shard's partial report, with its "shard" object (`ShardSection`).
    public static func render(_ v: VerifyResult, shard: ShardSection? = nil) -> [UInt8] {
        func number(_ d: Double?) -> String {
            guard let d else { return "null" }
            return d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
        }
        var subs: [String] = []
        for s in v.submissions {
            var fields = [
                "\"path\": \(JSONText.quoted(s.path))",
                "\"expected\": \(JSONText.quoted(s.expected))",
                "\"verdict\": \(s.verdict.map { JSONText.quoted($0.rawValue) } ?? "null")",
                "\"score\": \(number(s.score))",
                "\"ok\": \(s.ok)",
            ]
            if let skipped = s.skipped { fields.append("\"skipped\": \(JSONText.quoted(skipped))") }
            fields.append("\"message\": \(JSONText.quoted(s.message))")
            subs.append("    {" + fields.joined(separator: ", ") + "}")
        }
        let text =
            "{\n  \"problem\": \(JSONText.quoted(v.problem)),\n  \"ok\": \(v.ok),\n  \"time_limit\": \(number(v.timeLimit)),\n"
            + "  \"safety_margin\": \(number(v.safetyMargin)),\n  \"output_limit\": \(v.outputLimit),\n"
            + "  \"output_rule\": \(JSONText.quoted(v.outputRule)),\n"
            + "  \"memory_limit\": \(v.memoryLimit),\n  \"memory_rule\": \(JSONText.quoted(v.memoryRule)),\n"
            + "  \"expectations\": \(JSONText.quoted(v.expectations)),\n"
            + "  \"submissions\": [\n" + subs.joined(separator: ",\n") + (subs.isEmpty ? "" : "\n") + "  ]\n}\n"
        return shard.map { $0.appended(to: Array(text.utf8)) } ?? Array(text.utf8)
    }

    public static func table(_ v: VerifyResult) -> String {
        var out =
            "\(v.problem): time limit \(number(v.timeLimit))s\(v.timeLimitComputed ? " (computed from the accepted submissions)" : "")"
            + ", safety margin x\(number(v.safetyMargin))\n"
        if !v.outputRule.isEmpty { out += "output limit \(v.outputLimit >> 20) MiB; rule: \(v.outputRule)\n" }
        if !v.memoryRule.isEmpty { out += "memory limit \(v.memoryLimit >> 20) MiB; rule: \(v.memoryRule)\n" }
        if !v.expectations.isEmpty { out += "submissions judged by \(v.expectations)\n" }
        let width = v.submissions.map(\.path.count).max() ?? 10
        for s in v.submissions {
            let verdict = s.verdict?.rawValue ?? "-"
            let score = s.score.map { " score \(Figures.points($0))" } ?? ""
            out +=
                s.path.padding(toLength: width + 2, withPad: " ", startingAt: 0)
                + verdict.padding(toLength: 5, withPad: " ", startingAt: 0) + (s.ok ? "ok    " : "FAIL  ") + s.message + score
                + "\n"
        }
        let bad = v.submissions.filter { !$0.ok }.count
        let skipped = v.submissions.filter { $0.skipped != nil }.count
        out +=
            v.ok
            ? "verified: every submission got what its folder expects"
            : "NOT verified: \(bad) submission\(bad == 1 ? "" : "s") did not"
        if skipped > 0 { out += " (\(skipped) skipped)" }
        return out
    }

    static func number(_ d: Double) -> String { d == d.rounded() ? String(Int(d)) : String(d) }
}
