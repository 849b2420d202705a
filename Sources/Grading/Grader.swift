import Foundation
import Logging
import Sandbox
import SystemPackage

/// Grades submissions against suites: compiles each submission once, runs every test on
/// that build in pooled sandboxes, `jobs` at a time, and returns results in suite order.
public final class Grader: Sendable {
    let options: GradingOptions
    let languages: LanguageTable
    let logger: Logger

    public init(
        options: GradingOptions = .init(), languages: LanguageTable = .init(),
        logger: Logger = Logger(label: "proctor.grading")
    ) {
        self.options = options
        self.languages = languages
        self.logger = logger
    }

    /// A submission for a file: its language from `language` or from the extension.
    /// A folder is a submission of several files (`Submission.folder`), read beneath it.
    public func submission(_ path: String, language: String?) throws -> Submission {
        var st = stat()
        if stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFDIR {
            return try Submission.folder(
                name: FilePath(path).lastComponent?.string ?? path, path: path, root: ConfinedRoot(FilePath(path)),
                folder: ".", languages: languages, language: language)
        }
        guard stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            throw GradingError(.usage, "solution \(path): no such file")
        }
        // The first line tells a shebang's language (`.pl`: Perl or Prolog; `.py`: Python 2 or 3).
        let firstLine = language == nil ? (try? HostFile.read(FilePath(path), limit: 16 << 20)).map(Language.firstLine) : nil
        let lang = try languages.resolve(FilePath(path), id: language, firstLine: firstLine)
        return Submission(name: FilePath(path).lastComponent?.string ?? path, path: path, language: lang)
    }

    /// One submission against one problem: `problem` counts every suite's problems in order.
    public struct GradedPair: Sendable, Hashable {
        public var submission: Int
        public var problem: Int
        public init(submission: Int, problem: Int) {
            self.submission = submission
            self.problem = problem
        }
    }

    /// A submission for a file, a folder, or a zip or tar archive (`SubmissionArchive`),
    /// unpacked into a new folder beneath `scratch` (which the caller removes when done) and
    /// judged as that folder; an archive holding one folder alone is that folder.
    public func submission(_ path: String, language: String?, unpackingInto scratch: String) async throws -> Submission {
        guard SubmissionArchive.isArchive(path) else { return try submission(path, language: language) }
        let bytes = try HostFile.read(FilePath(path), limit: SubmissionArchive.maxBytes)
        return try await SubmissionArchive.submission(
            bytes, named: path, scratch: scratch, languages: languages, language: language)
    }

    struct Item: Sendable {
        var submission: Int
        var problem: Int
        var test: Int
    }

    /// `only`: grade just these (submission, problem) pairs (a shard's, see `Shard`), problem
    /// numbers counting every suite's problems in order; nil grades them all. Only the
    /// programs the pairs need are compiled, and only their results are returned, in the
    /// same order as a run of every pair.
    /// `alsoCompile`: programs to compile into `options.builds` once every test of this run
    /// has started, for a later run (verify's next phase) to find built; without a memo they
    /// are ignored. They fill the slots a run's last tests leave idle.
    public func grade(
        suites: [Suite], submissions: [Submission], only pairs: Set<GradedPair>? = nil, alsoCompile: [Submission] = [],
        progress: @escaping @Sendable (GradingProgress) -> Void = { _ in }
    ) async throws -> RunResult {
        let started = Date()
        let clock = ContinuousClock.now
        let pools = PoolSet(capacity: options.jobs, logger: logger)
        let scratch = try Scratch()
        defer { scratch.remove() }
        let problems: [(suite: Suite, problem: Problem)] = suites.flatMap { s in s.problems.map { (s, $0) } }
        let chosen = { (s: Int, p: Int) in pairs?.contains(GradedPair(submission: s, problem: p)) ?? true }
        let needed = submissions.indices.filter { s in problems.indices.contains { chosen(s, $0) } }
        let graded = problems.indices.filter { p in submissions.indices.contains { chosen($0, p) } }
        let judgePrograms = Self.judgePrograms(of: graded.map { problems[$0].problem })
        // Each submission is compiled once per image its problems name (`variants`; just
        // the host's, nil, for a suite that names none), and runs in its build's image.
        var variants: [String?] = []
        for p in graded where !variants.contains(problems[p].problem.image) { variants.append(problems[p].problem.image) }
        if variants.isEmpty { variants = [nil] }
        let variantOf = problems.map { p in variants.firstIndex(of: p.problem.image) ?? 0 }
        // One queue for every compile, the judges' first: every test needs its judge, and a
        // validator (templates, a large header) is often the slowest compile of all.
        let later = options.builds == nil ? [] : alsoCompile.filter { !submissions.contains($0) }
        let jobs =
            judgePrograms.map(CompileJob.judge)
            + variants.flatMap { v in submissions.map { CompileJob.submission($0.inImage(v, store: options.images)) } }
            + later.map(CompileJob.submission)
        let run = Run(
            grader: self, problems: problems, submissions: submissions, judgePrograms: judgePrograms, jobs: jobs,
            laterJobs: later.count, variantOf: variantOf, builder: Builder(pools: pools),
            runner: TestRunner(pools: pools, scratch: scratch, excerptBytes: options.excerptBytes))
        let compileStart = ContinuousClock.now
        let items = Self.items(problems.map(\.problem), submissions: submissions.count).filter {
            chosen($0.submission, $0.problem)
        }
        let compiles =
            Array(judgePrograms.indices)
            + variants.indices.flatMap { v in
                needed.filter { s in graded.contains { variantOf[$0] == v && chosen(s, $0) } }.map {
                    run.job(ofSubmission: $0, variant: v)
                }
            }
        let (results, unitCPU) = await run.work(items, compiles: compiles, jobs: options.jobs, progress: progress)
        var builds: [[BuildOutcome?]] = Array(repeating: [], count: submissions.count)
        for s in needed {
            for p in problems.indices {
                builds[s].append(chosen(s, p) ? await run.build(ofSubmission: s, problem: p) : nil)
            }
        }
        logger.debug(
            "compiled and judged",
            metadata: [
                "programs": "\(jobs.count)", "tests": "\(items.count)",
                "seconds": "\(Self.seconds(since: compileStart))",
            ])
        await pools.shutdown()
        let out = Self.problemResults(
            problems, submissions: submissions, builds: builds, results: results, unitCPU: unitCPU, chosen: chosen)
        let elapsed = ContinuousClock.now - clock
        return RunResult(
            proctorVersion: options.proctorVersion, hostname: ProcessInfo.processInfo.hostName,
            started: started, duration: elapsed.seconds,
            results: out)
    }

    /// Every checker and interactor of the problems, once each, in the order met.
    static func judgePrograms(of problems: [Problem]) -> [JudgeProgram] {
        var judgeSources: [JudgeProgram] = []
        for p in problems {
            for j in [p.interactor, { if case .checker(let c) = p.comparison { return c } else { return nil } }()].compactMap({
                $0
            })
            where !judgeSources.contains(j) { judgeSources.append(j) }
        }
        return judgeSources
    }

    /// Test-major: the submissions' tests interleave, so tests running at once belong to
    /// different submissions (a slow or failing one does not hold every job; with
    /// --fail-fast fewer tests that are then skipped have already started). Each
    /// submission's tests still start in suite order.
    static func items(_ problems: [Problem], submissions: Int) -> [Item] {
        var items: [Item] = []
        for (pi, p) in problems.enumerated() {
            // A unit suite's framework runs once and reports all its tests.
            for t in p.kind == .unit ? [0] : Array(p.tests.indices) {
                for s in 0..<submissions { items.append(Item(submission: s, problem: pi, test: t)) }
            }
        }
        return items
    }

    /// Each submission's result on each problem: its tests' results, or its build's verdict
    /// on every test when it did not build (`builds`: by submission, then problem).
    static func problemResults(
        _ problems: [(suite: Suite, problem: Problem)], submissions: [Submission], builds: [[BuildOutcome?]],
        results: [[[TestResult?]]], unitCPU: [[Double?]] = [], chosen: (Int, Int) -> Bool
    ) -> [ProblemResult] {
        var out: [ProblemResult] = []
        for (si, s) in submissions.enumerated() {
            for (pi, (suite, p)) in problems.enumerated() where chosen(si, pi) {
                let limits = p.limits.resolved
                var r = ProblemResult(
                    suite: suite.name, problem: p.id, title: p.title, submission: s.name, submissionPath: s.path,
                    language: s.language.id, limits: limits, verdict: .accepted, score: 0,
                    maxScore: p.maxScore, compileMessage: nil, tests: [], groups: [])
                var built = builds[si][pi]!
                // A program its own Makefile built without the executable this problem runs:
                // a compile error of this problem, said once as the build's.
                if case .built(let b) = built, p.kind != .unit { built = b.program(named: p.executable) }
                if case .failed(let verdict, let message) = built {
                    r.compileMessage = message
                    r.tests = p.tests.map {
                        TestResult(
                            name: $0.name, group: $0.group, verdict: verdict,
                            message: verdict == .compileError
                                ? "compile error" : message)
                    }
                } else {
                    r.tests = results[si][pi].map { $0! }
                }
                if p.kind == .unit {
                    if case .failed(let verdict, let message) = builds[si][pi] {
                        r.tests = TestRunner.unitResults(p, failure: (verdict, message))
                    }
                    r.maxScore = r.tests.reduce(0) { $0 + ($1.weight ?? 1) }
                    r.frameworkCPUTime = unitCPU.isEmpty ? nil : unitCPU[si][pi]
                }
                (r.verdict, r.score, r.groups) = ProblemResult.score(p, tests: r.tests)
                out.append(r)
            }
        }
        return out
    }

    /// One program to compile: a judge (checker, interactor) or a submission.
    enum CompileJob: Sendable {
        case judge(JudgeProgram)
        case submission(Submission)
    }

    /// Compiles one program, or takes what the caller's `BuildMemo` kept of it.
    /// `stageOnly`: every problem is a unit suite's, so submissions are only put in place.
    func compile(_ job: CompileJob, with builder: Builder, stageOnly: Bool = false) async -> BuildOutcome {
        let memo = options.builds
        let started = ContinuousClock.now
        let outcome: BuildOutcome
        let what: String
        switch job {
        case .submission(let s) where stageOnly:
            // Unit suites compile the submission with their tests, in their build step.
            what = s.path
            let original = s.mainFile ?? FilePath(s.path).lastComponent?.string ?? ""
            outcome = await builder.stage(original: original, language: s.language, files: s.files) {
                if let source = s.source { return try source.read(limit: 16 << 20) }
                return try HostFile.read(FilePath(s.path), limit: 16 << 20)
            }
        case .submission(let s):
            what = s.path
            if let known = memo?.outcome(s) { return known }
            if let main = s.mainFile, let source = s.source {
                outcome = await builder.build(folderMain: main, source: source, language: s.language, files: s.files)
            } else if let source = s.source {
                outcome = await builder.build(source: source, language: s.language, files: s.files)
            } else {
                outcome = await builder.build(source: FilePath(s.path), language: s.language, files: s.files)
            }
            memo?.keep(outcome, for: s)
        case .judge(let j):
            what = "\(j.source)"
            if let known = memo?.outcome(j) { return known }
            do {
                let language =
                    j.language == Language.kattisScripts.id
                    ? Language.kattisScripts : try languages.resolve(j.source.path, id: j.language)
                outcome = await builder.build(source: j.source, language: language, files: j.files)
            } catch {
                outcome = .failed(.judgeError, "\(error)")
            }
            memo?.keep(outcome, for: j)
        }
        logger.debug("compiled", metadata: ["program": "\(what)", "seconds": "\(Self.seconds(since: started))"])
        return outcome
    }

    /// What the tasks of one `grade` share: the programs, their builds as they finish, and
    /// which fail-fast scopes have failed.
    struct Run: Sendable {
        let grader: Grader
        let problems: [(suite: Suite, problem: Problem)]
        let submissions: [Submission]
        let judgePrograms: [JudgeProgram]
        let jobs: [CompileJob]
        /// How many of `jobs`, at the end, compile only for a later run: they are queued
        /// after the tests.
        let laterJobs: Int
        /// Each problem's image among the submissions' builds (`job(ofSubmission:variant:)`).
        let variantOf: [Int]
        let builder: Builder
        let runner: TestRunner
        /// One per job: the judges' builds, then the submissions'.
        let outcomes: [Promise<BuildOutcome>]
        let failed = Locked<Set<String>>([])
        /// Every problem is of kind `unit`: submissions are staged, not compiled.
        var unitOnly: Bool { !problems.isEmpty && problems.allSatisfy { $0.problem.kind == .unit } }

        init(
            grader: Grader, problems: [(suite: Suite, problem: Problem)], submissions: [Submission],
            judgePrograms: [JudgeProgram],
            jobs: [CompileJob], laterJobs: Int = 0, variantOf: [Int] = [], builder: Builder, runner: TestRunner
        ) {
            self.grader = grader
            self.problems = problems
            self.submissions = submissions
            self.judgePrograms = judgePrograms
            self.jobs = jobs
            self.laterJobs = laterJobs
            self.variantOf = variantOf
            self.builder = builder
            self.runner = runner
            outcomes = jobs.map { _ in Promise<BuildOutcome>() }
        }

        /// The index in `jobs` of submission `s`'s build in image variant `v`: the judges,
        /// then the submissions once per variant.
        func job(ofSubmission s: Int, variant v: Int) -> Int {
            judgePrograms.count + v * submissions.count + s
        }

        /// Submission `s`'s build for problem `p` (in the problem's image).
        func build(ofSubmission s: Int, problem p: Int) async -> BuildOutcome {
            await outcomes[job(ofSubmission: s, variant: variantOf.isEmpty ? 0 : variantOf[p])].value()
        }

        enum Work: Sendable {
            case compile(Int)
            case test(Item)
        }

        /// One queue of `concurrency` slots for the compiles (`compiles`: indexes of `jobs`)
        /// and the tests. A free slot takes the first test (in `items`' order) whose programs
        /// are built, else the next compile, else the next later compile (`laterJobs`), else
        /// a test that then waits for its build. Ready tests first: a slot never sits waiting
        /// on a long compile (kotlinc's seconds) while tests whose programs are built queue
        /// behind it, and a slow test (a submission that spins for a second) starts as soon as
        /// it can. Returns each test's result by submission, problem and test.
        func work(
            _ items: [Item], compiles: [Int], jobs concurrency: Int, progress: @escaping @Sendable (GradingProgress) -> Void
        ) async
            -> (tests: [[[TestResult?]]], unitCPU: [[Double?]])
        {
            var queue = WorkQueue(run: self, items: items, compiles: compiles)
            let total = items.count
            var results: [[[TestResult?]]] = submissions.map { _ in
                problems.map { Array(repeating: nil, count: $0.problem.tests.count) }
            }
            // A unit problem's framework run: its CPU time (no one unit test has its own).
            var unitCPU: [[Double?]] = submissions.map { _ in problems.map { _ in nil } }
            var done = 0
            await withTaskGroup(of: (Item, [TestResult], Double?)?.self) { group in
                func start() {
                    guard let w = queue.next() else { return }
                    group.addTask {
                        switch w {
                        case .compile(let i):
                            outcomes[i].fulfill(await grader.compile(jobs[i], with: builder, stageOnly: unitOnly))
                            return nil
                        case .test(let item):
                            return await test(item)
                        }
                    }
                }
                for _ in 0..<concurrency { start() }
                for await finished in group {
                    if let (item, tests, cpu) = finished {
                        if problems[item.problem].problem.kind == .unit {
                            results[item.submission][item.problem] = tests.map(Optional.some)
                            unitCPU[item.submission][item.problem] = cpu
                        } else {
                            results[item.submission][item.problem][item.test] = tests[0]
                        }
                        done += 1
                        for result in tests {
                            progress(
                                GradingProgress(
                                    done: done, total: total, problem: problems[item.problem].problem.id,
                                    submission: submissions[item.submission].name, test: result.name, verdict: result.verdict))
                        }
                    }
                    start()
                }
            }
            return (results, unitCPU)
        }

        /// The builds a test waits for: its submission's (in its problem's image) and its
        /// problem's judges'.
        func dependencies(_ item: Item) -> [Int] {
            let problem = problems[item.problem].problem
            var deps = [job(ofSubmission: item.submission, variant: variantOf.isEmpty ? 0 : variantOf[item.problem])]
            for (j, program) in judgePrograms.enumerated()
            where problem.interactor == program || problem.comparison == .checker(program) {
                deps.append(j)
            }
            return deps
        }

        /// What `work` starts next (see there). Tests are kept by what they wait for (a
        /// submission's build for one problem and its judges), each in `items`' order, so a
        /// pick looks at each pending (submission, problem) once, not at every test.
        struct WorkQueue {
            let run: Run
            let items: [Item]
            var compiles: ArraySlice<Int>
            var later: ArraySlice<Int>
            /// By (submission, problem) (`key`): the indexes in `items` not yet started, in order.
            var pending: [Int: ArraySlice<Int>] = [:]
            var dependencies: [Int: [Int]] = [:]
            var ready: Set<Int> = []

            init(run: Run, items: [Item], compiles: [Int]) {
                self.run = run
                self.items = items
                self.compiles = compiles[...]
                // `laterJobs` (at the end of `jobs`) compile for a later run.
                later = ((run.jobs.count - run.laterJobs)..<run.jobs.count).map { $0 }[...]
                var byKey: [Int: [Int]] = [:]
                for (i, item) in items.enumerated() {
                    let key = item.submission * run.problems.count + item.problem
                    if byKey[key] == nil { dependencies[key] = run.dependencies(item) }
                    byKey[key, default: []].append(i)
                }
                pending = byKey.mapValues { $0[...] }
            }

            mutating func next() -> Work? {
                var first: (key: Int, index: Int)? = nil
                var firstReady: (key: Int, index: Int)? = nil
                for (key, queue) in pending {
                    guard let head = queue.first else { continue }
                    if first == nil || head < first!.index { first = (key, head) }
                    if !ready.contains(key) && dependencies[key]!.allSatisfy({ run.outcomes[$0].isFulfilled }) {
                        ready.insert(key)
                    }
                    if ready.contains(key) && (firstReady == nil || head < firstReady!.index) { firstReady = (key, head) }
                }
                if let pick = firstReady ?? (compiles.isEmpty && later.isEmpty ? first : nil) {
                    pending[pick.key]!.removeFirst()
                    if pending[pick.key]!.isEmpty { pending[pick.key] = nil }
                    return .test(items[pick.index])
                }
                if let c = compiles.popFirst() ?? later.popFirst() { return .compile(c) }
                return nil
            }
        }

        /// Runs one test once its submission and judges are built; its build's verdict when
        /// it did not build, SKIP when its fail-fast scope has failed.
        func test(_ item: Item) async -> (Item, [TestResult], Double?)? {
            let (_, problem) = problems[item.problem]
            if problem.kind == .unit {
                guard case .built(let build) = await build(ofSubmission: item.submission, problem: item.problem) else {
                    return nil
                }
                let run = await runner.unitRun(problem, build: build)
                return (item, run.tests, run.cpuTime)
            }
            guard let (item, result) = await single(item) else { return nil }
            return (item, [result], nil)
        }

        func single(_ item: Item) async -> (Item, TestResult)? {
            let (_, problem) = problems[item.problem]
            let test = problem.tests[item.test]
            var built = await build(ofSubmission: item.submission, problem: item.problem)
            // A program its own Makefile built: the executable this problem runs.
            if case .built(let b) = built { built = b.program(named: problem.executable) }
            guard case .built(let build) = built else {
                // Its tests take the build's verdict below; reported as such.
                if case .failed(let v, let m) = built {
                    return (item, TestResult(name: test.name, group: test.group, verdict: v, message: m))
                }
                return nil
            }
            let key = "\(item.submission)/\(grader.options.failFastScope(test.name))"
            if grader.options.failFast && failed.withLock({ $0.contains(key) }) {
                return (
                    item,
                    TestResult(
                        name: test.name, group: test.group, verdict: .skipped,
                        message: "not run: an earlier test failed (--fail-fast)")
                )
            }
            var judges: [JudgeProgram: BuildOutcome] = [:]
            for (j, program) in judgePrograms.enumerated()
            where problem.interactor == program || problem.comparison == .checker(program) {
                judges[program] = await outcomes[j].value()
            }
            let started = ContinuousClock.now
            let result = await runner.run(test, of: problem, build: build, judges: judges)
            grader.logger.debug(
                "test",
                metadata: [
                    "submission": "\(submissions[item.submission].path)", "test": "\(test.name)",
                    "verdict": "\(result.verdict.rawValue)", "cpu": "\(result.cpuTime)",
                    "wall": "\(result.wallTime)", "seconds": "\(Grader.seconds(since: started))",
                ])
            if result.verdict != .accepted { failed.withLock { _ = $0.insert(key) } }
            return (item, result)
        }
    }
}

extension Grader {
    /// The seconds since `start`, three decimals (for debug logs).
    public static func seconds(since start: ContinuousClock.Instant) -> String {
        String(format: "%.3f", (ContinuousClock.now - start).seconds)
    }
}
