import Grading

/// evalplus' statuses: "pass", "fail", "timeout".
public enum EvalPlusStatus: String, Sendable, Hashable {
    case pass, fail, timeout
}
