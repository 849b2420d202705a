import Foundation
import Sandbox
import SystemPackage
import Testing
@testable import Grading
@testable import Reports

/// Whether sandboxes can be made here; tests that need them are skipped, loudly, where not.
enum SandboxSupport {
    static let reason: Comment = "needs root with cgroups and namespaces (sandboxes); skipped"

    static func available() async -> Bool {
        guard getuid() == 0 else {
            print("⚠️  FormatsTests: not root: the tests that run sandboxes are SKIPPED")
            return false
        }
        do {
            let s = try await Sandbox.create()
            await s.terminate()
            return true
        } catch {
            print("⚠️  FormatsTests: cannot make a sandbox (\(error)): the tests that run sandboxes are SKIPPED")
            return false
        }
    }
}

enum Repo {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static func suite(_ name: String) -> String { root + "/Suites/" + name }
    static func fixture(_ path: String) -> String { root + "/Fixtures/" + path }
}

@Suite("Kattis packages: reading")
struct KattisLoadingTests {
    @Test func legacyPackageWithComputedTimeLimit() throws {
        let p = try KattisPackage.load(Repo.suite("kattis-hello"))
        #expect(p.shortName == "kattis-hello")
        #expect(p.title == "Hello, A plus B")
        #expect(p.tests.map(\.name) == ["sample/1", "secret/01-zero", "secret/02-big", "secret/03-spaces"])
        #expect(p.fixedTimeLimit == nil)
        #expect(p.timeMultiplier == 5 && p.safetyMargin == 2)
        #expect(p.memory == 256 << 20)
        #expect(!p.scoring && !p.interactive && p.validator == nil)
        #expect(p.stopsAtFirstRejection)
        let suite = try p.suite(timeLimit: 2)
        #expect(suite.problems.count == 1)
        #expect(suite.problems[0].limits.cpuTime == .seconds(2))
        #expect(suite.problems[0].comparison == .builtin(.tokens(TokenFlags())))
    }

    @Test func scoringPackageReadsGroupsAndTimelimitFile() throws {
        let p = try KattisPackage.load(Repo.suite("kattis-scoring"))
        #expect(p.scoring)
        #expect(p.fixedTimeLimit == 1)
        #expect(!p.stopsAtFirstRejection)
        #expect(p.fullScore == 100)
        guard case .group(let secret) = p.data.items[1] else { Issue.record("no secret group"); return }
        #expect(secret.path == "data/secret")
        #expect(secret.config.graderFlags == ["accept_if_any_accepted", "sum"])
        guard case .group(let g1) = secret.items[0] else { Issue.record("no group1"); return }
        #expect(g1.config.acceptScore == 30 && g1.config.onRejectBreak && g1.config.graderFlags == ["min"])
        #expect(try p.suite().problems[0].maxTestScore == .infinity)
    }

    @Test func draftInteractivePackage() throws {
        let p = try KattisPackage.load(Repo.suite("kattis-guess"))
        #expect(p.interactive)
        #expect(p.fixedTimeLimit == 1)
        #expect(p.timeMultiplier == 2 && p.safetyMargin == 1.5)
        #expect(p.validator?.source.lastComponent?.string == "interactor.py")
        let problem = try p.suite().problems[0]
        #expect(problem.kind == .interactive)
        #expect(problem.interactor != nil)
    }

    @Test func validatorFolderWithHeader() throws {
        let p = try KattisPackage.load(Repo.fixture("kattis/custom-cpp"))
        let v = try #require(p.validator)
        #expect(v.source.lastComponent?.string == "validator.cpp")
        #expect(v.files.map(\.target) == ["validate.h"])
        guard case .checker = try p.suite().problems[0].comparison else { Issue.record("not a checker"); return }
    }

