import Grading

public struct EvalPlusCheck: Sendable, Hashable {
    public var status: EvalPlusStatus
    /// Per input, as far as the sample got (evalplus' details[:progress]).
    public var details: [Bool]
}
