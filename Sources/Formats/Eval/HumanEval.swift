import Foundation
import Grading
import Sandbox

public enum HumanEval {
    public static func loadDataset(_ path: String) throws -> [String: EvalTask] {
        var tasks: [String: EvalTask] = [:]
        for (i, line) in try JSONLines.read(path).enumerated() {
            let o = try JSONLines.object(line, path, i + 1)
            guard let id = o["task_id"] as? String, let prompt = o["prompt"] as? String, let test = o["test"] as? String,
                let entry = o["entry_point"] as? String
            else {
                throw FormatsError(
                    .invalidDataset, "\(path):\(i + 1): a task needs task_id, prompt, test and entry_point (strings)")
            }
            tasks[id] = EvalTask(taskID: id, prompt: prompt, test: test, entryPoint: entry)
        }
        return tasks
    }

    public static func loadSamples(_ path: String) throws -> [EvalSample] {
        try JSONLines.read(path).enumerated().map { i, line in
            let o = try JSONLines.object(line, path, i + 1)
            let solution = o["solution"] as? String
            guard let id = o["task_id"] as? String, let completion = (o["completion"] as? String) ?? (solution != nil ? "" : nil)
            else {
                throw FormatsError(.invalidDataset, "\(path):\(i + 1): a sample needs task_id and completion (strings)")
            }
            return EvalSample(
                taskID: id, completion: completion, completionID: (o["completion_id"] as? NSNumber)?.intValue,
                line: line.trimmingCharacters(in: .whitespaces), solution: solution)
        }
    }

    /// The program the reference runs: prompt + completion + "\n" + test + "\n" + check(entry_point).
    public static func program(_ task: EvalTask, _ completion: String) -> String {
        task.prompt + completion + "\n" + task.test + "\n" + "check(\(task.entryPoint))"
    }

    /// 1 - comb(n - c, k) / comb(n, k), as the reference computes it (a product, no big numbers).
    public static func passAtK(n: Int, c: Int, k: Int) -> Double {
        if n - c < k { return 1 }
        var product = 1.0
        for i in stride(from: n - c + 1, through: n, by: 1) { product *= 1 - Double(k) / Double(i) }
        return 1 - product
    }

    /// pass@k per k, averaged over tasks, for the k every task has enough samples for.
    public static func passAtK(_ results: [EvalSampleResult], ks: [Int]) -> [Int: Double] {
        var order: [String] = []
        var counts: [String: (n: Int, c: Int)] = [:]
        for r in results {
            if counts[r.taskID] == nil { order.append(r.taskID) }
            counts[r.taskID, default: (0, 0)].n += 1
            if r.passed { counts[r.taskID, default: (0, 0)].c += 1 }
        }
        var out: [Int: Double] = [:]
        guard !order.isEmpty else { return out }
        for k in ks where k > 0 && order.allSatisfy({ counts[$0]!.n >= k }) {
            out[k] = order.map { passAtK(n: counts[$0]!.n, c: counts[$0]!.c, k: k) }.reduce(0, +) / Double(order.count)
        }
        return out
    }

    /// The reference's results file: each sample line, plus "result" and "passed".
    public static func resultLine(_ sample: EvalSample, _ r: EvalSampleResult) -> String {
        let extra = "\"result\": \(JSONText.quoted(r.result)), \"passed\": \(r.passed)"
        var line = sample.line
        if let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], o["result"] == nil,
            o["passed"] == nil,
            line.hasSuffix("}")
        {
            line.removeLast()
            let body = line.trimmingCharacters(in: .whitespaces)
            return body + (body.hasSuffix("{") ? "" : ", ") + extra + "}"
        }
        var o = (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]) ?? [:]
        o["result"] = r.result
        o["passed"] = r.passed
        let data =
            (try? JSONSerialization.data(withJSONObject: o, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
