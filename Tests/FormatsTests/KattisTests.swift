import Foundation
import Sandbox
import SystemPackage
import TestSupport
import Testing

@testable import Formats
@testable import Grading
@testable import Reports

extension Repo {
    /// A shipped suite's folder.
    static func suite(_ name: String) -> String { root + "/Suites/" + name }
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
        guard case .group(let secret) = p.data.items[1] else {
            Issue.record("no secret group")
            return
        }
        #expect(secret.path == "data/secret")
        #expect(secret.config.graderFlags == ["accept_if_any_accepted", "sum"])
        guard case .group(let g1) = secret.items[0] else {
            Issue.record("no group1")
            return
        }
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
        guard case .checker = try p.suite().problems[0].comparison else {
            Issue.record("not a checker")
            return
        }
    }

    @Test func groupValidatorFlagsSplitTheProblem() throws {
        let p = try KattisPackage.load(Repo.fixture("kattis/flags"))
        let suite = try p.suite()
        #expect(suite.problems.map(\.id) == ["flags", "flags[float_tolerance 0.1]"])
        #expect(suite.problems[1].comparison == .builtin(.tokens(.floatTolerance(0.1))))
    }

    @Test func draftGradingKeys() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "proctor-kattis-draft-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        ).path
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
        try "on_reject: continue\ngrader_flags: accept_if_any_accepted\n".write(
            toFile: dir + "/data/testdata.yaml", atomically: true, encoding: .utf8)
        try "grading: {score: 10, aggregation: min, max_score: 10}\n".write(
            toFile: dir + "/data/secret/a/testdata.yaml", atomically: true, encoding: .utf8)
        try "grading: {score: 5}\n".write(toFile: dir + "/data/secret/b/testdata.yaml", atomically: true, encoding: .utf8)
        let p = try KattisPackage.load(dir)
        #expect(p.fixedTimeLimit == 1)
        #expect(p.fullScore == 20)  // samples 0, a: min(10, 10), b: 5 + 5
        let failedA = Dictionary(
            uniqueKeysWithValues: p.tests.map { t in
                (
                    t.name,
                    TestResult(name: t.name, group: nil, verdict: t.name == "secret/a/2" ? .wrongAnswer : .accepted, score: 1)
                )
            })
        #expect(p.outcome(failedA).score == 10)
    }

    @Test func legacyCustomInteractiveAndValidatorFlags() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "proctor-kattis-legacy-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        ).path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/data/secret", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/output_validators/judge", withIntermediateDirectories: true)
        try "1\n".write(toFile: dir + "/data/secret/1.in", atomically: true, encoding: .utf8)
        try "".write(toFile: dir + "/data/secret/1.ans", atomically: true, encoding: .utf8)
        try "import sys\nsys.exit(42)\n".write(
            toFile: dir + "/output_validators/judge/interactor.py", atomically: true, encoding: .utf8)
        try "validation: custom interactive\nvalidator_flags: strict\n".write(
            toFile: dir + "/problem.yaml", atomically: true, encoding: .utf8)
        let p = try KattisPackage.load(dir)
        #expect(p.interactive && !p.scoring)
        let problem = try p.suite().problems[0]
        #expect(problem.kind == .interactive)
        #expect(problem.interactor?.arguments == ["strict"])
        // validator_flags of the default validator
        try "validator_flags: case_sensitive float_tolerance 1e-6\n".write(
            toFile: dir + "/problem.yaml", atomically: true, encoding: .utf8)
        let q = try KattisPackage.load(dir).suite().problems[0]
        #expect(
            q.comparison
                == .builtin(.tokens(TokenFlags(caseSensitive: true, floatAbsoluteTolerance: 1e-6, floatRelativeTolerance: 1e-6))))
        try "validator_flags: no_such_flag\n".write(toFile: dir + "/problem.yaml", atomically: true, encoding: .utf8)
        #expect(throws: FormatsError.self) { try KattisPackage.load(dir).suite() }
    }

    @Test func badPackagesAreRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "proctor-kattis-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        ).path
        try FileManager.default.createDirectory(atPath: dir + "/data/secret", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "validation: custom\n".write(toFile: dir + "/problem.yaml", atomically: true, encoding: .utf8)
        try "1\n".write(toFile: dir + "/data/secret/1.in", atomically: true, encoding: .utf8)
        try "1\n".write(toFile: dir + "/data/secret/1.ans", atomically: true, encoding: .utf8)
        #expect(throws: FormatsError.self) { try KattisPackage.load(dir) }
        try "type: multi-pass\n".write(toFile: dir + "/problem.yaml", atomically: true, encoding: .utf8)
        #expect(throws: FormatsError.self) { try KattisPackage.load(dir) }
        try "name: x\n".write(toFile: dir + "/problem.yaml", atomically: true, encoding: .utf8)
        #expect(try KattisPackage.load(dir).tests.count == 1)
        #expect(KattisPackage.isPackage(dir))
        #expect(!KattisPackage.isPackage(dir + "/data"))
    }
}

