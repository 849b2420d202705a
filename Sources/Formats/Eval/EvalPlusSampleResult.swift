import Grading

public struct EvalPlusSampleResult: Sendable {
    public var taskID: String
    /// evalplus numbers a task's samples 0, 1, ... in file order.
    public var completionID: Int
    public var solution: String
    public var base: EvalPlusCheck
    /// nil with --base-only.
    public var plus: EvalPlusCheck?
    public var baseFailTests: [String]
    public var plusFailTests: [String]

    /// Base and plus both pass (evalplus' "base + extra tests").
    public var passedPlus: Bool { base.status == .pass && plus?.status == .pass }
}
