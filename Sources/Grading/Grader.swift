import Foundation
import Logging
import Sandbox
import Synchronization
import SystemPackage

public struct GradingOptions: Sendable {
    /// Tests run at once (default: one per core).
    public var jobs: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Stop a submission at its first test that is not AC (the rest are SKIP).
    public var failFast = false
    /// With failFast: which tests stop together (a test name -> a scope); by default all of
    /// a submission's. Kattis packages stop a group at its first rejection (on_reject: break).
    public var failFastScope: @Sendable (String) -> String = { _ in "" }
    /// Bytes of stdout/stderr kept per test for reports.
    public var excerptBytes = 2048
    public var proctorVersion = "0.0.0"
    /// Builds shared between runs of one caller (`verify` grades a package up to three times:
    /// the time-limit probe, the limit, the safety margin): each submission and each
    /// validator or interactor is compiled once.
    public var builds: BuildMemo? = nil

    public init() {}
}

/// What each program came to when compiled (built, or a compile error), for the runs of one
/// caller. Failures that are not the program's own (a sandbox error, a missing toolchain)
/// are not kept: the next run tries again.
public final class BuildMemo: Sendable {
    private let submissions = Locked<[Submission: BuildOutcome]>([:])
    private let judges = Locked<[JudgeProgram: BuildOutcome]>([:])

    public init() {}

    func outcome(_ s: Submission) -> BuildOutcome? { submissions.withLock { $0[s] } }
    func outcome(_ j: JudgeProgram) -> BuildOutcome? { judges.withLock { $0[j] } }

    static func keeps(_ o: BuildOutcome) -> Bool {
        switch o {
        case .built: return true
        case .failed(let v, _): return v == .compileError
        }
    }

    func keep(_ o: BuildOutcome, for s: Submission) {
        if Self.keeps(o) { submissions.withLock { $0[s] = o } }
    }

    func keep(_ o: BuildOutcome, for j: JudgeProgram) {
        if Self.keeps(o) { judges.withLock { $0[j] = o } }
    }
}

/// One finished test, as it finishes (for a progress line).
public struct GradingProgress: Sendable {
    public var done: Int
    public var total: Int
    public var problem: String
    public var submission: String
    public var test: String
    public var verdict: Verdict
}

/// Grades submissions against suites: compiles each submission once, runs every test on
/// that build in pooled sandboxes, `jobs` at a time, and returns results in suite order.
public final class Grader: Sendable {
    let options: GradingOptions
    let languages: LanguageTable
    let logger: Logger

    public init(options: GradingOptions = .init(), languages: LanguageTable = .init(),
                logger: Logger = Logger(label: "proctor.grading")) {
        self.options = options
        self.languages = languages
        self.logger = logger
    }