@Suite("Kattis packages: the default grader")
struct KattisGradingTests {
    func results(_ p: KattisPackage, _ verdicts: [String: Verdict], cpu: [String: Double] = [:]) -> [String: TestResult] {
        Dictionary(
            uniqueKeysWithValues: p.tests.map { t in
                let v = verdicts[t.name] ?? .accepted
                return (
                    t.name,
                    TestResult(name: t.name, group: nil, verdict: v, score: v == .accepted ? 1 : 0, cpuTime: cpu[t.name] ?? 0.01)
                )
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

@Suite(
    "Kattis packages: verify and run (sandboxed)", .serialized,
    .enabled(SandboxSupport.reason) { await SandboxSupport.available() })
struct KattisVerifyTests {
    func verify(_ path: String, languages: LanguageTable = .init()) async throws -> VerifyResult {
        var options = GradingOptions()
        options.jobs = 2
        return try await KattisVerifier(options: options, languages: languages).verify(
            try KattisPackage.load(path, languages: languages))
    }

    @Test func helloEveryFolderGetsItsVerdict() async throws {
        let v = try await verify(Repo.suite("kattis-hello"))
        #expect(v.ok)
        #expect(v.timeLimitComputed && v.timeLimit == 1)
        let verdicts = Dictionary(uniqueKeysWithValues: v.submissions.map { ($0.path, $0.verdict) })
        #expect(
            verdicts == [
                "submissions/accepted/sum.c": .accepted, "submissions/accepted/sum.py": .accepted,
                "submissions/wrong_answer/int32.c": .wrongAnswer, "submissions/time_limit_exceeded/loop.py": .timeLimit,
                "submissions/run_time_error/crash.py": .runtimeError,
            ])
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
        // Kotlin is built in now: this one, its toolchain missing, stands in for it.
        table = LanguageTable(
            table.languages.filter { $0.id != "kotlin" } + [
                Language(
                    id: "kotlin", name: "Kotlin", extensions: ["kt"], fileName: "Main.kt",
                    compile: ["/nonexistent/kotlinc", "Main.kt"], run: ["/nonexistent/kotlin", "MainKt"],
                    requires: ["/nonexistent/kotlinc"])
            ])
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
            base =
                FileManager.default.temporaryDirectory.appendingPathComponent("proctor-kattis-escape-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: dir + "/data/secret", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: base + "/outside", withIntermediateDirectories: true)
            try "SECRET\n".write(toFile: secret, atomically: true, encoding: .utf8)
            try "name: x\n".write(toFile: dir + "/problem.yaml", atomically: true, encoding: .utf8)
            try "1\n".write(toFile: dir + "/data/secret/1.in", atomically: true, encoding: .utf8)
            try "1\n".write(toFile: dir + "/data/secret/1.ans", atomically: true, encoding: .utf8)
        }

        func link(_ name: String, to target: String) throws {
            try FileManager.default.createDirectory(
                atPath: ((dir + "/" + name) as NSString).deletingLastPathComponent,
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

    @Test("a folder submission with a symlink that leads out, or a FIFO: refused, never read")
    func folderSubmissionSymlinkedOut() throws {
        let p = try Package()
        defer { p.remove() }
        let folder = p.dir + "/submissions/accepted/multi"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "import secret\nprint(1)\n".write(toFile: folder + "/main.py", atomically: true, encoding: .utf8)
        try p.link("submissions/accepted/multi/secret.py", to: p.secret)
        var c = KattisVerifier().candidates(try KattisPackage.load(p.dir)).first { $0.path == "submissions/accepted/multi" }
        #expect(c?.submission == nil)
        #expect(c?.skipped?.contains("leads outside") == true, "\(c?.skipped ?? "judged")")
        // `proctor run --solution FOLDER` refuses it the same way.
        #expect(throws: GradingError.self) { try Grader().submission(folder, language: nil) }
        try FileManager.default.removeItem(atPath: folder + "/secret.py")
        #expect(mkfifo(folder + "/pipe.py", 0o644) == 0)
        c = KattisVerifier().candidates(try KattisPackage.load(p.dir)).first { $0.path == "submissions/accepted/multi" }
        #expect(c?.submission == nil)
        #expect(c?.skipped?.contains("not a regular file") == true, "\(c?.skipped ?? "judged")")
    }
}

/// A package folder made for one test, removed after it.
struct TempPackage {
    let dir: String

    init(_ files: [String: String], copying source: String? = nil) throws {
        dir =
            FileManager.default.temporaryDirectory.appendingPathComponent(
                "proctor-kattis-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            ).path
        if let source {
            try FileManager.default.copyItem(atPath: source, toPath: dir)
        } else {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        for (path, text) in files {
            let full = dir + "/" + path
            try FileManager.default.createDirectory(
                atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(atPath: full)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }
    }

    func remove() { try? FileManager.default.removeItem(atPath: dir) }
}

@Suite("Kattis packages: problem.yaml keys that change judging")
struct KattisSemanticsTests {
    let data = ["data/secret/1.in": "1\n", "data/secret/1.ans": "1\n"]
    let validator = ["output_validators/v/validator.py": "import sys\nsys.exit(42)\n"]

    func load(_ files: [String: String]) throws -> KattisPackage {
        let t = try TempPackage(files)
        defer { t.remove() }
        return try KattisPackage.load(t.dir)
    }

    @Test func multiPassInBothSpellings() throws {
        let legacy = try KattisPackage.load(Repo.fixture("kattis/multipass"))
        #expect(legacy.validationPasses == 2)
        let p = try legacy.suite().problems[0]
        #expect(p.passes == 2 && p.kind == .stdio)
        guard case .checker = p.comparison else {
            Issue.record("a multi-pass problem needs its validator")
            return
        }
        let draft = try load(
            data.merging(
                [
                    "output_validator/validator.py": "import sys\nsys.exit(42)\n",
                    "problem.yaml":
                        "problem_format_version: 2023-07-draft\nname: m\ntype: [multi-pass, interactive]\nlimits: {validation_passes: 5}\n",
                ], uniquingKeysWith: { $1 }))
        #expect(draft.validationPasses == 5 && draft.interactive)
        #expect(try draft.suite().problems[0].passes == 5)
        // One pass, no validator, a limit under 2: refused rather than judged as something else.
        #expect(throws: FormatsError.self) {
            try load(data.merging(["problem.yaml": "type: multi-pass\n"], uniquingKeysWith: { $1 }))
        }
        #expect(throws: FormatsError.self) {
            try load(
                data.merging(validator, uniquingKeysWith: { $1 }).merging(
                    ["problem.yaml": "validation: custom multi-pass\nlimits: {validation_passes: 1}\n"], uniquingKeysWith: { $1 })
            )
        }
    }

    @Test func unknownValidationAndTypesAreRefused() throws {
        for yaml in [
            "validation: custom multipass\n", "validation: custom interactive bogus\n", "validation: default score\n",
            "type: submit-answer\n", "type: pass-fail\nvalidation: bogus\n", "type: scoring-ish\n",
        ] {
            #expect(throws: FormatsError.self, "\(yaml)") {
                try load(
                    data.merging(validator, uniquingKeysWith: { $1 }).merging(["problem.yaml": yaml], uniquingKeysWith: { $1 }))
            }
        }
        #expect(
            try load(
                data.merging(validator, uniquingKeysWith: { $1 }).merging(
                    ["problem.yaml": "validation: custom score interactive\n"], uniquingKeysWith: { $1 })
            ).customScore)
    }

    @Test func legacyGradingKeysOverrideTestdata() throws {
        let p = try load(
            data.merging(
                [
                    "problem.yaml": "type: scoring\ngrading: {accept_score: 7, on_reject: grade}\n",
                    "data/secret/testdata.yaml": "accept_score: 3\non_reject: break\n",
                ], uniquingKeysWith: { $1 }))
        #expect(p.fullScore == 7)
        #expect(throws: FormatsError.self) {
            try load(data.merging(["problem.yaml": "grading: {on_reject: sometimes}\n"], uniquingKeysWith: { $1 }))
        }
    }

    @Test func limitsOfBothVersions() throws {
        let legacy = try load(
            data.merging(
                [
                    "problem.yaml":
                        "limits: {time_safety_margin: 4, validation_time: 10, validation_memory: 4096, code: 64, compilation_time: 90}\n"
                ], uniquingKeysWith: { $1 }))
        #expect(legacy.timeMultiplier == 5 && legacy.safetyMargin == 4)
        #expect(legacy.validationTime == 10 && legacy.validationMemory == 4096 << 20)
        #expect(legacy.codeLimit == 64 << 10 && legacy.compilationTime == 90)
        #expect(legacy.memory == 1024 << 20 && legacy.output == 8 << 20)
        #expect(legacy.formatVersion == "legacy")
        let judge = try #require(try legacy.suite().problems[0].judgeLimits)
        #expect(judge.cpuTime == .seconds(10) && judge.memory == 4096 << 20)
        let draft = try load(
            data.merging(
                [
                    "problem.yaml":
                        "problem_format_version: 2023-07-draft\nname: d\nlimits: {time_multipliers: {ac_to_time_limit: 3}}\n"
                ], uniquingKeysWith: { $1 }))
        #expect(draft.timeMultiplier == 3 && draft.safetyMargin == 1.5)
        #expect(draft.validationMemory == 2048 << 20 && draft.codeLimit == 128 << 10)
        #expect(throws: FormatsError.self) {
            try load(data.merging(["problem.yaml": "limits: {time_multiplier: 0.5}\n"], uniquingKeysWith: { $1 }))
        }
        #expect(throws: FormatsError.self) {
            try load(data.merging(["problem.yaml": "limits: {memory: -1}\n"], uniquingKeysWith: { $1 }))
        }
    }

    @Test func validatorFolderShapes() throws {
        // problemtools' guess: output_validator/<name>/ with a .cc and a header.
        let guess = try KattisPackage.load(Repo.fixture("problemtools-examples/guess"))
        let v = try #require(guess.validator)
        #expect(v.source.lastComponent?.string == "validate.cc")
        #expect(v.files.map(\.target) == ["validate.h"])
        // build / run scripts (Kattis spec).
        let built = try load(
            data.merging(
                [
                    "problem.yaml": "validation: custom\n", "output_validators/v/build": "#!/bin/sh\n",
                    "output_validators/v/tool.py": "",
                ], uniquingKeysWith: { $1 }))
        #expect(built.validator?.language == Language.kattisScripts.id)
        #expect(built.validator?.source.lastComponent?.string == "build")
        let run = try load(
            data.merging(
                ["problem.yaml": "validation: custom\n", "output_validators/v/run": "#!/bin/sh\n"], uniquingKeysWith: { $1 }))
        #expect(run.validator?.source.lastComponent?.string == "run")
    }
}

extension KattisVerifyTests {
    @Test func multiPassJudgesEveryPass() async throws {
        let v = try await verify(Repo.fixture("kattis/multipass"))
        #expect(v.ok, "\(v.submissions.map(\.message))")
        let verdicts = Dictionary(uniqueKeysWithValues: v.submissions.map { ($0.path, $0.verdict) })
        #expect(verdicts == ["submissions/accepted/both.py": .accepted, "submissions/wrong_answer/first_only.py": .wrongAnswer])
        // The 2023-07 spelling, and a validator that never gives a final verdict (JE).
        let draft = try TempPackage(
            ["problem.yaml": "problem_format_version: 2023-07-draft\nname: m\ntype: multi-pass\nlimits: {time_limit: 2}\n"],
            copying: Repo.fixture("kattis/multipass"))
        defer { draft.remove() }
        let d = try await verify(draft.dir)
        #expect(d.submissions.map(\.verdict) == [.accepted, .wrongAnswer])
        let endless = try TempPackage(
            [
                "output_validators/passes/validator.py":
                    "import os, sys\nopen(os.path.join(sys.argv[3], 'nextpass.in'), 'w').write('1 1\\n')\nsys.exit(42)\n"
            ],
            copying: Repo.fixture("kattis/multipass"))
        defer { endless.remove() }
        let e = try await verify(endless.dir)
        let both = try #require(e.submissions.first { $0.path.hasSuffix("both.py") })
        #expect(both.verdict == .judgeError && !both.ok)
        #expect(both.message.contains("2 passes"), "\(both.message)")
    }

    /// A solution that does not flush and then waits, while the interactor waits for it:
    /// both blocked. The solution's limit ends it: TLE every time, never the interactor's JE.
    @Test func interactiveDeadlockIsAlwaysTLE() async throws {
        let p = try KattisPackage.load(Repo.fixture("problemtools-examples/guess"))
        var options = GradingOptions()
        options.jobs = 2
        options.failFast = true  // a few tests a round are enough
        let grader = Grader(options: options)
        let sub = try grader.submission(
            Repo.fixture("problemtools-examples/guess/submissions/time_limit_exceeded/guess_no_flush.cc"), language: nil)
        for round in 1...4 {
            let run = try await grader.grade(suites: [try p.suite(timeLimit: 1)], submissions: [sub]).mergingPackages([p])
            let tests = run.results[0].tests.filter { $0.verdict != .skipped }
            #expect(!tests.isEmpty)
            #expect(
                tests.allSatisfy { $0.verdict == .timeLimit },
                "round \(round): \(tests.map { "\($0.name) \($0.verdict) \($0.message)" })")
        }
    }

    /// Validators are judge code: a deep recursion must not crash them (64 MiB stack before).
    @Test func validatorsGetALargeStack() async throws {
        let deep = """
            #include <cstdio>
            #include <cstdlib>
            static int down(int n) { volatile char frame[600]; frame[0] = (char)n; return n == 0 ? 0 : down(n - 1) + (frame[0] & 0); }
            int main(int argc, char **argv) {
                if (down(200000) != 0) return 1;
                int a = 0, b = 0;
                FILE *ans = fopen(argv[2], "r");
                if (!ans || fscanf(ans, "%d", &a) != 1 || scanf("%d", &b) != 1) return 43;
                return a == b ? 42 : 43;
            }
            """
        let t = try TempPackage([
            "problem.yaml": "validation: custom\nlimits: {time_limit: 2}\n", "data/secret/1.in": "1\n",
            "data/secret/1.ans": "1\n", "output_validators/deep/validate.cpp": deep,
            "submissions/accepted/one.py": "print(1)\n", "submissions/wrong_answer/two.py": "print(2)\n",
        ])
        defer { t.remove() }
        let v = try await verify(t.dir)
        #expect(v.ok, "\(v.submissions.map(\.message))")
        #expect(v.submissions.map(\.verdict) == [.accepted, .wrongAnswer])
    }

    /// Archives under submissions/ are judged as the folders they hold (as `proctor run`
    /// unpacks one), with the same refusals; a C folder with a Makefile is built by it.
    @Test(.enabled(if: Host.has("/usr/bin/unzip") && Host.has("/usr/bin/make"), "unzip or make is not installed; skipped"))
    func archivesAndMakefileFolders() async throws {
        let t = try TempPackage([
            "problem.yaml": "limits: {time_limit: 2}\n", "data/secret/1.in": "1\n", "data/secret/1.ans": "1\n",
            "submissions/accepted/made/Makefile": "one: one.c\n\tgcc -o one one.c\n",
            "submissions/accepted/made/one.c": "#include <stdio.h>\nint main(void) { puts(\"1\"); return 0; }\n",
        ])
        defer { t.remove() }
        let script = """
            import io, sys, tarfile, zipfile
            root = sys.argv[1] + "/submissions/"
            with zipfile.ZipFile(root + "accepted/lab.zip", "w") as z:
                z.writestr("lab/main.py", "import helper\\nhelper.say()\\n")
                z.writestr("lab/helper.py", "def say():\\n    print(1)\\n")
            with tarfile.open(root + "wrong_answer/two.tar.gz", "w:gz") as t:
                info = tarfile.TarInfo("two.py"); info.size = 9; t.addfile(info, io.BytesIO(b"print(2)\\n"))
            with zipfile.ZipFile(root + "accepted/evil.zip", "w") as z:
                z.writestr("main.py", "print(1)\\n")
                z.writestr("../../data/secret/1.ans", "2\\n")
            """
        try FileManager.default.createDirectory(atPath: t.dir + "/submissions/wrong_answer", withIntermediateDirectories: true)
        let (status, log) = try Host.run(["/usr/bin/python3", "-c", script, t.dir])
        try #require(status == 0, "\(log)")
        let v = try await verify(t.dir)
        let byPath = Dictionary(uniqueKeysWithValues: v.submissions.map { ($0.path, $0) })
        #expect(
            byPath["submissions/accepted/lab.zip"]?.verdict == .accepted,
            "\(byPath["submissions/accepted/lab.zip"]?.message ?? "")")
        #expect(byPath["submissions/wrong_answer/two.tar.gz"]?.verdict == .wrongAnswer)
        #expect(
            byPath["submissions/accepted/made"]?.verdict == .accepted, "\(byPath["submissions/accepted/made"]?.message ?? "")")
        let evil = byPath["submissions/accepted/evil.zip"]
        #expect(evil?.verdict == nil && evil?.skipped?.contains("leads out") == true, "\(evil?.message ?? "missing")")
        #expect(try String(contentsOfFile: t.dir + "/data/secret/1.ans", encoding: .utf8) == "1\n")
        #expect(v.ok, "\(v.submissions.map(\.message))")
    }

    /// output_validator/<folder>/ with a build script that makes run (Kattis spec), and one
    /// of several C++ files compiled together.
    @Test func buildRunAndMultiFileValidators() async throws {
        let check =
            "import sys\na = open(sys.argv[2]).read().split()\nb = sys.stdin.read().split()\nsys.exit(42 if a == b else 43)\n"
        let scripts = try TempPackage([
            "problem.yaml": "problem_format_version: 2023-07-draft\nname: s\nlimits: {time_limit: 2}\n",
            "data/secret/1.in": "1\n",
            "data/secret/1.ans": "1\n",
            "output_validator/checker/build": "#!/bin/sh\nprintf '#!/bin/sh\\nexec /usr/bin/python3 check.py \"$@\"\\n' > run\n",
            "output_validator/checker/check.py": check,
            "submissions/accepted/one.py": "print(1)\n", "submissions/wrong_answer/two.py": "print(2)\n",
        ])
        defer { scripts.remove() }
        let s = try await verify(scripts.dir)
        #expect(s.ok, "\(s.submissions.map(\.message))")
        #expect(s.submissions.map(\.verdict) == [.accepted, .wrongAnswer])
        let multi = try TempPackage([
            "problem.yaml": "validation: custom\nlimits: {time_limit: 2}\n", "data/secret/1.in": "1\n",
            "data/secret/1.ans": "1\n",
            "output_validators/v/main.cpp":
                "#include <cstdio>\nbool same(const char *a);\nint main(int c, char **v) { return same(v[2]) ? 42 : 43; }\n",
            "output_validators/v/same.cpp":
                "#include <cstdio>\nbool same(const char *a) { int x, y; FILE *f = fopen(a, \"r\"); return fscanf(f, \"%d\", &x) == 1 && scanf(\"%d\", &y) == 1 && x == y; }\n",
            "submissions/accepted/one.py": "print(1)\n", "submissions/wrong_answer/two.py": "print(2)\n",
        ])
        defer { multi.remove() }
        let m = try await verify(multi.dir)
        #expect(m.ok, "\(m.submissions.map(\.message))")
        #expect(m.submissions.map(\.verdict) == [.accepted, .wrongAnswer])
    }

    /// Folder submissions: C++ with a header and two sources, Java whose main class is not
    /// in the first file, a build script (the spec's program form), one C++ and one Python
    /// file (C++ by problemtools' priority); `proctor run --solution FOLDER` judges one too.
    @Test func folderSubmissions() async throws {
        let dir = Repo.fixture("kattis/folders")
        let v = try await verify(dir)
        let verdicts = Dictionary(uniqueKeysWithValues: v.submissions.map { ($0.path, $0.verdict) })
        #expect(
            verdicts == [
                "submissions/accepted/cpp": .accepted, "submissions/accepted/java": .accepted,
                "submissions/accepted/build_run": .accepted, "submissions/accepted/mixed": .accepted,
                "submissions/wrong_answer/cpp_off_by_one": .wrongAnswer,
            ], "\(v.submissions.map { "\($0.path): \($0.message)" })")
        #expect(v.ok)
        let grader = Grader()
        let s = try grader.submission(dir + "/submissions/accepted/cpp", language: nil)
        #expect(s.language.id == "cpp" && s.mainFile == "main.cpp" && s.files.map(\.target) == ["sum.cpp", "sum.h"])
        let run = try await grader.grade(suites: [try KattisPackage.load(dir).suite(timeLimit: 5)], submissions: [s])
        #expect(run.results.flatMap(\.tests).map(\.verdict) == [.accepted, .accepted])
    }

    /// problemtools' own examples: every submission gets its folder's verdict; only
    /// languages without a toolchain here are skipped (and said so).
    @Test(arguments: ["hello", "different", "guess", "oddecho"])
    func problemtoolsExamples(_ name: String) async throws {
        let v = try await verify(Repo.fixture("problemtools-examples/" + name))
        for s in v.submissions where s.skipped != nil {
            print("⚠️  problemtools-examples/\(name): \(s.path) SKIPPED: \(s.skipped!)")
        }
        for s in v.submissions {
            #expect(s.ok, "\(name): \(s.path): \(s.message)")
            if let skipped = s.skipped {
                // Every extension in the examples is a known language now, and folder
                // submissions are judged: only a missing toolchain is a reason to skip.
                #expect(skipped.contains("toolchain"), "\(s.path): \(skipped)")
            }
        }
        let judged = v.submissions.filter { $0.skipped == nil }.map(\.path)
        let mustJudge: [String: [String]] = [
            "hello": [
                "submissions/accepted/hello.java", "submissions/accepted/hello.py", "submissions/accepted/hello.cc",
                "submissions/run_time_error/memory_limit.cc", "submissions/wrong_answer/hello.cc",
            ],
            "different": [
                "submissions/accepted/Different.java", "submissions/accepted/different.c",
                "submissions/accepted/prolog",
                "submissions/time_limit_exceeded/different_linear_search.cc", "submissions/wrong_answer/different_no_abs.cc",
            ],
            "guess": [
                "submissions/accepted/guess.java", "submissions/time_limit_exceeded/guess_no_flush.cc",
                "submissions/wrong_answer/GuessCrash.java", "submissions/run_time_error/guess_rte.c",
            ],
            "oddecho": ["submissions/accepted/echo.cpp", "submissions/partially_accepted/sol.py"],
        ]
        for path in mustJudge[name] ?? [] { #expect(judged.contains(path), "\(name): \(path) was not judged") }
        #expect(v.ok)
    }
}

