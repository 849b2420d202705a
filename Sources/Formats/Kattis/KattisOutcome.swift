import Grading
import Yams

/// What a submission came to on a package: the default grader's verdict and score.
public struct KattisOutcome: Sendable, Hashable {
    public var verdict: Verdict
    public var score: Double
    /// Every test ran was AC with its full score.
    public var fullyAccepted: Bool
}
