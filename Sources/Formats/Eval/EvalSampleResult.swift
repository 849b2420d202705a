import Grading

public struct EvalSampleResult: Sendable, Hashable {
    public var taskID: String
    /// The sample's completion_id, else its index among the samples of its task (as the reference).
    public var completionID: Int?
    public var passed: Bool
    /// "passed", "timed out", "failed: <exception>".
    public var result: String

    public init(taskID: String, completionID: Int?, passed: Bool, result: String) {
        self.taskID = taskID
        self.completionID = completionID
        self.passed = passed
        self.result = result
    }
}
