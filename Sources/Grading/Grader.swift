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

    public init() {}
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
        let lang = try languages.resolve(FilePath(path), id: language)
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
        let builds = await concurrentMap(submissions, jobs: options.jobs) { s in
            if let source = s.source { return await builder.build(source: source, language: s.language) }
            return await builder.build(source: FilePath(s.path), language: s.language)
        }
        let judgeBuilds = await concurrentMap(judgeSources, jobs: options.jobs) { j -> BuildOutcome in
            do {
                let language = j.language == Language.kattisScripts.id ? Language.kattisScripts : try languages.resolve(j.source.path, id: j.language)
                return await builder.build(source: j.source, language: language, files: j.files)
            } catch {
                return .failed(.judgeError, "\(error)")
            }
        }
        let judges = Dictionary(uniqueKeysWithValues: zip(judgeSources, judgeBuilds))

        // Test-major: the submissions' tests interleave, so tests running at once belong to
        // different submissions (a slow or failing one does not hold every job; with
        // --fail-fast fewer tests that are then skipped have already started). Each
        // submission's tests still start in suite order.
        var items: [Item] = []
        for (pi, p) in problems.enumerated() {
            for t in p.problem.tests.indices {
                for s in submissions.indices {
                    guard case .built = builds[s] else { continue }
                    items.append(Item(submission: s, problem: pi, test: t))
                }
            }
        }
        let total = items.count
        let failed = Locked<Set<String>>([])
        let scope = options.failFastScope
        let runner = TestRunner(pools: pools, scratch: scratch, excerptBytes: options.excerptBytes)
        let failFast = options.failFast
        var results: [[[TestResult?]]] = submissions.map { _ in problems.map { Array(repeating: nil, count: $0.problem.tests.count) } }
        var done = 0
        await withTaskGroup(of: (Item, TestResult).self) { group in
            var next = 0
            func start() {
                let item = items[next]
                next += 1
                group.addTask {
                    let (_, problem) = problems[item.problem]
                    let test = problem.tests[item.test]
                    let key = "\(item.submission)/\(scope(test.name))"
                    if failFast && failed.withLock({ $0.contains(key) }) {
                        return (item, TestResult(name: test.name, group: test.group, verdict: .skipped,
                                                 message: "not run: an earlier test failed (--fail-fast)"))
                    }
                    guard case .built(let build) = builds[item.submission] else { fatalError("unbuilt submission") }
                    let result = await runner.run(test, of: problem, build: build, judges: judges)
                    if result.verdict != .accepted { failed.withLock { _ = $0.insert(key) } }
                    return (item, result)
                }
            }
            for _ in 0..<min(options.jobs, items.count) { start() }
            for await (item, result) in group {
                results[item.submission][item.problem][item.test] = result
                done += 1
                progress(GradingProgress(done: done, total: total, problem: problems[item.problem].problem.id,
                                         submission: submissions[item.submission].name, test: result.name, verdict: result.verdict))
                if next < items.count { start() }
            }
        }
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