    @Test func groupValidatorFlagsSplitTheProblem() throws {
        let p = try KattisPackage.load(Repo.fixture("kattis/flags"))
        let suite = try p.suite()
        #expect(suite.problems.map(\.id) == ["flags", "flags[float_tolerance 0.1]"])
        #expect(suite.problems[1].comparison == .builtin(.tokens(.floatTolerance(0.1))))
    }

    @Test func draftGradingKeys() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-kattis-draft-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for sub in ["data/sample", "data/secret/a", "data/secret/b"] {
            try FileManager.default.createDirectory(atPath: dir + "/" + sub, withIntermediateDirectories: true)
            try "1\n".write(toFile: "\(dir)/\(sub)/1.in", atomically: true, encoding: .utf8)
            try "1\n".write(toFile: "\(dir)/\(sub)/1.ans", atomically: true, encoding: .utf8)
            try "1\n".write(toFile: "\(dir)/\(sub)/2.in", atomically: true, encoding: .utf8)
            try "1\n".write(toFile: "\(dir)/\(sub)/2.ans", atomically: true, encoding: .utf8)
        }
        try "problem_format_version: 2023-07-draft\nname: d\ntype: scoring\nlimits: {time_limit: 1}\n"
            .write(toFile: dir + "/problem.yaml", atomically: true, encoding: .utf8)
        try "on_reject: continue\ngrader_flags: accept_if_any_accepted\n".write(toFile: dir + "/data/testdata.yaml", atomically: true, encoding: .utf8)
        try "grading: {score: 10, aggregation: min, max_score: 10}\n".write(toFile: dir + "/data/secret/a/testdata.yaml", atomically: true, encoding: .utf8)
        try "grading: {score: 5}\n".write(toFile: dir + "/data/secret/b/testdata.yaml", atomically: true, encoding: .utf8)
        let p = try KattisPackage.load(dir)
        #expect(p.fixedTimeLimit == 1)
        #expect(p.fullScore == 20)  // samples 0, a: min(10, 10), b: 5 + 5
        let failedA = Dictionary(uniqueKeysWithValues: p.tests.map { t in
            (t.name, TestResult(name: t.name, group: nil, verdict: t.name == "secret/a/2" ? .wrongAnswer : .accepted, score: 1))
        })
        #expect(p.outcome(failedA).score == 10)
    }

    @Test func legacyCustomInteractiveAndValidatorFlags() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-kattis-legacy-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/data/secret", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/output_validators/judge", withIntermediateDirectories: true)
        try "1\n".write(toFile: dir + "/data/secret/1.in", atomically: true, encoding: .utf8)
        try "".write(toFile: dir + "/data/secret/1.ans", atomically: true, encoding: .utf8)
        try "import sys\nsys.exit(42)\n".write(toFile: dir + "/output_validators/judge/interactor.py", atomically: true, encoding: .utf8)
        try "validation: custom interactive\nvalidator_flags: strict\n".write(toFile: dir + "/problem.yaml", atomically: true, encoding: .utf8)
        let p = try KattisPackage.load(dir)
        #expect(p.interactive && !p.scoring)
        let problem = try p.suite().problems[0]
        #expect(problem.kind == .interactive)
        #expect(problem.interactor?.arguments == ["strict"])
        // validator_flags of the default validator
        try "validator_flags: case_sensitive float_tolerance 1e-6\n".write(toFile: dir + "/problem.yaml", atomically: true, encoding: .utf8)
        let q = try KattisPackage.load(dir).suite().problems[0]
        #expect(q.comparison == .builtin(.tokens(TokenFlags(caseSensitive: true, floatAbsoluteTolerance: 1e-6, floatRelativeTolerance: 1e-6))))
        try "validator_flags: no_such_flag\n".write(toFile: dir + "/problem.yaml", atomically: true, encoding: .utf8)
        #expect(throws: GradingError.self) { try KattisPackage.load(dir).suite() }
    }

    @Test func badPackagesAreRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-kattis-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: dir + "/data/secret", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "validation: custom\n".write(toFile: dir + "/problem.yaml", atomically: true, encoding: .utf8)
        try "1\n".write(toFile: dir + "/data/secret/1.in", atomically: true, encoding: .utf8)
        try "1\n".write(toFile: dir + "/data/secret/1.ans", atomically: true, encoding: .utf8)
        #expect(throws: GradingError.self) { try KattisPackage.load(dir) }
        try "type: multi-pass\n".write(toFile: dir + "/problem.yaml", atomically: true, encoding: .utf8)
        #expect(throws: GradingError.self) { try KattisPackage.load(dir) }
        try "name: x\n".write(toFile: dir + "/problem.yaml", atomically: true, encoding: .utf8)
        #expect(try KattisPackage.load(dir).tests.count == 1)
        #expect(KattisPackage.isPackage(dir))
        #expect(!KattisPackage.isPackage(dir + "/data"))
    }
}

