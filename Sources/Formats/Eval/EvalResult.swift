import Grading

public struct EvalResult: Sendable {
    public var samples: Int
    public var passed: Int
    /// k -> mean over tasks of the unbiased estimator; only k with every task having >= k samples.
    public var passAtK: [Int: Double]
    public var results: [EvalSampleResult]
    public var duration: Double
}