extension KattisVerifyTests {
    /// Output over limits.output: legacy packages as problemtools judges them (the run goes
    /// on; a crash or TLE comes first, OLE after), 2023-07 ones as the spec says (stopped: OLE).
    @Test func outputLimitRuleFollowsTheFormatVersion() async throws {
        let big = "import sys\nsys.stdout.write('x' * (9 << 20))\nsys.stdout.flush()\n"
        let crash = big + "sys.exit(3)\n"
        let legacy = try TempPackage([
            "problem.yaml": "name: o\nlimits: {time_limit: 3}\n", "data/secret/1.in": "1\n", "data/secret/1.ans": "1\n",
            "submissions/accepted/one.py": "print(1)\n", "submissions/output_limit_exceeded/big.py": big,
            "submissions/run_time_error/big_then_crash.py": crash,
        ])
        defer { legacy.remove() }
        let l = try await verify(legacy.dir)
        #expect(l.ok, "\(l.submissions.map(\.message))")
        #expect(l.submissions.map(\.verdict) == [.accepted, .outputLimit, .runtimeError])
        #expect(l.outputRule.hasPrefix("problemtools") && l.outputLimit == 8 << 20)
        let draft = try TempPackage([
            "problem.yaml": "problem_format_version: 2023-07-draft\nname: o\nlimits: {time_limit: 3}\n",
            "data/secret/1.in": "1\n", "data/secret/1.ans": "1\n",
            "submissions/accepted/one.py": "print(1)\n", "submissions/output_limit_exceeded/big.py": big,
            "submissions/output_limit_exceeded/big_then_crash.py": crash,
        ])
        defer { draft.remove() }
        let d = try await verify(draft.dir)
        #expect(d.ok, "\(d.submissions.map(\.message))")
        #expect(d.submissions.map(\.verdict) == [.accepted, .outputLimit, .outputLimit])
        #expect(d.outputRule.hasPrefix("problem package spec"))
        let json = String(decoding: VerifyReport.render(d), as: UTF8.self)
        #expect(json.contains("\"output_rule\": \"problem package spec"))
    }
}