@Suite("Kattis packages: the default grader")
struct KattisGradingTests {
    func results(_ p: KattisPackage, _ verdicts: [String: Verdict], cpu: [String: Double] = [:]) -> [String: TestResult] {
        Dictionary(uniqueKeysWithValues: p.tests.map { t in
            let v = verdicts[t.name] ?? .accepted
            return (t.name, TestResult(name: t.name, group: nil, verdict: v, score: v == .accepted ? 1 : 0, cpuTime: cpu[t.name] ?? 0.01))
        })
    }

    @Test func passFailTakesTheFirstRejectionInOrder() throws {
        let p = try KattisPackage.load(Repo.suite("kattis-hello"))
        #expect(p.outcome(results(p, [:])).verdict == .accepted)
        // on_reject: break: the WA stops the group, the later TLE is never seen.
        let o = p.outcome(results(p, ["secret/01-zero": .wrongAnswer, "secret/03-spaces": .timeLimit]))
        #expect(o.verdict == .wrongAnswer)
        #expect(p.outcome(results(p, ["sample/1": .runtimeError, "secret/01-zero": .wrongAnswer])).verdict == .runtimeError)
    }

    @Test func slowerThanTheLimitIsTLE() throws {
        let p = try KattisPackage.load(Repo.suite("kattis-hello"))
        let r = results(p, [:], cpu: ["secret/02-big": 1.5])
        #expect(p.outcome(r, timeLimit: 1).verdict == .timeLimit)
        #expect(p.outcome(r, timeLimit: 2).verdict == .accepted)
    }

    @Test func scoringGroupsAggregateAsTheGraderFlagsSay() throws {
        let p = try KattisPackage.load(Repo.suite("kattis-scoring"))
        #expect(p.outcome(results(p, [:])) == KattisOutcome(verdict: .accepted, score: 100, fullyAccepted: true))
        let partial = p.outcome(results(p, ["secret/group2/1": .timeLimit]))
        #expect(partial.verdict == .accepted)  // accept_if_any_accepted
        #expect(partial.score == 30)
        #expect(!partial.fullyAccepted)
        let none = p.outcome(results(p, ["secret/group1/2": .wrongAnswer, "secret/group2/2": .wrongAnswer]))
        #expect(none.verdict == .wrongAnswer && none.score == 0)
        // ignore_sample: a failed sample changes nothing.
        #expect(p.outcome(results(p, ["sample/1": .wrongAnswer])).score == 100)
        // A judge error anywhere wins.
        #expect(p.outcome(results(p, ["secret/group2/2": .judgeError])).verdict == .judgeError)
    }

    @Test func rejectionScopesStopOnlyWhatABreakMakesIrrelevant() throws {
        let hello = try KattisPackage.load(Repo.suite("kattis-hello")).rejectionScopes
        #expect(Set(hello.values) == ["data"])
        let scoring = try KattisPackage.load(Repo.suite("kattis-scoring")).rejectionScopes
        #expect(scoring["secret/group1/2"] == "data/secret/group1")
        #expect(scoring["secret/group2/1"] == "data/secret/group2")
        #expect(scoring["sample/1"] == "test:sample/1")  // data/testdata.yaml: on_reject: continue
    }

