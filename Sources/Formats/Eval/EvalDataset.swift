import Grading

/// A dataset file of either shape, told apart by its first task's fields.
public enum EvalDataset: Sendable {
    case humanEval([String: EvalTask])
    case evalPlus(EvalPlusDataset)

    public static func load(_ path: String) throws -> EvalDataset {
        let lines = try JSONLines.read(path)
        if let first = lines.first, let o = try? EvalPlus.object(first, path, 1), o["base_input"] != nil {
            return .evalPlus(try EvalPlus.loadDataset(path, lines: lines))
        }
        return .humanEval(try HumanEval.loadDataset(path))
    }
}
