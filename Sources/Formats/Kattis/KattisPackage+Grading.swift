import Foundation
import Grading
import Yams

extension KattisPackage {
    /// The package as suite problems: one per distinct validator flags, in the order met.
    public func suite(timeLimit: Double? = nil) throws -> Suite {
        let seconds = timeLimit ?? fixedTimeLimit ?? Self.defaultTimeLimit
        var limits = TestLimits()
        limits.cpuTime = .milliseconds(Int64((seconds * 1000).rounded(.up)))
        limits.wallTime = .milliseconds(Int64((seconds * 2000 + 1000).rounded(.up)))
        limits.memory = memory
        limits.output = outputRule == .afterRun ? max(output, Self.afterRunOutputCap) : output
        var order: [[String]] = []
        for t in tests where !order.contains(t.flags) { order.append(t.flags) }
        var problems: [Problem] = []
        for flags in order {
            let comparison: Comparison
            var interactor: JudgeProgram?
            if var v = validator {
                v.arguments = flags
                if interactive { interactor = v }
                comparison = interactive ? .builtin(.tokens(TokenFlags())) : .checker(v)
            } else {
                do {
                    comparison = .builtin(.tokens(try TokenFlags(arguments: flags)))
                } catch {
                    throw FormatsError(
                        .invalidPackage, "\(root): validator flags \(flags.joined(separator: " ")): \(error)",
                        underlyingError: error)
                }
            }
            let id = order.count == 1 || flags.isEmpty ? shortName : "\(shortName)[\(flags.joined(separator: " "))]"
            let cases = tests.filter { $0.flags == flags }.map {
                TestCase(
                    name: $0.name, input: .file($0.input), answer: .file($0.answer), command: nil, limits: TestLimits(),
                    files: $0.files, group: nil)
            }
            var p = Problem(
                id: id, title: title, kind: interactive ? .interactive : .stdio, limits: limits, comparison: comparison,
                interactor: interactor, files: [], tests: cases, groups: [])
            if scoring { p.maxTestScore = .infinity }
            p.passes = validationPasses ?? 1
            if outputRule == .afterRun { p.outputLimitAfterRun = output }
            p.addressSpaceLimit = memoryRule == .addressSpace
            p.judgeLimits = TestLimits(
                cpuTime: .milliseconds(Int64(validationTime * 1000)),
                wallTime: .milliseconds(Int64(validationTime * 2000)), memory: validationMemory)
            problems.append(p)
        }
        return Suite(path: root.appending("problem.yaml"), name: shortName, problems: problems)
    }

    /// Folds test results (by test name) up the data tree as problemtools' default grader
    /// does: on_reject break drops what follows a rejection, verdicts by worst_error (or the
    /// flags), scores by sum (or min, max, avg), accept_score/reject_score for tests, the
    /// validator's score for custom-score problems. `timeLimit` turns any test slower than it
    /// into TLE (one run at the safety-margin limit gives the verdicts at both limits).
    public func outcome(_ results: [String: TestResult], timeLimit: Double? = nil) -> KattisOutcome {
        var full = true
        func test(_ i: Int, _ config: KattisGroupConfig) -> (Verdict, Double)? {
            guard let r = results[tests[i].name], r.verdict != .skipped else { return nil }
            var v = r.verdict
            if let timeLimit, r.cpuTime > timeLimit, v != .judgeError, v != .compileError { v = .timeLimit }
            if v != .accepted { full = false }
            let score = v == .accepted ? (customScore ? r.score : config.acceptScore) : config.rejectScore
            return (v, score)
        }
        func fold(_ g: KattisGroup) -> (Verdict, Double)? {
            var children: [(Verdict, Double)] = []
            for item in g.items {
                let r: (Verdict, Double)?
                switch item {
                case .test(let i): r = test(i, g.config)
                case .group(let sub): r = fold(sub)
                }
                guard let r else { continue }
                children.append(r)
                if r.0 != .accepted && g.config.onRejectBreak { break }
            }
            if children.isEmpty { return g.items.isEmpty ? nil : (.accepted, 0) }
            if let je = children.first(where: { $0.0 == .judgeError }) { return je }
            return Self.grade(children, flags: g.config.graderFlags)
        }
        let (verdict, score) = fold(data) ?? (.accepted, 0)
        return KattisOutcome(verdict: verdict, score: score, fullyAccepted: full && verdict == .accepted)
    }

