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
    static let judgeLimits = TestLimits(cpuTime: .seconds(30), wallTime: .seconds(60), memory: 1 << 30, output: 64 << 20, processes: 64)

    func run(_ test: TestCase, of problem: Problem, build: Build, judges: [JudgeProgram: BuildOutcome]) async -> TestResult {
        do {
            switch problem.kind {
            case .stdio: return try await stdio(test, problem, build, judges)
            case .command: return try await command(test, problem, build)
            case .interactive: return try await interactive(test, problem, build, judges)
            }
        } catch {
            return TestResult(name: test.name, group: test.group, verdict: .judgeError, message: "\(error)")
        }
    }

    // MARK: sandboxes

    private func limits(_ test: TestCase, _ problem: Problem) -> ResolvedLimits {
        problem.limits.overridden(by: test.limits).resolved
    }

    private func solutionPool(_ build: Build, _ l: ResolvedLimits) async -> SandboxPool {
        let lang = build.language
        return await pools.pool(lang.sandboxConfiguration(memory: l.memory + lang.memoryAllowance,
                                                          processes: l.processes + lang.processAllowance))
    }

    private func options(_ l: ResolvedLimits, _ language: Language) -> ExecOptions {
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

    private func prepare(_ sandbox: Sandbox, _ build: Build, _ problem: Problem, _ test: TestCase) throws {
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
    private func execute(_ sandbox: Sandbox, _ argv: [String], _ options: ExecOptions,
                         sink: (AsyncStream<[UInt8]>) async -> Difference?) async throws -> (ExecResult, Difference?) {
        let execution = try await sandbox.exec(argv, options)
        async let drained: Void = { for await _ in execution.stderr {} }()
        let difference = await sink(execution.stdout)
        _ = await drained
        return (await execution.wait(), difference)
    }

    private func result(_ test: TestCase, _ r: ExecResult, _ verdict: Verdict, message: String) -> TestResult {
        TestResult(name: test.name, group: test.group, verdict: verdict, score: verdict == .accepted ? 1 : 0,
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

    private func stdio(_ test: TestCase, _ problem: Problem, _ build: Build,
                       _ judges: [JudgeProgram: BuildOutcome]) async throws -> TestResult {
        let l = limits(test, problem)
        let pool = await solutionPool(build, l)
        let options = options(l, build.language)
        switch problem.comparison {
        case .builtin(let mode):
            let (r, difference) = try await pool.withSandbox { sandbox in
                try prepare(sandbox, build, problem, test)
                let comparator = mode.comparator(expected: try (test.answer ?? .inline([])).reader())
                return try await withInput(test) { stdin in
                    var o = options
                    o.stdin = stdin
                    return try await execute(sandbox, build.language.run, o) { await comparator.consume($0) }
                }
            }
            if let v = Verdict.of(r) { return result(test, r, v, message: Self.reason(r)) }
            var out = result(test, r, difference == nil ? .accepted : .wrongAnswer, message: difference?.message ?? "")
            out.difference = difference
            return out
        case .checker(let program):
            let outputPath = scratch.newFile()
            defer { unlink(outputPath) }
            let (r, _) = try await pool.withSandbox { sandbox in
                try prepare(sandbox, build, problem, test)
                let file = try FileDescriptor.open(FilePath(outputPath), .writeOnly, options: [.create, .truncate, .closeOnExec],
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
            if let v = Verdict.of(r) { return result(test, r, v, message: Self.reason(r)) }
            guard case .built(let checker)? = judges[program] else {
                return result(test, r, .judgeError, message: "checker: \(Self.failure(judges[program]))")
            }
            let judged = try await judge(checker, program, test, stdin: .file(FilePath(outputPath)), what: "checker",
                                     maxScore: problem.maxTestScore)
            var out = result(test, r, judged.verdict, message: judged.message)
            out.score = judged.score
            out.judgeMessage = judged.judgeMessage
            return out
        }
    }

    static func failure(_ outcome: BuildOutcome?) -> String {
        if case .failed(let v, let m)? = outcome { return "\(v == .compileError ? "does not compile" : "cannot be built"): \(m)" }
        return "not built"
    }

    private func command(_ test: TestCase, _ problem: Problem, _ build: Build) async throws -> TestResult {
        let l = limits(test, problem)
        let pool = await solutionPool(build, l)
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
            return result(test, r, .wrongAnswer, message: "the test command failed (exit code \(r.exitCode ?? -1))"
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

    private func judgePool(_ build: Build) async -> SandboxPool {
        let l = Self.judgeLimits.resolved
        return await pools.pool(build.language.sandboxConfiguration(memory: l.memory + build.language.memoryAllowance,
                                                                    processes: l.processes + build.language.processAllowance))
    }

    private func judgeOptions(_ build: Build) -> ExecOptions {
        var o = options(Self.judgeLimits.resolved, build.language)
        o.streamOutput = false
        return o
    }

    /// `checker input answer feedback_dir [args] < output`: 42 AC, 43 WA, anything else JE.
    private func judge(_ build: Build, _ program: JudgeProgram, _ test: TestCase, stdin: ExecOptions.Input,
                       what: String, maxScore: Double = 1) async throws -> Judgement {
        try await judgePool(build).withSandbox { sandbox in
            try prepareJudge(sandbox, build, test)
            var options = judgeOptions(build)
            options.stdin = stdin
            let r = try await sandbox.run(build.language.run + ["judge/input", "judge/answer", "feedback/"] + program.arguments, options)
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
                guard let v = Double(scoreText.trimmingCharacters(in: .whitespacesAndNewlines)), v.isFinite, v >= 0, v <= maxScore else {
                    return Judgement(verdict: .judgeError, score: 0, message: "\(what) wrote a score.txt that is not a number in 0...\(maxScore)",
                                     judgeMessage: message)
                }
                score = v
            }
            return Judgement(verdict: .accepted, score: score, message: message ?? "", judgeMessage: message)
        case (.exited, 43?):
            return Judgement(verdict: .wrongAnswer, score: 0, message: message.flatMap { $0.isEmpty ? nil : $0 } ?? "\(what): wrong answer",
                             judgeMessage: message)
        default:
            let stderr = OutputText.sanitize(r.stderr, limit: 1024).trimmingCharacters(in: .whitespacesAndNewlines)
            return Judgement(verdict: .judgeError, score: 0,
                             message: "\(what) failed: \(Self.reason(r)) (42 or 43 expected)" + (stderr.isEmpty ? "" : ": " + stderr),
                             judgeMessage: message)
        }
    }

    /// The interactor's stdout feeds the solution's stdin and the other way round. Verdict as
    /// Kattis: interactor JE, or its WA when it ended first, wins; then the solution's limits
    /// and crashes; then the interactor's verdict.
    private func interactive(_ test: TestCase, _ problem: Problem, _ build: Build,
                             _ judges: [JudgeProgram: BuildOutcome]) async throws -> TestResult {
        guard let program = problem.interactor, case .built(let interactor)? = judges[program] else {
            return TestResult(name: test.name, group: test.group, verdict: .judgeError,
                              message: "interactor: \(Self.failure(problem.interactor.flatMap { judges[$0] }))")
        }
        let l = limits(test, problem)
        let solutionPool = await solutionPool(build, l)
        let judgePool = await judgePool(interactor)
        return try await judgePool.withSandbox { judgeBox in
            try prepareJudge(judgeBox, interactor, test)
            return try await solutionPool.withSandbox { box in
                try prepare(box, build, problem, test)
                var solutionOptions = options(l, build.language)
                solutionOptions.stdin = .pipe
                var judgeOptions = judgeOptions(interactor)
                judgeOptions.stdin = .pipe
                judgeOptions.streamOutput = true
                judgeOptions.wallTime = l.wallTime + .seconds(5)
                // Who ended first: the judge can learn that the solution ended only through
                // its stdin, which the pump closes once the solution's output has ended. So
                // the solution ended first exactly when its output had ended by the time the
                // judge's run ended (measured end times raced under load).
                let judgeRun = try await judgeBox.exec(
                    interactor.language.run + ["judge/input", "judge/answer", "feedback/"] + program.arguments, judgeOptions)
                let solution = try await box.exec(build.language.run, solutionOptions)
                let solutionOutputEnded = Locked(false)
                async let toSolution: Void = pump(judgeRun.stdout, into: solution.stdin)
                async let toJudge: Void = pump(solution.stdout, into: judgeRun.stdin) { solutionOutputEnded.withLock { $0 = true } }
                async let drainA: Void = { for await _ in solution.stderr {} }()
                async let drainB: Void = { for await _ in judgeRun.stderr {} }()
                async let judgeEnd: (ExecResult, Bool) = {
                    let r = await judgeRun.wait()
                    let solutionFirst = solutionOutputEnded.withLock { $0 }
                    // A judge that gave up (WA) ends the solution too.
                    if r.status == .exited && r.exitCode == 43 { solution.kill() }
                    return (r, solutionFirst)
                }()
                let ((jr, solutionFirst), sr) = await (judgeEnd, solution.wait())
                _ = await (toSolution, toJudge, drainA, drainB)
                let judgeFirst = !solutionFirst
                let judged = readJudgement(judgeBox, jr, what: "interactor", maxScore: problem.maxTestScore)
                var out: TestResult
                if judged.verdict == .judgeError || (judged.verdict == .wrongAnswer && judgeFirst) {
                    out = result(test, sr, judged.verdict, message: judged.message)
                } else if let v = Verdict.of(sr) {
                    out = result(test, sr, v, message: Self.reason(sr))
                } else {
                    out = result(test, sr, judged.verdict, message: judged.message)
                    out.score = judged.score
                }
                out.judgeMessage = judged.judgeMessage
                return out
            }
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