    /// A submission for a file: its language from `language` or from the extension.
    public func submission(_ path: String, language: String?) throws -> Submission {
        var st = stat()
        guard stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            throw GradingError(.usage, "solution \(path): no such file")
        }
        // The first line tells a shebang's language (`.pl`: Perl or Prolog; `.py`: Python 2 or 3).
        let firstLine = language == nil ? (try? HostFile.read(FilePath(path), limit: 16 << 20)).map(Language.firstLine) : nil
        let lang = try languages.resolve(FilePath(path), id: language, firstLine: firstLine)
        return Submission(name: FilePath(path).lastComponent?.string ?? path, path: path, language: lang)
    }

    struct Item: Sendable {
        var submission: Int
        var problem: Int
        var test: Int
    }

    public func grade(suites: [Suite], submissions: [Submission],
                      progress: @escaping @Sendable (GradingProgress) -> Void = { _ in }) async throws -> RunResult {
        let started = Date()
        let clock = ContinuousClock.now
        let pools = PoolSet(capacity: options.jobs, logger: logger)
        let scratch = try Scratch()
        defer { scratch.remove() }
        let problems: [(suite: Suite, problem: Problem)] = suites.flatMap { s in s.problems.map { (s, $0) } }

        // Compile every submission, and every checker and interactor, once.
        let builder = Builder(pools: pools)
        var judgeSources: [JudgeProgram] = []
        for (_, p) in problems {
            for j in [p.interactor, { if case .checker(let c) = p.comparison { return c } else { return nil } }()].compactMap({ $0 })
            where !judgeSources.contains(j) { judgeSources.append(j) }
        }
        let languages = self.languages
        let memo = options.builds
        // One queue for every compile, the judges' first: every test needs its judge, and a
        // validator (templates, a large header) is often the slowest compile of all.
        enum Job: Sendable {
            case judge(JudgeProgram)
            case submission(Submission)
        }
        let judgePrograms = judgeSources
        let jobs = judgePrograms.map(Job.judge) + submissions.map(Job.submission)
        let compileStart = ContinuousClock.now
        let logger = self.logger
        @Sendable func compile(_ job: Job) async -> BuildOutcome {
            let started = ContinuousClock.now
            let outcome: BuildOutcome
            let what: String
            switch job {
            case .submission(let s):
                what = s.path
                if let known = memo?.outcome(s) { return known }
                if let source = s.source {
                    outcome = await builder.build(source: source, language: s.language)
                } else {
                    outcome = await builder.build(source: FilePath(s.path), language: s.language)
                }
                memo?.keep(outcome, for: s)
            case .judge(let j):
                what = "\(j.source)"
                if let known = memo?.outcome(j) { return known }
                do {
                    let language = j.language == Language.kattisScripts.id ? Language.kattisScripts : try languages.resolve(j.source.path, id: j.language)
                    outcome = await builder.build(source: j.source, language: language, files: j.files)
                } catch {
                    outcome = .failed(.judgeError, "\(error)")
                }
                memo?.keep(outcome, for: j)
            }
            logger.debug("compiled", metadata: ["program": "\(what)", "seconds": "\(Self.seconds(since: started))"])
            return outcome
        }
        let outcomes = jobs.map { _ in Promise<BuildOutcome>() }
        let judgeCount = judgePrograms.count

        // Test-major: the submissions' tests interleave, so tests running at once belong to
        // different submissions (a slow or failing one does not hold every job; with
        // --fail-fast fewer tests that are then skipped have already started). Each
        // submission's tests still start in suite order. The compiles come first in the same
        // queue of `jobs`: a test starts as soon as its own program and judge are built (it
        // waits for them if it is taken first), so tests that wait (an interactive one at its
        // wall-time limit) overlap the remaining compiles.
        var items: [Item] = []
        for (pi, p) in problems.enumerated() {
            for t in p.problem.tests.indices {
                for s in submissions.indices { items.append(Item(submission: s, problem: pi, test: t)) }
            }
        }
        enum Work: Sendable {
            case compile(Int)
            case test(Item)
        }
        let work = jobs.indices.map(Work.compile) + items.map(Work.test)
        let total = items.count
        let failed = Locked<Set<String>>([])
        let scope = options.failFastScope
        let runner = TestRunner(pools: pools, scratch: scratch, excerptBytes: options.excerptBytes)
        let failFast = options.failFast
        var results: [[[TestResult?]]] = submissions.map { _ in problems.map { Array(repeating: nil, count: $0.problem.tests.count) } }
        var done = 0
        await withTaskGroup(of: (Item, TestResult)?.self) { group in
            var next = 0
            func start() {
                let w = work[next]
                next += 1
                group.addTask {
                    switch w {
                    case .compile(let i):
                        outcomes[i].fulfill(await compile(jobs[i]))
                        return nil
                    case .test(let item):
                        let (_, problem) = problems[item.problem]
                        let test = problem.tests[item.test]
                        let built = await outcomes[judgeCount + item.submission].value()
                        guard case .built(let build) = built else {
                            // Its tests take the build's verdict below; reported as such.
                            if case .failed(let v, let m) = built { return (item, TestResult(name: test.name, group: test.group, verdict: v, message: m)) }
                            return nil
                        }
                        let key = "\(item.submission)/\(scope(test.name))"
                        if failFast && failed.withLock({ $0.contains(key) }) {
                            return (item, TestResult(name: test.name, group: test.group, verdict: .skipped,
                                                     message: "not run: an earlier test failed (--fail-fast)"))
                        }
                        var judges: [JudgeProgram: BuildOutcome] = [:]
                        for (j, program) in judgePrograms.enumerated() where problem.interactor == program || problem.comparison == .checker(program) {
                            judges[program] = await outcomes[j].value()
                        }
                        let started = ContinuousClock.now
                        let result = await runner.run(test, of: problem, build: build, judges: judges)
                        logger.debug("test", metadata: ["submission": "\(submissions[item.submission].path)", "test": "\(test.name)",
                                                        "verdict": "\(result.verdict.rawValue)", "cpu": "\(result.cpuTime)",
                                                        "wall": "\(result.wallTime)", "seconds": "\(Self.seconds(since: started))"])
                        if result.verdict != .accepted { failed.withLock { _ = $0.insert(key) } }
                        return (item, result)
                    }
                }
            }
            for _ in 0..<min(options.jobs, work.count) { start() }
            for await finished in group {
                if let (item, result) = finished {
                    results[item.submission][item.problem][item.test] = result
                    done += 1
                    progress(GradingProgress(done: done, total: total, problem: problems[item.problem].problem.id,
                                             submission: submissions[item.submission].name, test: result.name, verdict: result.verdict))
                }
                if next < work.count { start() }
            }
        }
        var builds: [BuildOutcome] = []
        for i in submissions.indices { builds.append(await outcomes[judgeCount + i].value()) }
        logger.debug("compiled and judged", metadata: ["programs": "\(jobs.count)", "tests": "\(total)",
                                                      "seconds": "\(Self.seconds(since: compileStart))"])
        await pools.shutdown()

        var out: [ProblemResult] = []
        for (si, s) in submissions.enumerated() {
            for (pi, (suite, p)) in problems.enumerated() {
                let limits = p.limits.resolved
                var r = ProblemResult(suite: suite.name, problem: p.id, title: p.title, submission: s.name, submissionPath: s.path,
                                      language: s.language.id, limits: limits, verdict: .accepted, score: 0,
                                      maxScore: p.maxScore, compileMessage: nil, tests: [], groups: [])
                if case .failed(let verdict, let message) = builds[si] {
                    r.compileMessage = message
                    r.tests = p.tests.map {
                        TestResult(name: $0.name, group: $0.group, verdict: verdict, message: verdict == .compileError
                                   ? "compile error" : message)
                    }
                } else {
                    r.tests = results[si][pi].map { $0! }
                }
                (r.verdict, r.score, r.groups) = ProblemResult.score(p, tests: r.tests)
                out.append(r)
            }
        }
        let elapsed = ContinuousClock.now - clock
        return RunResult(proctorVersion: options.proctorVersion, hostname: ProcessInfo.processInfo.hostName,
                         started: started, duration: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
                         results: out)
    }
}

