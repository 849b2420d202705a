import Foundation
import Grading

extension ShardMerge {
    /// The merged `proctor run`: its JSON report, byte for byte as `JSONReport` writes one
    /// (the entries as the shards wrote them, not converted and back), and the run for the
    /// other reports (JUnit, Gradescope, HTML).
    public struct MergedRun: Sendable {
        public var json: [UInt8]
        public var run: RunResult
    }

    public static func run(_ parts: [Part]) throws -> MergedRun {
        try requireCommand(parts, "run")
        let documents = try parts.map { p in
            do {
                return try JSONReport.decode(p.bytes)
            } catch {
                throw ReportError("\(p.path): not a proctor.report/1 document (\(error))")
            }
        }
        let results = try place(parts, documents.map(\.results))
        let document = JSONReport.Document(
            proctorVersion: documents[0].proctorVersion, machine: documents[0].machine,
            startedAt: documents.map(\.startedAt).min()!, duration: documents.map(\.duration).max()!,
            summary: JSONReport.Summary(results), results: results)
        return MergedRun(json: try JSONReport.encode(document), run: try runResult(document))
    }

    /// A report's document as a run (limits to Durations and back lose nothing the other
    /// reports print: they print limits to the millisecond).
    static func runResult(_ d: JSONReport.Document) throws -> RunResult {
        func verdict(_ s: String) throws -> Verdict {
            guard let v = Verdict(rawValue: s) else { throw ReportError("unknown verdict '\(s)'") }
            return v
        }
        let results = try d.results.map { r in
            var p = ProblemResult(
                suite: r.suite, problem: r.problem, title: r.title, submission: r.submission, submissionPath: r.submissionPath,
                language: r.language,
                limits: ResolvedLimits(
                    cpuTime: .seconds(r.limits.cpuTime), wallTime: .seconds(r.limits.wallTime), memory: r.limits.memory,
                    output: r.limits.output, processes: r.limits.processes),
                verdict: try verdict(r.verdict), score: r.score, maxScore: r.maxScore, compileMessage: r.compileMessage,
                tests: try r.tests.map { t in
                    var test = TestResult(
                        name: t.name, group: t.group, verdict: try verdict(t.verdict), score: t.score, cpuTime: t.cpuTime,
                        wallTime: t.wallTime, memoryPeak: t.memory, exitCode: t.exitCode, signal: t.signal, message: t.message,
                        difference: t.difference, stdoutExcerpt: t.stdout, stderrExcerpt: t.stderr, judgeMessage: t.judgeMessage)
                    // A unit test's points, visibility and number: the Gradescope results of a
                    // merged run must score and hide each test as the unsharded run does.
                    test.weight = t.weight
                    test.number = t.number
                    if let v = t.visibility {
                        guard let visibility = Visibility(rawValue: v) else { throw ReportError("unknown visibility '\(v)'") }
                        test.visibility = visibility
                    }
                    return test
                },
                groups: try r.groups.map { g in
                    guard let a = Aggregation(rawValue: g.aggregation) else {
                        throw ReportError("unknown aggregation '\(g.aggregation)'")
                    }
                    return GroupResult(name: g.name, points: g.points, score: g.score, aggregation: a)
                })
            p.frameworkCPUTime = r.frameworkCpuTime
            return p
        }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return RunResult(
            proctorVersion: d.proctorVersion, hostname: d.machine.hostname,
            started: f.date(from: d.startedAt) ?? Date(timeIntervalSince1970: 0), duration: d.duration, results: results)
    }
}