    /// problemtools' support/default_grader.
    static func grade(_ results: [(Verdict, Double)], flags: [String]) -> (Verdict, Double) {
        var results = results
        if flags.contains("ignore_sample") { results = Array(results.suffix(1)) }
        let verdicts = results.map(\.0)
        let scores = results.map(\.1)
        var score = scores.reduce(0, +)
        var verdictRule = "worst_error"
        for f in flags {
            switch f {
            case "sum": score = scores.reduce(0, +)
            case "avg": score = scores.isEmpty ? 0 : scores.reduce(0, +) / Double(scores.count)
            case "max": score = scores.max() ?? 0
            case "min": score = scores.min() ?? 0
            case "worst_error", "no_errors", "first_error", "always_accept": verdictRule = f
            default: break
            }
        }
        if flags.contains("accept_if_any_accepted") && verdicts.contains(.accepted) { return (.accepted, score) }
        switch verdictRule {
        case "always_accept": return (.accepted, score)
        case "first_error": return (verdicts.first { $0 != .accepted } ?? .accepted, score)
        default:
            let order: [Verdict] = [.judgeError, .runtimeError, .memoryLimit, .timeLimit, .outputLimit, .wrongAnswer, .accepted]
            let worst = verdicts.compactMap { order.firstIndex(of: $0) }.min() ?? order.count - 1
            // CE (never per test) sorts with RTE.
            if verdicts.contains(.compileError) { return (.compileError, score) }
            return (order[worst], score)
        }
    }

    /// The score of a run with every test AC: nil when the validator decides scores and
    /// data/testdata.yaml gives no range.
    public var fullScore: Double? {
        if customScore { return data.config.range.map(\.1) }
        let all = Dictionary(
            uniqueKeysWithValues: tests.map { ($0.name, TestResult(name: $0.name, group: nil, verdict: .accepted, score: 1)) })
        return outcome(all).score
    }

    /// For each test, the tests that a rejection of it makes irrelevant share its scope: the
    /// highest group reached going up through groups that stop at a rejection
    /// (on_reject: break) and whose verdict a rejection inside surely makes a rejection (no
    /// always_accept, accept_if_any_accepted). Tests with no such group get their own scope.
    public var rejectionScopes: [String: String] {
        var out: [String: String] = [:]
        func surelyRejects(_ g: KattisGroup) -> Bool {
            !g.config.graderFlags.contains("always_accept") && !g.config.graderFlags.contains("accept_if_any_accepted")
        }
        // chain: the groups from the root down to here.
        func walk(_ g: KattisGroup, _ chain: [KattisGroup]) {
            let chain = chain + [g]
            for item in g.items {
                switch item {
                case .group(let sub): walk(sub, chain)
                case .test(let i):
                    guard g.config.onRejectBreak else {
                        out[tests[i].name] = "test:" + tests[i].name
                        continue
                    }
                    var top = chain.count - 1
                    while top > 0 && chain[top - 1].config.onRejectBreak && surelyRejects(chain[top]) { top -= 1 }
                    out[tests[i].name] = chain[top].path
                }
            }
        }
        walk(data, [])
        return out
    }

    /// Every group stops at its first rejection (on_reject: break), so a pass-fail problem
    /// may stop a submission at its first failed test.
    public var stopsAtFirstRejection: Bool {
        func all(_ g: KattisGroup) -> Bool {
            g.config.onRejectBreak && g.items.allSatisfy { if case .group(let s) = $0 { return all(s) } else { return true } }
        }
        return !scoring && all(data)
    }

    /// One problem result for the package, from the results of the suite's problems: tests
    /// in package order, verdict and score as the default grader says.
    public func merge(_ parts: [ProblemResult]) -> ProblemResult? {
        guard var merged = parts.first else { return nil }
        var byName: [String: TestResult] = [:]
        for p in parts { for t in p.tests { byName[t.name] = t } }
        merged.problem = shortName
        merged.tests = tests.compactMap { byName[$0.name] }
        merged.compileMessage = parts.compactMap(\.compileMessage).first
        let o = outcome(byName)
        merged.verdict = parts.contains { $0.verdict == .compileError } ? .compileError : o.verdict
        if scoring {
            merged.score = o.score
            merged.maxScore = fullScore ?? o.score
        } else {
            merged.score = o.verdict == .accepted ? 1 : 0
            merged.maxScore = 1
        }
        merged.groups = []
        return merged
    }
}
