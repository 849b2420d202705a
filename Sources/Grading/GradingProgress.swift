/// One finished test, as it finishes (for a progress line).
public struct GradingProgress: Sendable {
    public var done: Int
    public var total: Int
    public var problem: String
    public var submission: String
    public var test: String
    public var verdict: Verdict
}
