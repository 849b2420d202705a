import Foundation
import Sandbox
import SystemPackage

/// Runs one test of one build: stdio (compared as it streams, or handed to a checker),
/// command, or interactive. Limits hit, crashes and judge failures all end in a verdict.
struct TestRunner: Sendable {
    let pools: PoolSet
    let scratch: Scratch
    let excerptBytes: Int

    /// Limits and sandbox of the checker and interactor (trusted, but sandboxed all the same).
    /// Checkers and interactors are trusted judge code: generous memory, a stack as large as
    /// their memory (a validator may recurse deep), and time scaled with the test's.
    static let judgeLimits = TestLimits(
        cpuTime: .seconds(30), wallTime: .seconds(60), memory: 2 << 30, output: 64 << 20, processes: 64)

    /// The judge's limits for a test: the problem's (a Kattis package's validation_*), else
    /// the defaults, at least 4 times the test's own time limits.
    static func judgeLimitsFor(_ problem: Problem, _ test: ResolvedLimits) -> ResolvedLimits {
        if let own = problem.judgeLimits { return judgeLimits.overridden(by: own).resolved }
        var l = judgeLimits.resolved
        l.cpuTime = max(l.cpuTime, test.cpuTime * 4)
        l.wallTime = max(l.wallTime, test.wallTime * 4)
        return l
    }

    func run(_ test: TestCase, of problem: Problem, build: Build, judges: [JudgeProgram: BuildOutcome]) async -> TestResult {
        do {
            switch problem.kind {
            case .stdio: return try await stdio(test, problem, build, judges)
            case .command: return try await command(test, problem, build)
            case .interactive: return try await interactive(test, problem, build, judges)
            case .unit: return (await unit(problem, build: build)).first!
            }
        } catch {
            return TestResult(name: test.name, group: test.group, verdict: .judgeError, message: "\(error)")
        }
    }

    // MARK: sandboxes

    func limits(_ test: TestCase, _ problem: Problem) -> ResolvedLimits {
        problem.limits.overridden(by: test.limits).resolved
    }

    func solutionPool(_ build: Build, _ l: ResolvedLimits, _ problem: Problem) async -> SandboxPool {
        let lang = build.language
        var c = lang.sandboxConfiguration(
            memory: l.memory + lang.memoryAllowance, processes: l.processes + lang.processAllowance)
        if problem.addressSpaceLimit && lang.addressSpaceLimit { c.limits.addressSpace = l.memory + lang.memoryAllowance }
        return await pools.pool(c)
    }

    func options(_ l: ResolvedLimits, _ language: Language) -> ExecOptions {
        var o = ExecOptions()
        o.cpuTime = l.cpuTime
        o.wallTime = l.wallTime
        o.memory = l.memory + language.memoryAllowance
        o.outputLimit = l.output
        o.captureLimit = excerptBytes
        o.streamOutput = true
        // Output waits for the comparator (at most 16 chunks of up to 64 KiB queued).
        o.streamBacklog = 16
        return o
    }

    func prepare(_ sandbox: Sandbox, _ build: Build, _ problem: Problem, _ test: TestCase) throws {
        try build.install(in: sandbox)
        // Read beneath the suite's folder, not copied by host path: a file swapped for a
        // symlink since loading is refused.
        for f in problem.files + test.files {
            let (bytes, mode) = try f.source.contents()
            try sandbox.fs.write(f.target, bytes, mode: mode)
        }
    }

    /// Runs `body` with the test's input as stdin. A file is opened beneath its suite's
    /// folder (a regular file only, so a FIFO cannot hang the run) and handed over as an
    /// open descriptor, closed when the run is over.
    private func withInput<T>(_ test: TestCase, _ body: (ExecOptions.Input) async throws -> T) async throws -> T {
        switch test.input {
        case .none: return try await body(.null)
        case .inline(let b): return try await body(.bytes(b))
        case .file(let p):
            let fd = try p.open()
            defer { try? fd.close() }
            return try await body(.inherit(fd))
        }
    }

