import Grading

public struct EvalPlusOptions: Sendable {
    /// evalplus' DEFAULT_MIN_TIME_LIMIT.
    public var minTimeLimit: Double = 1.0
    /// evalplus' DEFAULT_GT_TIME_LIMIT_FACTOR.
    public var gtTimeLimitFactor: Double = 4.0
    /// evalplus' EVALPLUS_TIMEOUT_PER_TASK: caps one check's (base or plus) whole time.
    public var timeoutPerTask: Double = 60
    public var baseOnly = false
    /// evalplus' --test-details: every input runs (no stop at the first failure) and every failing one is listed.
    public var testDetails = false
    /// The canonical solution's run over one task's inputs (evalplus gives it no limit).
    public var groundTruthTimeout: Double = 300

    public init() {}
}