extension KattisVerifyTests {
    /// The memory limit: legacy packages as problemtools judges them (an address-space limit:
    /// reserving more than the limit fails, touched or not, and fails at once), 2023-07 ones by
    /// the memory used (the cgroup: a reservation never touched costs nothing).
    @Test func memoryRuleFollowsTheFormatVersion() async throws {
        // 400 MiB reserved, one page touched, under a 256 MiB limit.
        let reserve = """
            #include <stdio.h>
            #include <stdlib.h>
            int main(void) {
                char *p = malloc(400u << 20);
                if (!p) return 3;
                p[0] = 1;
                printf("%d\\n", p[0]);
                return 0;
            }
            """
        let files = { (version: String, folder: String) -> [String: String] in
            [
                "problem.yaml": version + "name: m\nlimits: {time_limit: 3, memory: 256}\n",
                "data/secret/1.in": "1\n", "data/secret/1.ans": "1\n",
                "submissions/accepted/one.py": "print(1)\n", "submissions/\(folder)/reserve.c": reserve,
            ]
        }
        let legacy = try TempPackage(files("", "run_time_error"))
        defer { legacy.remove() }
        let l = try await verify(legacy.dir)
        #expect(l.ok, "\(l.submissions.map(\.message))")
        #expect(l.submissions.map(\.verdict) == [.accepted, .runtimeError])
        #expect(l.memoryRule.hasPrefix("problemtools") && l.memoryLimit == 256 << 20)
        let draft = try TempPackage(files("problem_format_version: 2023-07-draft\n", "accepted"))
        defer { draft.remove() }
        let d = try await verify(draft.dir)
        #expect(d.ok, "\(d.submissions.map(\.message))")
        #expect(d.submissions.map(\.verdict) == [.accepted, .accepted])
        #expect(d.memoryRule.hasPrefix("memory used"))
        let json = String(decoding: VerifyReport.render(l), as: UTF8.self)
        #expect(json.contains("\"memory_rule\": \"problemtools") && json.contains("\"memory_limit\": 268435456"))
    }
}

