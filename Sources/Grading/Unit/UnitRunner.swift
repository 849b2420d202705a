import Foundation
import Sandbox
import SystemPackage

/// Kind `unit`: the framework runs once in one sandbox (the submission's files, the suite's
/// files and tests beside them), under the problem's limits for the whole run, and its report
/// becomes one result per unit test.
///
/// What Proctor guarantees (docs/threat-model.md, "Unit tests"): the report is read only from
/// a folder made for this run in the sandbox's /tmp under a random name (`{dir}`), never
/// from the workdir or the framework's default places, so a results file the submission
/// ships or writes elsewhere is never read; JSON lines must carry a token that only the
/// framework's process had (read from `{dir}/token`, deleted before student code loads); a
/// test with no result in the report fails (never passes), with the run's verdict when a
/// limit or a crash ended the run; when the suite lists its tests, only those are scored.
/// Code running inside the framework's own process can still forge what that process writes.
extension TestRunner {
    static let unitReportLimit = 16 << 20

    func unit(_ problem: Problem, build: Build) async -> [TestResult] {
        await unitRun(problem, build: build).tests
    }

    /// The unit tests' results, and the CPU time of the framework's run that gave them (nil
    /// when it did not run): no one unit test has a CPU time of its own.
    func unitRun(_ problem: Problem, build: Build) async -> (tests: [TestResult], cpuTime: Double?) {
        let frameworkCPU = Locked<Double?>(nil)
        let tests = await unitTests(problem, build: build) { cpu in frameworkCPU.withLock { $0 = cpu } }
        return (tests, frameworkCPU.withLock { $0 })
    }

    private func unitTests(_ problem: Problem, build: Build, ran: @escaping @Sendable (Double) -> Void) async -> [TestResult] {
        guard let setup = problem.unit else {
            return Self.unitResults(problem, failure: (.judgeError, "kind unit needs 'unit'"))
        }
        let missing = setup.requires.filter { !FileManager.default.fileExists(atPath: $0) }
        if !missing.isEmpty {
            return Self.unitResults(
                problem,
                failure: (
                    .judgeError,
                    "the \(setup.framework) toolchain is not installed on this machine (missing \(missing.joined(separator: ", ")))"
                ))
        }
        let l = problem.limits.resolved
        let dir = "/tmp/.proctor-unit-" + Self.randomHex(16)
        let token = Self.randomHex(32)
        do {
            let pool = await solutionPool(build, l, problem)
            return try await pool.withSandbox { sandbox in
                try prepare(sandbox, build, problem, TestCase(name: problem.id, limits: TestLimits(), files: []))
                try sandbox.fs.mkdir(dir, parents: true, mode: 0o700)
                try sandbox.fs.write(dir + "/token", token, mode: 0o600)
                if setup.framework == "pytest" {
                    try sandbox.fs.write(dir + "/proctor_pytest_main.py", PytestPlugin.main)
                    try sandbox.fs.write(dir + "/pytest.ini", "[pytest]\n")
                }
                func expand(_ argv: [String]) -> [String] {
                    argv.map {
                        $0.replacingOccurrences(of: "{report}", with: dir + "/" + setup.reportFile)
                            .replacingOccurrences(of: "{dir}", with: dir)
                    }
                }
                var o = options(l, build.language)
                if let step = setup.build {
                    var b = o
                    b.cpuTime = max(l.cpuTime, build.language.compileTime)
                    b.wallTime = max(l.wallTime, build.language.compileTime * 2)
                    let (r, _) = try await execute(sandbox, expand(step), b) { stream in
                        for await _ in stream {}
                        return nil
                    }
                    if Verdict.of(r) != nil {
                        let log = OutputText.sanitize(Array((r.stderr + r.stdout).prefix(8192)), limit: 8192)
                        let failure: (Verdict, String) =
                            r.status == .sandboxError
                            ? (.judgeError, Self.reason(r)) : (.compileError, "the build failed (\(Self.reason(r))): \(log)")
                        return Self.unitResults(problem, failure: failure)
                    }
                }
                o.stdin = .null
                let (r, _) = try await execute(sandbox, expand(setup.command), o) { stream in
                    for await _ in stream {}
                    return nil
                }
                ran(r.cpuTime)
                var report = UnitReport()
                var readProblem: String?
                do {
                    let path = dir + "/" + setup.reportFile
                    if sandbox.fs.exists(path) {
                        let bytes = try sandbox.fs.read(path, limit: Self.unitReportLimit)
                        switch setup.report {
                        case .json: report = UnitReport.readJSONLines(bytes, token: token)
                        case .junit: report = try UnitReport.readJUnit(bytes)
                        case .tap: report = UnitReport.readTAP(bytes)
                        }
                    } else {
                        readProblem = "the framework wrote no report"
                    }
                } catch {
                    readProblem = "the framework's report could not be read: \(error)"
                }
                return Self.merge(problem, setup, report, run: r, readProblem: readProblem, excerptBytes: excerptBytes)
            }
        } catch {
            return Self.unitResults(problem, failure: (.judgeError, "\(error)"))
        }
    }

