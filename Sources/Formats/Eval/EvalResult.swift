import Grading

public struct EvalResult: Sendable {
    public var samples: Int
    public var passed: Int
    /// k -> mean over tasks of the unbiased estimator; only k with every task having >= k samples.
    public var passAtK: [Int: Double]
    public var results: [EvalSampleResult]
    public var duration: Double

    public init(samples: Int, passed: Int, passAtK: [Int: Double], results: [EvalSampleResult], duration: Double) {
        self.samples = samples
        self.passed = passed
        self.passAtK = passAtK
        self.results = results
        self.duration = duration
    }
}
