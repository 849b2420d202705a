import Foundation
import Sandbox
import SystemPackage
import TestSupport
import Testing

@testable import Grading

extension Repo {
    /// A shipped suite, loaded.
    static func suite(_ name: String, _ file: String = "suite.yaml") throws -> Suite {
        try SuiteLoader.load(FilePath(root + "/Suites/\(name)/\(file)"))
    }
}

@Suite("Grading runs (sandboxed)", .serialized, .enabled(SandboxSupport.reason) { await SandboxSupport.available() })
struct GraderTests {
    func grade(_ suite: Suite, _ fixtures: [String], failFast: Bool = false, jobs: Int = 2) async throws -> RunResult {
        var options = GradingOptions()
        options.jobs = jobs
        options.failFast = failFast
        let grader = Grader(options: options)
        let submissions = try fixtures.map { try grader.submission(Repo.fixture($0), language: nil) }
        return try await grader.grade(suites: [suite], submissions: submissions)
    }

    @Test func everyVerdictFromTheSumFixtures() async throws {
        let run = try await grade(
            try Repo.suite("sum"), ["sum/sum.c", "sum/wa.py", "sum/tle.c", "sum/mle.c", "sum/ole.c", "sum/rte.c", "sum/ce.c"])
        #expect(
            run.results.map(\.verdict) == [
                .accepted, .wrongAnswer, .timeLimit, .memoryLimit, .outputLimit, .runtimeError, .compileError,
            ])
        #expect(
            run.results[0].tests.map(\.name) == ["small", "negative", "1", "2", "10"], "suite order, whatever the finishing order"
        )
        let wa = try #require(run.results[1].tests.first { $0.verdict == .wrongAnswer }?.difference)
        #expect(wa.line == 1 && wa.expected == "3\\n" && wa.got == "-1\\n")
        #expect(run.results[6].compileMessage?.contains("error") == true)
        #expect(!run.allAccepted)
    }

    @Test(arguments: ["sum/sum.cpp", "sum/sum.py", "sum/Main.java", "sum/sum.js", "sum/sum.rs", "sum/sum.swift", "sum/sum.sh"])
    func correctInEveryLanguage(_ fixture: String) async throws {
        let language = try LanguageTable().resolve(FilePath(fixture), id: nil)
        try #require(language.missingTools.isEmpty, "the \(language.name) toolchain is not installed; skipped")
        let run = try await grade(try Repo.suite("sum"), [fixture])
        #expect(
            run.results.first?.verdict == .accepted,
            "\(run.results.first?.tests.first { $0.verdict != .accepted }?.message ?? "")")
    }

    @Test func floatTolerance() async throws {
        let run = try await grade(try Repo.suite("floats"), ["floats/circle.py", "floats/circle.c", "floats/circle_rounded.py"])
        #expect(run.results.map(\.verdict) == [.accepted, .accepted, .wrongAnswer])
    }

    @Test func customChecker() async throws {
        let run = try await grade(try Repo.suite("checker"), ["checker/split.py", "checker/split_wrong.c"])
        #expect(run.results.map(\.verdict) == [.accepted, .wrongAnswer])
        #expect(run.results[1].tests[0].judgeMessage == "5 + 6 = 11, not 10")
        let broken = try await grade(try Repo.suite("checker", "crashing_checker.yaml"), ["checker/split.py"])
        #expect(broken.results[0].verdict == .judgeError, "a crashing checker is JE, never WA")
    }

    @Test func checkerScoresAndLongOutputs() async throws {
        // A checker that gives half credit, and an answer of 2 MB compared as it streams.
        let folder = try SuiteFolder(
            """
            problems:
              - id: half
                checker: half.py
                tests: [{name: t, input: "", answer: ""}]
              - id: long
                compare: lines
                limits: {time: 5s}
                tests: [{name: t, input: "", answer_file: long.ans}]
            """,
            files: [
                "half.py": """
                import sys
                open(sys.argv[3] + "/score.txt", "w").write("0.5")
                open(sys.argv[3] + "/judgemessage.txt", "w").write("half")
                sys.exit(42)
                """, "long.ans": String(repeating: "0123456789\n", count: 200_000),
                "long.py": """
                import sys
                sys.stdout.write("0123456789   \\n" * 200_000)
                """,
            ])
        defer { folder.remove() }
        let grader = Grader()
        let run = try await grader.grade(
            suites: [try folder.load()],
            submissions: [try grader.submission(folder.path + "/long.py", language: nil)])
        #expect(run.results[0].score == 0.5 && run.results[0].tests[0].judgeMessage == "half")
        #expect(run.results[1].verdict == .accepted, "\(run.results[1].tests[0].message)")
    }

    @Test func boundedStreamBacklogDeliversEverythingToASlowReader() async throws {
        let sandbox = try await Sandbox.create()
        defer { Task { await sandbox.terminate() } }
        var options = ExecOptions()
        options.streamOutput = true
        options.streamBacklog = 2
        options.captureLimit = 0
        options.wallTime = .seconds(30)
        let execution = try await sandbox.exec(["/usr/bin/head", "-c", "20000000", "/dev/zero"], options)
        var total = 0
        var chunks = 0
        for await chunk in execution.stdout {
            total += chunk.count
            chunks += 1
            if chunks < 40 { try await Task.sleep(for: .milliseconds(2)) }
        }
        let result = await execution.wait()
        #expect(total == 20_000_000)
        #expect(result.status == .exited && result.exitCode == 0)
        await sandbox.terminate()
    }

    @Test func commandTests() async throws {
        let run = try await grade(try Repo.suite("command"), ["command/add.py", "command/add_wrong.py"])
        #expect(run.results.map(\.verdict) == [.accepted, .wrongAnswer])
        #expect(run.results[1].tests.map(\.verdict) == [.accepted, .wrongAnswer, .accepted])
        #expect(run.results[1].tests[1].message.contains("AssertionError"))
    }

    @Test func interactive() async throws {
        let run = try await grade(
            try Repo.suite("interactive"),
            ["interactive/guess.py", "interactive/guess.c", "interactive/guess_linear.py", "interactive/guess_crash.py"])
        #expect(run.results.map(\.verdict) == [.accepted, .accepted, .wrongAnswer, .runtimeError])
    }

    @Test func scoredGroups() async throws {
        let run = try await grade(try Repo.suite("scored"), ["scored/primes.c", "scored/primes_slow.py"])
        #expect(run.results.map(\.score) == [100, 30])
        #expect(run.results[1].groups.map(\.score) == [30, 0])
    }

    @Test func failFastSkipsTheRest() async throws {
        let run = try await grade(try Repo.suite("sum"), ["sum/wa.py"], failFast: true, jobs: 1)
        #expect(run.results[0].tests.map(\.verdict) == [.wrongAnswer, .skipped, .skipped, .skipped, .skipped])
    }

    @Test func missingToolchainIsJudgeErrorNotWrongAnswer() async throws {
        var table = LanguageTable()
        let path = NSTemporaryDirectory() + "proctor-langs-\(getpid()).yaml"
        try
            "languages:\n  - id: c-missing\n    requires: [/nonexistent/bin/cc]\n    file_name: solution.c\n    run: [./solution]\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        defer { unlink(path) }
        try table.load(FilePath(path))
        let grader = Grader(languages: table)
        let run = try await grader.grade(
            suites: [try Repo.suite("sum")],
            submissions: [try grader.submission(Repo.fixture("sum/sum.c"), language: "c-missing")])
        #expect(run.results[0].verdict == .judgeError)
        #expect(run.results[0].compileMessage?.contains("not installed") == true)
    }
}