extension KattisVerifyTests {
    /// A fixed time limit tighter than the slowest accepted test times the multiplier is an
    /// error, as problemtools says; time_safety_margin 4 (problemtools' different) is honoured.
    @Test func fixedTimeLimitMustLeaveTheMultiplier() async throws {
        let burn = "import time\nwhile time.process_time() < 0.5:\n    pass\nprint(1)\n"
        let t = try TempPackage([
            "problem.yaml": "name: t\nlimits: {time_limit: 1, time_safety_margin: 4}\n", "data/secret/1.in": "1\n",
            "data/secret/1.ans": "1\n", "submissions/accepted/slow.py": burn, "submissions/accepted/fast.py": "print(1)\n",
        ])
        defer { t.remove() }
        let v = try await verify(t.dir)
        #expect(!v.ok)
        #expect(v.safetyMargin == 4)
        let slow = try #require(v.submissions.first { $0.path.hasSuffix("slow.py") })
        #expect(slow.verdict == .accepted && !slow.ok && slow.message.contains("ac_to_time_limit 5"), "\(slow.message)")
        #expect(v.submissions.first { $0.path.hasSuffix("fast.py") }?.ok == true)
    }
}

extension KattisVerifyTests {
    /// Multi-pass and interactive together: the interactor hands pass 2 its input.
    @Test func interactiveMultiPass() async throws {
        let interactor = """
            import os, sys
            p, x = map(int, open(sys.argv[1]).read().split())
            print(p, x, flush=True)
            line = sys.stdin.readline().split()
            if not line or int(line[0]) != p * x:
                sys.exit(43)
            if p == 1:
                open(os.path.join(sys.argv[3], 'nextpass.in'), 'w').write('2 %d\\n' % x)
            sys.exit(42)
            """
        let t = try TempPackage([
            "problem.yaml":
                "problem_format_version: 2023-07-draft\nname: i\ntype: [interactive, multi-pass]\nlimits: {time_limit: 2}\n",
            "data/secret/1.in": "1 5\n", "data/secret/1.ans": "\n", "output_validator/interactor.py": interactor,
            "submissions/accepted/both.py": "p, x = map(int, input().split())\nprint(p * x, flush=True)\n",
            "submissions/wrong_answer/first_only.py": "p, x = map(int, input().split())\nprint(x, flush=True)\n",
        ])
        defer { t.remove() }
        let v = try await verify(t.dir)
        #expect(v.ok, "\(v.submissions.map(\.message))")
        #expect(v.submissions.map(\.verdict) == [.accepted, .wrongAnswer])
    }
}