    /// The report's tests as results, in the suite's order when it lists them (then the others,
    /// when they count). A listed test the report lacks fails: with the run's verdict when a
    /// limit or a crash ended the run, else RTE ("no result").
    static func merge(
        _ problem: Problem, _ setup: UnitSetup, _ report: UnitReport, run r: ExecResult, readProblem: String?,
        excerptBytes: Int
    ) -> [TestResult] {
        let runVerdict = Verdict.of(r)
        let stderrTail = OutputText.sanitize(Array(r.stderr.suffix(1500)), limit: 1500)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        var why: [String] = []
        if let v = runVerdict { why.append("the run ended: \(reason(r))" + (v == .runtimeError ? "" : " (\(v.meaning))")) }
        if let readProblem { why.append(readProblem) }
        why += report.notes
        if report.ignoredLines > 0 { why.append("\(report.ignoredLines) report lines without this run's token were ignored") }
        let context = why.isEmpty ? "" : " (" + why.joined(separator: "; ") + ")"

        func result(_ c: UnitCase, listed: TestCase?) -> TestResult {
            let verdict: Verdict
            switch c.status {
            case .passed: verdict = .accepted
            case .failed: verdict = .wrongAnswer
            case .error: verdict = .runtimeError
            case .skipped: verdict = .skipped
            }
            var t = TestResult(
                name: listed?.name ?? c.name, group: listed?.group, verdict: verdict, score: verdict == .accepted ? 1 : 0,
                wallTime: c.time, message: c.message)
            // A listed test's weight is the suite's (so the most points are known before the
            // run); the report's (markers, decorators) count for the tests the suite does not list.
            if let listed {
                t.weight = listed.weight ?? setup.defaultWeight
                t.visibility = listed.visibility ?? setup.defaultVisibility
                t.number = listed.number
            } else {
                t.weight = c.weight ?? setup.defaultWeight
                t.visibility = c.visibility ?? setup.defaultVisibility
                t.number = c.number
            }
            return t
        }
        func missing(_ listed: TestCase) -> TestResult {
            let unfinished = report.unfinished == listed.name
            var t = TestResult(
                name: listed.name, group: listed.group, verdict: runVerdict ?? .runtimeError,
                wallTime: unfinished ? r.wallTime : 0,
                message: (unfinished ? "did not finish" : "no result in the framework's report") + context,
                stderrExcerpt: OutputText.sanitize(Array(r.stderr.suffix(excerptBytes)), limit: excerptBytes))
            t.weight = listed.weight ?? setup.defaultWeight
            t.visibility = listed.visibility ?? setup.defaultVisibility
            t.number = listed.number
            return t
        }

        var cases = report.cases
        var out: [TestResult] = []
        for listed in problem.tests {
            if let i = cases.firstIndex(where: { Self.matches($0, listed.name) }) {
                out.append(result(cases.remove(at: i), listed: listed))
            } else {
                out.append(missing(listed))
            }
        }
        if problem.tests.isEmpty || setup.countUnlisted {
            out += cases.map { result($0, listed: nil) }
            // The test that was running when the run ended, known from its start line.
            if let name = report.unfinished, !out.contains(where: { $0.name == name }) {
                out.append(missing(TestCase(name: name, limits: TestLimits(), files: [])))
            }
        }
        if out.isEmpty {
            let verdict = runVerdict ?? .runtimeError
            var t = TestResult(
                name: problem.id, group: nil, verdict: verdict, cpuTime: r.cpuTime, wallTime: r.wallTime,
                memoryPeak: r.memoryPeak, exitCode: r.exitCode, signal: r.signal,
                message: "the framework reported no test" + context,
                stdoutExcerpt: OutputText.sanitize(r.stdout, limit: excerptBytes),
                stderrExcerpt: OutputText.sanitize(r.stderr, limit: excerptBytes))
            t.weight = setup.defaultWeight
            out.append(t)
        } else if report.ignoredLines > 0 {
            // Someone wrote into the report without the token: say so where it failed.
            for i in out.indices where out[i].verdict != .accepted && !out[i].message.contains("token") {
                out[i].message += " [\(report.ignoredLines) report lines without this run's token were ignored]"
            }
        }
        if out.count > 0, !stderrTail.isEmpty, out.allSatisfy({ $0.verdict != .accepted }) {
            // Nothing passed: the framework's own complaint is the likeliest explanation.
            for i in out.indices where out[i].stderrExcerpt.isEmpty { out[i].stderrExcerpt = stderrTail }
        }
        return out
    }

    /// A listed name matches a report's test by its name, or by class and name (`Class.name`,
    /// `file::name`), so suites can name JUnit tests either way.
    static func matches(_ c: UnitCase, _ name: String) -> Bool {
        if c.name == name { return true }
        guard let cls = c.classname, !cls.isEmpty else { return false }
        return cls + "." + c.name == name || cls + "::" + c.name == name
    }

    /// Every listed test (or one result for the problem) with one verdict: a build that
    /// failed, a missing toolchain.
    static func unitResults(_ problem: Problem, failure: (Verdict, String)) -> [TestResult] {
        let listed = problem.tests.isEmpty ? [TestCase(name: problem.id, limits: TestLimits(), files: [])] : problem.tests
        return listed.map {
            var t = TestResult(name: $0.name, group: $0.group, verdict: failure.0, message: failure.1)
            t.weight = $0.weight ?? problem.unit?.defaultWeight ?? 1
            t.visibility = $0.visibility ?? problem.unit?.defaultVisibility
            t.number = $0.number
            return t
        }
    }

    static func randomHex(_ bytes: Int) -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &g)) }.joined()
    }
}
