import Grading

public struct EvalPlusDataset: Sendable {
    public enum Flavor: String, Sendable { case humaneval, mbpp }
    public var flavor: Flavor
    public var tasks: [String: EvalPlusTask]
    /// Task ids in file order.
    public var order: [String]
    /// md5 of the file as read (evalplus' `hash`).
    public var hash: String
}