    @Test func defaultGraderFlags() {
        let rs: [(Verdict, Double)] = [(.accepted, 2), (.wrongAnswer, 0), (.runtimeError, 1)]
        #expect(KattisPackage.grade(rs, flags: []) == (.runtimeError, 3))
        #expect(KattisPackage.grade(rs, flags: ["first_error", "max"]) == (.wrongAnswer, 2))
        #expect(KattisPackage.grade(rs, flags: ["avg", "always_accept"]) == (.accepted, 1))
        #expect(KattisPackage.grade(rs, flags: ["min", "accept_if_any_accepted"]) == (.accepted, 0))
        #expect(KattisPackage.grade(rs, flags: ["ignore_sample"]) == (.runtimeError, 1))
    }
}

@Suite("Kattis packages: verify and run (sandboxed)", .serialized, .enabled(SandboxSupport.reason) { await SandboxSupport.available() })
struct KattisVerifyTests {
    func verify(_ path: String, languages: LanguageTable = .init()) async throws -> VerifyResult {
        var options = GradingOptions()
        options.jobs = 2
        return try await KattisVerifier(options: options, languages: languages).verify(try KattisPackage.load(path, languages: languages))
    }

    @Test func helloEveryFolderGetsItsVerdict() async throws {
        let v = try await verify(Repo.suite("kattis-hello"))
        #expect(v.ok)
        #expect(v.timeLimitComputed && v.timeLimit == 1)
        let verdicts = Dictionary(uniqueKeysWithValues: v.submissions.map { ($0.path, $0.verdict) })
        #expect(verdicts == ["submissions/accepted/sum.c": .accepted, "submissions/accepted/sum.py": .accepted,
                             "submissions/wrong_answer/int32.c": .wrongAnswer, "submissions/time_limit_exceeded/loop.py": .timeLimit,
                             "submissions/run_time_error/crash.py": .runtimeError])
        let json = try JSONSerialization.jsonObject(with: Data(VerifyReport.render(v))) as? [String: Any]
        #expect(json?["problem"] as? String == "kattis-hello")
        #expect(json?["ok"] as? Bool == true)
        let first = (json?["submissions"] as? [[String: Any]])?.first
        #expect(first?["path"] as? String == "submissions/accepted/sum.c")
        #expect(first?["expected"] as? String == "accepted")
        #expect(first?["verdict"] as? String == "AC")
        #expect(first?["score"] is NSNull)
        #expect(first?["ok"] as? Bool == true)
    }

    @Test func scoringPartialAndInteractive() async throws {
        let s = try await verify(Repo.suite("kattis-scoring"))
        #expect(s.ok)
        #expect(s.submissions.map(\.score) == [100, 30, 0])
        let g = try await verify(Repo.suite("kattis-guess"))
        #expect(g.ok)
        #expect(g.submissions.map(\.verdict) == [.accepted, .runtimeError, .wrongAnswer])
    }

    @Test func cppValidatorFolderCompiledOnce() async throws {
        let v = try await verify(Repo.fixture("kattis/custom-cpp"))
        #expect(v.ok)
        #expect(v.submissions.map(\.verdict) == [.accepted, .wrongAnswer])
    }

    @Test func missingToolchainIsSkippedNotFailed() async throws {
        var table = LanguageTable()
        table = LanguageTable(table.languages + [Language(id: "kotlin", name: "Kotlin", extensions: ["kt"], fileName: "Main.kt",
                                                          compile: ["/nonexistent/kotlinc", "Main.kt"], run: ["/nonexistent/kotlin", "MainKt"],
                                                          requires: ["/nonexistent/kotlinc"])])
        let v = try await verify(Repo.fixture("kattis/flags"), languages: table)
        #expect(v.ok)
        let kt = try #require(v.submissions.first { $0.path.hasSuffix("half.kt") })
        #expect(kt.verdict == nil && kt.ok)
        #expect(kt.skipped?.contains("not installed") == true)
        #expect(v.submissions.first { $0.path == "submissions/wrong_answer/close.py" }?.verdict == .wrongAnswer)
        // rejected: any rejection; slow_accepted: TLE with the limit, AC with the safety margin.
        #expect(v.submissions.first { $0.path == "submissions/rejected/close.py" }?.ok == true)
        let slow = try #require(v.submissions.first { $0.path == "submissions/slow_accepted/slow.py" })
        #expect(slow.verdict == .timeLimit && slow.verdictWithMargin == .accepted && slow.ok, "\(slow)")
        let json = try JSONSerialization.jsonObject(with: Data(VerifyReport.render(v))) as? [String: Any]
        let entry = (json?["submissions"] as? [[String: Any]])?.first { ($0["path"] as? String)?.hasSuffix("half.kt") == true }
        #expect(entry?["verdict"] is NSNull)
        #expect(entry?["skipped"] is String)
    }

    @Test func runMergesAPackageIntoOneResultAndWritesGradescope() async throws {
        let p = try KattisPackage.load(Repo.fixture("kattis/flags"))
        var options = GradingOptions()
        options.jobs = 2
        let grader = Grader(options: options)
        let sub = try grader.submission(Repo.fixture("kattis/flags/submissions/wrong_answer/close.py"), language: nil)
        let run = try await grader.grade(suites: [try p.suite()], submissions: [sub]).mergingPackages([p])
        #expect(run.results.count == 1)
        #expect(run.results[0].problem == "flags")
        #expect(run.results[0].tests.map(\.name) == ["secret/strict/1", "secret/tolerant/1"])
        #expect(run.results[0].tests.map(\.verdict) == [.wrongAnswer, .accepted])
        #expect(run.results[0].verdict == .wrongAnswer)
        let gs = try JSONSerialization.jsonObject(with: Data(try GradescopeReport.render(run))) as? [String: Any]
        #expect(gs?["score"] as? Double == 0)
        let tests = gs?["tests"] as? [[String: Any]] ?? []
        #expect(tests.count == 3)
        #expect(tests.last?["name"] as? String == "flags: total")
        #expect(tests.first?["status"] as? String == "failed")
    }
}