extension Grader {
    static func seconds(since start: ContinuousClock.Instant) -> String {
        String(format: "%.3f", (ContinuousClock.now - start).seconds)
    }
}

/// `map` with at most `jobs` elements in flight; results in input order.
func concurrentMap<T: Sendable, R: Sendable>(_ items: [T], jobs: Int, _ body: @escaping @Sendable (T) async -> R) async -> [R] {
    var out = [R?](repeating: nil, count: items.count)
    await withTaskGroup(of: (Int, R).self) { group in
        var next = 0
        while next < min(jobs, items.count) {
            let i = next
            group.addTask { (i, await body(items[i])) }
            next += 1
        }
        for await (i, r) in group {
            out[i] = r
            if next < items.count {
                let j = next
                group.addTask { (j, await body(items[j])) }
                next += 1
            }
        }
    }
    return out.map { $0! }
}

/// A private host folder for outputs a checker reads; removed at the end of the run.
final class Scratch: Sendable {
    let path: String
    private let counter = Mutex(0)

    init() throws {
        var template = Array("/tmp/proctor-run-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw GradingError(.io, "mkdtemp: \(Errno(rawValue: errno))")
        }
        path = String(cString: made)
    }

    func newFile() -> String {
        let n = counter.withLock { c -> Int in
            c += 1
            return c
        }
        return path + "/output-\(n)"
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// A value shared between tasks, behind a lock.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) {
        mutex = Mutex(value)
    }

    func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R {
        mutex.withLock { body(&$0) }
    }
}