    /// Runs a program, its stdout going to `sink` as it comes and its stderr drained.
    func execute(
        _ sandbox: Sandbox, _ argv: [String], _ options: ExecOptions,
        sink: (AsyncStream<[UInt8]>) async -> Difference?
    ) async throws -> (ExecResult, Difference?) {
        let execution = try await sandbox.exec(argv, options)
        async let drained: Void = { for await _ in execution.stderr {} }()
        let difference = await sink(execution.stdout)
        _ = await drained
        return (await execution.wait(), difference)
    }

    func result(_ test: TestCase, _ r: ExecResult, _ verdict: Verdict, message: String) -> TestResult {
        TestResult(
            name: test.name, group: test.group, verdict: verdict, score: verdict == .accepted ? 1 : 0,
            cpuTime: r.cpuTime, wallTime: r.wallTime, memoryPeak: r.memoryPeak, exitCode: r.exitCode, signal: r.signal,
            message: message, stdoutExcerpt: OutputText.sanitize(r.stdout, limit: excerptBytes),
            stderrExcerpt: OutputText.sanitize(r.stderr, limit: excerptBytes))
    }

    /// Why a run that a limit or a crash ended is not AC.
    static func reason(_ r: ExecResult) -> String {
        if let limit = r.limitReason { return limit }
        if let signal = r.signal { return "killed by signal \(signal)\(signalName(signal))" }
        return "exit code \(r.exitCode ?? -1)"
    }

    static func signalName(_ s: Int) -> String {
        let names = [6: "SIGABRT", 8: "SIGFPE", 9: "SIGKILL", 11: "SIGSEGV", 13: "SIGPIPE", 15: "SIGTERM", 31: "SIGSYS"]
        return names[s].map { " (\($0))" } ?? ""
    }

    // MARK: kinds

    private func stdio(
        _ test: TestCase, _ problem: Problem, _ build: Build,
        _ judges: [JudgeProgram: BuildOutcome]
    ) async throws -> TestResult {
        let l = limits(test, problem)
        let pool = await solutionPool(build, l, problem)
        let options = options(l, build.language)
        switch problem.comparison {
        case .builtin(let mode):
            let written = Locked(0)
            let (r, difference) = try await pool.withSandbox { sandbox in
                try prepare(sandbox, build, problem, test)
                let comparator = mode.comparator(expected: try (test.answer ?? .inline([])).reader())
                return try await withInput(test) { stdin in
                    var o = options
                    o.stdin = stdin
                    return try await execute(sandbox, build.language.run, o) { stream in
                        var n = 0
                        for await chunk in stream {
                            n += chunk.count
                            if !comparator.decided { comparator.feed(chunk) }
                        }
                        written.withLock { $0 = n }
                        return comparator.finish()
                    }
                }
            }
            if let v = Verdict.of(r) { return result(test, r, v, message: Self.reason(r)) }
            if let over = Self.outputOver(problem, written.withLock { $0 }) {
                return result(test, r, .outputLimit, message: over)
            }
            var out = result(test, r, difference == nil ? .accepted : .wrongAnswer, message: difference?.message ?? "")
            out.difference = difference
            return out
        case .checker(let program):
            if problem.passes > 1 { return try await multiPass(test, problem, build, judges, program: program) }
            let outputPath = scratch.newFile()
            defer { unlink(outputPath) }
            let r = try await runToFile(test, problem, build, pool: pool, options: options, outputPath: outputPath)
            if let v = Verdict.of(r) { return result(test, r, v, message: Self.reason(r)) }
            if let over = Self.outputOver(problem, Self.fileSize(outputPath)) {
                return result(test, r, .outputLimit, message: over)
            }
            guard case .built(let checker)? = judges[program] else {
                return result(test, r, .judgeError, message: "checker: \(Self.failure(judges[program]))")
            }
            let judged = try await judge(
                checker, program, test, stdin: .file(FilePath(outputPath)), what: "checker",
                maxScore: problem.maxTestScore, limits: Self.judgeLimitsFor(problem, l))
            var out = result(test, r, judged.verdict, message: judged.message)
            out.score = judged.score
            out.judgeMessage = judged.judgeMessage
            return out
        }
    }

