import Grading

/// What one shard of `proctor run` grades. A unit is one result of the whole run's report: a
/// submission against one problem of a suite, or against a whole Kattis package (its
/// problems, one per set of validator flags, fold into one result). Units are listed as the
/// report lists results (each solution in the order given, then the suites and their
/// problems in order), and shard `I/N` takes every N-th one (`Shard.owns`).
///
/// With `--fail-fast` a failing test stops every test of its submission, so the unit is the
/// submission (all its results in one shard): the shard sees what an unsharded run sees.
public struct RunShard: Sendable {
    /// The (submission, problem) pairs to grade.
    public var pairs: Set<Grader.GradedPair>
    /// Each of this shard's results' index among the whole run's results, in order.
    public var positions: [Int]
    /// The whole run's results.
    public var total: Int

    public init(suites: [Suite], packages: [KattisPackage], submissions: Int, failFast: Bool, shard: Shard) {
        var groups: [(submission: Int, problems: [Int])] = []
        for s in 0..<submissions {
            var base = 0
            for suite in suites {
                let ids = Array(base..<(base + suite.problems.count))
                base += suite.problems.count
                if packages.contains(where: { $0.shortName == suite.name }) {
                    if !ids.isEmpty { groups.append((s, ids)) }
                } else {
                    groups += ids.map { (submission: s, problems: [$0]) }
                }
            }
        }
        pairs = []
        positions = []
        total = groups.count
        for (k, g) in groups.enumerated() where shard.owns(failFast ? g.submission : k) {
            positions.append(k)
            for p in g.problems { pairs.insert(Grader.GradedPair(submission: g.submission, problem: p)) }
        }
    }
}

/// What one shard of `proctor eval` runs. A unit is a task with all its samples, so each
/// task's pass@k (and EvalPlus' expected outputs, computed once per task) is whole in one
/// shard; `proctor merge` averages over every task. Tasks are listed in the order their
/// first sample comes in the samples file; shard `I/N` takes every N-th task.
public struct EvalShard: Sendable {
    /// The shard's samples, in file order.
    public var samples: [EvalSample]
    /// Each of them's index in the samples file.
    public var positions: [Int]
    public var total: Int

    public init(_ all: [EvalSample], shard: Shard) {
        var order: [String: Int] = [:]
        for s in all where order[s.taskID] == nil { order[s.taskID] = order.count }
        positions = all.indices.filter { shard.owns(order[all[$0].taskID]!) }
        samples = positions.map { all[$0] }
        total = all.count
    }
}
