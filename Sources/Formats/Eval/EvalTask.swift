import Grading

/// One problem of a HumanEval-style dataset.
public struct EvalTask: Sendable, Hashable {
    public var taskID: String
    public var prompt: String
    public var test: String
    public var entryPoint: String
}
