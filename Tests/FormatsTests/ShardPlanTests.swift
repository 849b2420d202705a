import Foundation
import SystemPackage
import TestSupport
import Testing

@testable import Formats
@testable import Grading

/// Which units each shard of `run` and `eval` takes (no sandbox needed): every result or
/// sample in exactly one shard, a Kattis package's problems together, with --fail-fast a
/// solution's results together, a task's samples together.
@Suite("shards: each command's units")
struct ShardPlanTests {
    static func inputs() throws -> (suites: [Suite], packages: [KattisPackage]) {
        let package = try KattisPackage.load(Repo.suite("kattis-hello"))
        let suites = [
            try SuiteLoader.load(FilePath(Repo.suite("sum/suite.yaml"))), try package.suite(),
            try SuiteLoader.load(FilePath(Repo.suite("scored/suite.yaml"))),
        ]
        return (suites, [package])
    }

    @Test func runUnitsAreResultsAndAPackageIsOne() throws {
        let (suites, packages) = try Self.inputs()
        let problems = suites.reduce(0) { $0 + $1.problems.count }
        let plans = try (1...3).map {
            RunShard(suites: suites, packages: packages, submissions: 2, failFast: false, shard: try Shard(index: $0, count: 3))
        }
        // 2 solutions x (sum, the package as one, primes) = 6 results, 2 per shard.
        #expect(plans.map(\.total) == [6, 6, 6])
        #expect(plans.map(\.positions) == [[0, 3], [1, 4], [2, 5]])
        // Every (solution, problem) pair graded once; the package's problems stay together.
        let pairs = plans.flatMap(\.pairs)
        #expect(pairs.count == 2 * problems && Set(pairs).count == pairs.count)
        let packageProblems = Set(1..<(1 + suites[1].problems.count))
        for plan in plans {
            for s in 0..<2 {
                let mine = Set(plan.pairs.filter { $0.submission == s }.map(\.problem))
                #expect(mine.isDisjoint(with: packageProblems) || packageProblems.isSubset(of: mine))
            }
        }
    }

    @Test func withFailFastASolutionIsTheUnit() throws {
        let (suites, packages) = try Self.inputs()
        let plans = try (1...2).map {
            RunShard(suites: suites, packages: packages, submissions: 3, failFast: true, shard: try Shard(index: $0, count: 2))
        }
        // Solutions 0 and 2 in shard 1, solution 1 in shard 2, each with all its 3 results.
        #expect(plans[0].positions == [0, 1, 2, 6, 7, 8] && plans[1].positions == [3, 4, 5])
        #expect(Set(plans[1].pairs.map(\.submission)) == [1])
    }

    @Test func evalKeepsATasksSamplesTogether() throws {
        func sample(_ task: String) -> EvalSample { EvalSample(taskID: task, completion: "", line: "{}") }
        let all = ["a", "b", "a", "c", "b", "a"].map(sample)
        let parts = try (1...2).map { EvalShard(all, shard: try Shard(index: $0, count: 2)) }
        // Tasks in order of first sample: a (shard 1), b (shard 2), c (shard 1).
        #expect(parts[0].positions == [0, 2, 3, 5] && parts[1].positions == [1, 4])
        #expect(parts[0].samples.map(\.taskID) == ["a", "a", "c", "a"])
        #expect(parts.allSatisfy { $0.total == 6 })
    }
}