    /// Runs the solution with its stdout written to a host file (for a checker).
    private func runToFile(
        _ test: TestCase, _ problem: Problem, _ build: Build, pool: SandboxPool, options: ExecOptions,
        outputPath: String
    ) async throws -> ExecResult {
        let (r, _) = try await pool.withSandbox { sandbox in
            try prepare(sandbox, build, problem, test)
            let file = try FileDescriptor.open(
                FilePath(outputPath), .writeOnly, options: [.create, .truncate, .closeOnExec],
                permissions: [.ownerReadWrite])
            defer { try? file.close() }
            return try await withInput(test) { stdin in
                var o = options
                o.stdin = stdin
                return try await execute(sandbox, build.language.run, o) { stream in
                    for await chunk in stream { _ = try? file.writeAll(chunk) }
                    return nil
                }
            }
        }
        return r
    }

    /// A multi-pass problem (Kattis): the validator accepts a pass and writes
    /// `feedback/nextpass.in`; the solution then runs again with that as its input (and the
    /// validator with it as `input`), the feedback folder kept, until a pass ends without
    /// nextpass.in or is not AC, at most `problem.passes` passes (then JE). A nextpass.in
    /// beside a verdict that is not AC is JE. The slowest pass's time counts.
    private func multiPass(
        _ test: TestCase, _ problem: Problem, _ build: Build, _ judges: [JudgeProgram: BuildOutcome],
        program: JudgeProgram
    ) async throws -> TestResult {
        guard case .built(let checker)? = judges[program] else {
            return TestResult(
                name: test.name, group: test.group, verdict: .judgeError,
                message: "\(problem.kind == .interactive ? "interactor" : "checker"): \(Self.failure(judges[program]))")
        }
        let l = limits(test, problem)
        let jl = Self.judgeLimitsFor(problem, l)
        return try await judgePool(checker, jl).withSandbox { judgeBox in
            try prepareJudge(judgeBox, checker, test)
            var passTest = test
            var slowest: (cpu: Double, wall: Double, memory: Int) = (0, 0, 0)
            func slowestOf(_ r: TestResult) -> TestResult {
                var r = r
                slowest = (max(slowest.cpu, r.cpuTime), max(slowest.wall, r.wallTime), max(slowest.memory, r.memoryPeak))
                (r.cpuTime, r.wallTime, r.memoryPeak) = slowest
                return r
            }
            for pass in 1...problem.passes {
                var out: TestResult
                if problem.kind == .interactive {
                    out = try await interactivePass(
                        passTest, problem, build, judgeBox: judgeBox, interactor: checker, program: program, l)
                } else {
                    let outputPath = scratch.newFile()
                    defer { unlink(outputPath) }
                    let options = options(l, build.language)
                    let pool = await solutionPool(build, l, problem)
                    let r = try await runToFile(passTest, problem, build, pool: pool, options: options, outputPath: outputPath)
                    if let v = Verdict.of(r) {
                        out = result(test, r, v, message: Self.reason(r))
                    } else if let over = Self.outputOver(problem, Self.fileSize(outputPath)) {
                        out = result(test, r, .outputLimit, message: over)
                    } else {
                        var o = judgeOptions(checker, jl)
                        o.stdin = .file(FilePath(outputPath))
                        let jr = try await judgeBox.run(
                            checker.language.run + ["judge/input", "judge/answer", "feedback/"] + program.arguments, o)
                        let judged = readJudgement(judgeBox, jr, what: "checker", maxScore: problem.maxTestScore)
                        out = result(test, r, judged.verdict, message: judged.message)
                        out.score = judged.score
                        out.judgeMessage = judged.judgeMessage
                    }
                }
                out = slowestOf(out)
                let next =
                    judgeBox.fs.exists("feedback/nextpass.in")
                    ? try judgeBox.fs.read("feedback/nextpass.in", limit: 1 << 30) : nil
                if out.verdict != .accepted {
                    // The validator's own WA (or JE) with a nextpass.in is a broken validator; a
                    // verdict the solution's run decided (TLE, RTE, ...) stands.
                    if next != nil && (out.verdict == .wrongAnswer || out.verdict == .judgeError) {
                        out.verdict = .judgeError
                        out.message =
                            "pass \(pass): the validator wrote nextpass.in but did not accept the pass (exit 42 expected)"
                    } else if pass > 1 {
                        out.message = "pass \(pass): " + out.message
                    }
                    return out
                }
                guard let next else {
                    if pass > 1 && out.message.isEmpty { out.message = "accepted after \(pass) passes" }
                    return out
                }
                try judgeBox.fs.remove("feedback/nextpass.in")
                try judgeBox.fs.write("judge/input", next)
                passTest.input = .inline(next)
            }
            var out = TestResult(
                name: test.name, group: test.group, verdict: .judgeError,
                message: "the validator gave no final verdict within \(problem.passes) passes (limits.validation_passes)")
            out = slowestOf(out)
            return out
        }
    }