/// Attacks on package loading: a file or folder of the package is a symlink that leads
/// outside it. The package is refused (or the submission skipped), the file never read.
@Suite("Kattis packages: confined to their folder")
struct KattisConfinementTests {
    /// A minimal legacy package, and a secret file beside it.
    struct Package {
        let base: String
        var dir: String { base + "/pkg" }
        var secret: String { base + "/secret.txt" }

        init() throws {
            base = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-kattis-escape-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: dir + "/data/secret", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: base + "/outside", withIntermediateDirectories: true)
            try "SECRET\n".write(toFile: secret, atomically: true, encoding: .utf8)
            try "name: x\n".write(toFile: dir + "/problem.yaml", atomically: true, encoding: .utf8)
            try "1\n".write(toFile: dir + "/data/secret/1.in", atomically: true, encoding: .utf8)
            try "1\n".write(toFile: dir + "/data/secret/1.ans", atomically: true, encoding: .utf8)
        }

        func link(_ name: String, to target: String) throws {
            try FileManager.default.createDirectory(atPath: ((dir + "/" + name) as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: dir + "/" + name, withDestinationPath: target)
        }

        func remove() { try? FileManager.default.removeItem(atPath: base) }
    }

    func loadError(_ dir: String) -> String? {
        do {
            _ = try KattisPackage.load(dir)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test("data/secret/x.in, or its answer, a symlink to a file outside: refused")
    func testDataSymlinkedOut() throws {
        let p = try Package()
        defer { p.remove() }
        try p.link("data/secret/2.in", to: p.secret)
        try "1\n".write(toFile: p.dir + "/data/secret/2.ans", atomically: true, encoding: .utf8)
        #expect(loadError(p.dir)?.contains("'data/secret/2.in' leads outside") == true, "\(loadError(p.dir) ?? "loaded")")
        try FileManager.default.removeItem(atPath: p.dir + "/data/secret/2.in")
        try FileManager.default.removeItem(atPath: p.dir + "/data/secret/2.ans")
        try "1\n".write(toFile: p.dir + "/data/secret/2.in", atomically: true, encoding: .utf8)
        try p.link("data/secret/2.ans", to: "../../../secret.txt")
        #expect(loadError(p.dir)?.contains("leads outside") == true)
    }

    @Test("a data group folder, the validator folder or problem.yaml symlinked out: refused")
    func foldersSymlinkedOut() throws {
        let p = try Package()
        defer { p.remove() }
        try "1\n".write(toFile: p.base + "/outside/1.in", atomically: true, encoding: .utf8)
        try "1\n".write(toFile: p.base + "/outside/1.ans", atomically: true, encoding: .utf8)
        try "import sys\nsys.exit(42)\n".write(toFile: p.base + "/outside/validator.py", atomically: true, encoding: .utf8)
        try p.link("data/group", to: p.base + "/outside")
        #expect(loadError(p.dir)?.contains("'data/group' leads outside") == true, "\(loadError(p.dir) ?? "loaded")")
        try FileManager.default.removeItem(atPath: p.dir + "/data/group")

        try "validation: custom\n".write(toFile: p.dir + "/problem.yaml", atomically: true, encoding: .utf8)
        try p.link("output_validators", to: p.base + "/outside")
        #expect(loadError(p.dir)?.contains("'output_validators' leads outside") == true, "\(loadError(p.dir) ?? "loaded")")
        try FileManager.default.removeItem(atPath: p.dir + "/output_validators")
        try FileManager.default.createDirectory(atPath: p.dir + "/output_validators/v", withIntermediateDirectories: true)
        try p.link("output_validators/v/validator.py", to: p.base + "/outside/validator.py")
        #expect(loadError(p.dir)?.contains("leads outside") == true, "\(loadError(p.dir) ?? "loaded")")

        try FileManager.default.removeItem(atPath: p.dir + "/problem.yaml")
        try p.link("problem.yaml", to: p.secret)
        #expect(loadError(p.dir)?.contains("'problem.yaml' leads outside") == true, "\(loadError(p.dir) ?? "loaded")")
    }

    @Test("a submission, or a submissions folder, symlinked out: skipped as refused, never read")
    func submissionsSymlinkedOut() throws {
        let p = try Package()
        defer { p.remove() }
        try FileManager.default.createDirectory(atPath: p.dir + "/submissions/accepted", withIntermediateDirectories: true)
        try "print(1)\n".write(toFile: p.dir + "/submissions/accepted/good.py", atomically: true, encoding: .utf8)
        try p.link("submissions/accepted/evil.py", to: p.secret)
        try "print(1)\n".write(toFile: p.base + "/outside/wa.py", atomically: true, encoding: .utf8)
        try p.link("submissions/wrong_answer", to: p.base + "/outside")
        let package = try KattisPackage.load(p.dir)
        let candidates = KattisVerifier().candidates(package)
        let byPath = Dictionary(uniqueKeysWithValues: candidates.map { ($0.path, $0) })
        #expect(byPath["submissions/accepted/good.py"]?.submission?.source?.relative == FilePath("submissions/accepted/good.py"))
        #expect(byPath["submissions/accepted/evil.py"]?.submission == nil)
        #expect(byPath["submissions/accepted/evil.py"]?.skipped?.contains("leads outside") == true)
        #expect(byPath["submissions/wrong_answer"]?.skipped?.contains("leads outside") == true)
        #expect(byPath["submissions/wrong_answer/wa.py"] == nil)
    }
}
