import Grading

/// One task of an EvalPlus release (HumanEvalPlus or MbppPlus JSON lines), as released:
/// task_id, prompt, entry_point, canonical_solution, base_input, plus_input, atol (and, for
/// HumanEval+, contract and test, which judging does not need).
public struct EvalPlusTask: Sendable {
    public var taskID: String
    public var prompt: String
    public var entryPoint: String
    public var canonicalSolution: String
    public var atol: Double
    public var baseCount: Int
    public var plusCount: Int
    /// The task's line as released: the sandboxed side reads the inputs from it (Python's JSON,
    /// NaN and Infinity included, and MBPP+'s per-task tuples, sets and complex numbers).
    public var line: String
    /// Each input as JSON text, for the results' fail tests.
    public var baseInputs: [String]
    public var plusInputs: [String]
}