    /// problemtools' rule: output over the limit, found after a run that ended in time.
    static func outputOver(_ problem: Problem, _ bytes: Int) -> String? {
        guard let limit = problem.outputLimitAfterRun, bytes > limit else { return nil }
        return
            "output limit exceeded (\(bytes) bytes written, the limit is \(limit); checked after the run, as problemtools does)"
    }

    static func fileSize(_ path: String) -> Int {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : 0
    }

    static func failure(_ outcome: BuildOutcome?) -> String {
        if case .failed(let v, let m)? = outcome { return "\(v == .compileError ? "does not compile" : "cannot be built"): \(m)" }
        return "not built"
    }

    private func command(_ test: TestCase, _ problem: Problem, _ build: Build) async throws -> TestResult {
        let l = limits(test, problem)
        let pool = await solutionPool(build, l, problem)
        let options = options(l, build.language)
        let (r, _) = try await pool.withSandbox { sandbox in
            try prepare(sandbox, build, problem, test)
            return try await withInput(test) { stdin in
                var o = options
                o.stdin = stdin
                return try await execute(sandbox, test.command ?? ["false"], o) { stream in
                    for await _ in stream {}
                    return nil
                }
            }
        }
        switch r.status {
        case .exited where r.exitCode == 0: return result(test, r, .accepted, message: "")
        case .exited:
            let tail = OutputText.sanitize(Array((r.stderr.isEmpty ? r.stdout : r.stderr).suffix(300)), limit: 300)
            return result(
                test, r, .wrongAnswer,
                message: "the test command failed (exit code \(r.exitCode ?? -1))"
                    + (tail.isEmpty ? "" : ": " + tail.trimmingCharacters(in: .whitespacesAndNewlines)))
        default: return result(test, r, Verdict.of(r) ?? .runtimeError, message: Self.reason(r))
        }
    }

    struct Judgement {
        var verdict: Verdict
        var score: Double
        var message: String
        var judgeMessage: String?
    }

    /// Files of the Kattis contract in a judge's sandbox.
    private func prepareJudge(_ sandbox: Sandbox, _ build: Build, _ test: TestCase) throws {
        try build.install(in: sandbox)
        try sandbox.fs.write("judge/input", try (test.input ?? .inline([])).bytes())
        try sandbox.fs.write("judge/answer", try (test.answer ?? .inline([])).bytes())
        try sandbox.fs.mkdir("feedback", parents: true)
    }

    private func judgePool(_ build: Build, _ l: ResolvedLimits) async -> SandboxPool {
        var c = build.language.sandboxConfiguration(
            memory: l.memory + build.language.memoryAllowance,
            processes: l.processes + build.language.processAllowance)
        c.limits.stack = l.memory + build.language.memoryAllowance
        return await pools.pool(c)
    }

    private func judgeOptions(_ build: Build, _ l: ResolvedLimits) -> ExecOptions {
        var o = options(l, build.language)
        o.streamOutput = false
        return o
    }

    /// `checker input answer feedback_dir [args] < output`: 42 AC, 43 WA, anything else JE.
    private func judge(
        _ build: Build, _ program: JudgeProgram, _ test: TestCase, stdin: ExecOptions.Input,
        what: String, maxScore: Double = 1, limits: ResolvedLimits
    ) async throws -> Judgement {
        try await judgePool(build, limits).withSandbox { sandbox in
            try prepareJudge(sandbox, build, test)
            var options = judgeOptions(build, limits)
            options.stdin = stdin
            let r = try await sandbox.run(
                build.language.run + ["judge/input", "judge/answer", "feedback/"] + program.arguments, options)
            return readJudgement(sandbox, r, what: what, maxScore: maxScore)
        }
    }

