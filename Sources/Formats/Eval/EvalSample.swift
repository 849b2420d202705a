import Grading

/// One generated sample: the original JSON line is kept for the results file.
public struct EvalSample: Sendable, Hashable {
    public var taskID: String
    public var completion: String
    /// The sample's own completion_id, if it has one.
    public var completionID: Int?
    /// The sample's line as read (a JSON object).
    public var line: String
    /// EvalPlus' alternative to completion: the whole program (prompt included).
    public var solution: String? = nil
}