    private func readJudgement(_ sandbox: Sandbox, _ r: ExecResult, what: String, maxScore: Double) -> Judgement {
        let message = (try? sandbox.fs.read("feedback/judgemessage.txt", limit: 64 << 10))
            .map { OutputText.sanitize($0, limit: 4096).trimmingCharacters(in: .whitespacesAndNewlines) }
        let scoreText = (try? sandbox.fs.read("feedback/score.txt", limit: 1024)).map { String(decoding: $0, as: UTF8.self) }
        switch (r.status, r.exitCode) {
        case (.exited, 42?):
            var score = 1.0
            if let scoreText {
                guard let v = Double(scoreText.trimmingCharacters(in: .whitespacesAndNewlines)), v.isFinite, v >= 0, v <= maxScore
                else {
                    return Judgement(
                        verdict: .judgeError, score: 0,
                        message: "\(what) wrote a score.txt that is not a number in 0...\(maxScore)",
                        judgeMessage: message)
                }
                score = v
            }
            return Judgement(verdict: .accepted, score: score, message: message ?? "", judgeMessage: message)
        case (.exited, 43?):
            return Judgement(
                verdict: .wrongAnswer, score: 0, message: message.flatMap { $0.isEmpty ? nil : $0 } ?? "\(what): wrong answer",
                judgeMessage: message)
        default:
            let stderr = OutputText.sanitize(r.stderr, limit: 1024).trimmingCharacters(in: .whitespacesAndNewlines)
            return Judgement(
                verdict: .judgeError, score: 0,
                message: "\(what) failed: \(Self.reason(r)) (42 or 43 expected)" + (stderr.isEmpty ? "" : ": " + stderr),
                judgeMessage: message)
        }
    }

    /// The interactor's stdout feeds the solution's stdin and the other way round. Verdict as
    /// Kattis: the interactor's WA or crash when it ended first wins; then the solution's TLE
    /// (even if the interactor, left waiting, then failed: deterministic under load); then an
    /// interactor JE; then the solution's other limits and crashes; then the interactor's verdict.
    private func interactive(
        _ test: TestCase, _ problem: Problem, _ build: Build,
        _ judges: [JudgeProgram: BuildOutcome]
    ) async throws -> TestResult {
        guard let program = problem.interactor, case .built(let interactor)? = judges[program] else {
            return TestResult(
                name: test.name, group: test.group, verdict: .judgeError,
                message: "interactor: \(Self.failure(problem.interactor.flatMap { judges[$0] }))")
        }
        if problem.passes > 1 { return try await multiPass(test, problem, build, judges, program: program) }
        let l = limits(test, problem)
        return try await judgePool(interactor, Self.judgeLimitsFor(problem, l)).withSandbox { judgeBox in
            try prepareJudge(judgeBox, interactor, test)
            return try await interactivePass(
                test, problem, build, judgeBox: judgeBox, interactor: interactor, program: program, l)
        }
    }

    /// One interactive run, the interactor in `judgeBox` (its judge/ files and feedback/ ready).
    private func interactivePass(
        _ test: TestCase, _ problem: Problem, _ build: Build, judgeBox: Sandbox, interactor: Build,
        program: JudgeProgram, _ l: ResolvedLimits
    ) async throws -> TestResult {
        let solutionPool = await solutionPool(build, l, problem)
        return try await solutionPool.withSandbox { box in
            try prepare(box, build, problem, test)
            var solutionOptions = options(l, build.language)
            solutionOptions.stdin = .pipe
            var judgeOptions = judgeOptions(interactor, Self.judgeLimitsFor(problem, l))
            judgeOptions.stdin = .pipe
            judgeOptions.streamOutput = true
            // Strictly longer than the solution's, whose clock starts later: when both wait on
            // each other, the solution's limit always ends it first.
            judgeOptions.wallTime = max(judgeOptions.wallTime ?? .zero, l.wallTime * 2 + .seconds(10))
            // Who ended first, told by cause, never by clocks (end times, or when each end was
            // seen, race under load and even on a quiet machine): each learns of the other's
            // end only through the pumps, or (the solution) by the kill after the judge's WA.
            // The judge's end is marked before the pump closes the solution's stdin and before
            // that kill, so a solution that stops at that EOF, or is killed, always ends after
            // it; the solution ended first exactly when its output ended while the judge was
            // still running (the judge then learns of it through its stdin).
            let judgeRun = try await judgeBox.exec(
                interactor.language.run + ["judge/input", "judge/answer", "feedback/"] + program.arguments, judgeOptions)
            let solution = try await box.exec(build.language.run, solutionOptions)
            let order = Locked((judgeOutputEnded: false, solutionFirst: false))
            let judgeKilled = Locked(false)
            async let toSolution: Void = pump(judgeRun.stdout, into: solution.stdin) {
                order.withLock { $0.judgeOutputEnded = true }
            }
            async let toJudge: Void = pump(solution.stdout, into: judgeRun.stdin) {
                order.withLock { if !$0.judgeOutputEnded { $0.solutionFirst = true } }
            }
            async let drainA: Void = { for await _ in solution.stderr {} }()
            async let drainB: Void = { for await _ in judgeRun.stderr {} }()
            async let judgeEnd: ExecResult = {
                let r = await judgeRun.wait()
                // The judge has ended, so its output has: marked here too, before anything
                // below can end the solution. The pump may not have seen the end of the
                // judge's output yet, and the solution's end that the kill causes must not
                // pass for its ending first (it did under load: guess_linear read as RTE).
                order.withLock { $0.judgeOutputEnded = true }
                // A judge that gave up (WA) ends the solution too.
                if r.status == .exited && r.exitCode == 43 { solution.kill() }
                return r
            }()
            async let solutionEnd: ExecResult = {
                let r = await solution.wait()
                // Out of time: the verdict is TLE whatever the judge does next, so a judge
                // still waiting for it is given a moment to end on its own, then stopped.
                if r.status == .cpuTimeLimit || r.status == .wallTimeLimit {
                    await withTaskGroup(of: Void.self) { group in
                        group.addTask { _ = await judgeRun.wait() }
                        group.addTask {
                            try? await Task.sleep(for: .seconds(2))
                            if Task.isCancelled { return }
                            judgeKilled.withLock { $0 = true }
                            judgeRun.kill()
                        }
                        await group.next()
                        group.cancelAll()
                    }
                }
                return r
            }()
            let (jr, sr) = await (judgeEnd, solutionEnd)
            _ = await (toSolution, toJudge, drainA, drainB)
            let judgeFirst = !order.withLock { $0.solutionFirst }
            let judged = readJudgement(judgeBox, jr, what: "interactor", maxScore: problem.maxTestScore)
            // The judge failed on its own (not stopped by its wall limit or by us while it
            // waited for a solution that ran out of time).
            let judgeCrashed = judged.verdict == .judgeError && jr.status != .wallTimeLimit && !judgeKilled.withLock { $0 }
            let solutionVerdict = Verdict.of(sr)
            var out: TestResult
            if judgeFirst && (judged.verdict == .wrongAnswer || (judged.verdict == .judgeError && judgeCrashed)) {
                out = result(test, sr, judged.verdict, message: judged.message)
            } else if solutionVerdict == .timeLimit {
                out = result(test, sr, .timeLimit, message: Self.reason(sr))
            } else if judged.verdict == .judgeError {
                out = result(test, sr, judged.verdict, message: judged.message)
            } else if let v = solutionVerdict {
                out = result(test, sr, v, message: Self.reason(sr))
            } else {
                out = result(test, sr, judged.verdict, message: judged.message)
                out.score = judged.score
            }
            out.judgeMessage = judged.judgeMessage
            return out
        }
    }

    /// Copies one program's output into another's stdin; closes it at the end. `ended` is
    /// called, before the close, when the output ended (not when a write failed).
    private func pump(_ from: AsyncStream<[UInt8]>, into to: StdinWriter?, ended: @Sendable () -> Void = {}) async {
        var failed = false
        for await chunk in from {
            do { try await to?.write(chunk) } catch {
                failed = true
                break
            }
        }
        if !failed { ended() }
        to?.close()
        for await _ in from {}
    }
}
