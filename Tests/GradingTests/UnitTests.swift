import Foundation
import Sandbox
import SystemPackage
import TestSupport
import Testing

@testable import Grading

/// Kind `unit` (issue 13): the example course suites, the report readers, and the attacks of
/// Fixtures/unit-attacks.
enum UnitToolchains {
    static let pytest = Host.has("/usr/lib/python3/dist-packages/pytest")
    static let junit5 = Host.has("/usr/share/java/junit-platform-console-standalone.jar") && Host.has("/usr/bin/javac")
    static let gcc = Host.has("/usr/bin/gcc")
}

@Suite("Unit-test reports (readers)")
struct UnitReportReaderTests {
    @Test func jsonLinesNeedTheRunsToken() {
        let lines = """
            {"token": "T", "event": "start", "test": "a"}
            {"token": "T", "test": "a", "status": "passed", "time": 0.5, "weight": 2, "visibility": "hidden", "number": "1.1"}
            {"token": "X", "test": "b", "status": "passed"}
            {"test": "c", "status": "passed"}
            not json
            {"token": "T", "event": "start", "test": "d"}
            {"token": "T", "test": "a", "status": "failed"}
            """
        let r = UnitReport.readJSONLines(Array(lines.utf8), token: "T")
        #expect(r.cases.map(\.name) == ["a"], "a forged line (wrong or no token) is not a result; a repeat keeps the first")
        #expect(r.cases[0].status == .passed && r.cases[0].weight == 2 && r.cases[0].visibility == .hidden)
        #expect(r.cases[0].number == "1.1")
        #expect(r.ignoredLines == 3)
        #expect(r.unfinished == "d")
        #expect(!r.ended)
    }

    @Test func junitXMLFromJUnit5AndPytest() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuites><testsuite name="x" tests="4">
              <testcase name="adds()" classname="CalcTest" time="0.25"/>
              <testcase name="divides()" classname="CalcTest" time="0.01"><failure message="expected: &lt;2&gt; but was: &lt;3&gt;" type="org.opentest4j.AssertionFailedError">trace</failure></testcase>
              <testcase name="io()" classname="CalcTest"><error message="boom"/></testcase>
              <testcase name="later()" classname="CalcTest"><skipped/></testcase>
              <testcase name="w" classname="t"><properties><property name="weight" value="3"/><property name="visibility" value="after_published"/></properties></testcase>
            </testsuite></testsuites>
            """
        let r = try UnitReport.readJUnit(Array(xml.utf8))
        #expect(r.cases.map(\.name) == ["adds()", "divides()", "io()", "later()", "w"])
        #expect(r.cases.map(\.status) == [.passed, .failed, .error, .skipped, .passed])
        #expect(r.cases[1].message == "expected: <2> but was: <3>")
        #expect(r.cases[0].time == 0.25)
        #expect(r.cases[4].weight == 3 && r.cases[4].visibility == .afterPublished)
        #expect(throws: GradingError.self) { try UnitReport.readJUnit(Array("<testsuite><testcase".utf8)) }
        #expect(throws: GradingError.self) { try UnitReport.readJUnit([]) }
    }

    /// node:test's TAP (`--test-reporter=tap`), as Node 20 writes it: nested tests and YAML blocks.
    @Test func tapFromNodeTest() {
        let tap = """
            TAP version 13
            # Subtest: adds
            ok 1 - adds
              ---
              duration_ms: 1.5
              ...
            # Subtest: fails
            not ok 2 - fails
              ---
              duration_ms: 1.193344
              failureType: 'testCodeFailure'
              error: |-
                Expected values to be strictly equal:

                2 !== 3
              code: 'ERR_ASSERTION'
              ...
            ok 3 - skipped # SKIP later
            # Subtest: group
                # Subtest: inner
                ok 1 - inner
            ok 4 - group
            not ok 5 - quoted
              ---
              error: 'boom'
              ...
            1..5
            """
        let r = UnitReport.readTAP(Array(tap.utf8))
        #expect(r.cases.map(\.name) == ["adds", "fails", "skipped", "group", "quoted"])
        #expect(r.cases.map(\.status) == [.passed, .failed, .skipped, .passed, .failed])
        #expect(r.cases[1].message == "Expected values to be strictly equal:")
        #expect(r.cases[4].message == "boom")
        #expect(r.cases[0].time == 0.0015)
        #expect(r.ended)
        let cut = UnitReport.readTAP(Array("ok 1 - a\nnot ok 2 - b\nBail out! no database\nok 3 - c\n".utf8))
        #expect(cut.cases.map(\.name) == ["a", "b"] && cut.notes == ["Bail out! no database"] && !cut.ended)
    }

    @Test func junitXMLEntitiesAreNotExpanded() throws {
        // An external entity must not read a host file, and a billion laughs must not blow up.
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd"><!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
            <testsuite><testcase name="t" classname="c"><failure message="&x;&b;"/></testcase></testsuite>
            """
        // libxml2 refuses an external entity in an attribute (not well-formed); refused or parsed,
        // the host file is never read.
        if let r = try? UnitReport.readJUnit(Array(xml.utf8)) {
            #expect(r.cases.allSatisfy { !$0.message.contains("root:") })
        }
        let inText = xml.replacingOccurrences(of: "<failure message=\"&x;&b;\"/>", with: "<failure>&x;&b;</failure>")
        if let r = try? UnitReport.readJUnit(Array(inText.utf8)) {
            #expect(r.cases.count == 1 && !r.cases[0].message.contains("root:"), "\(r.cases)")
        }
    }

    @Test func suitesLoadWithWeightsAndVisibility() throws {
        let suite = try Repo.suite("course-python-pytest")
        let p = try #require(suite.problems.first)
        #expect(p.kind == .unit && p.unit?.framework == "pytest")
        #expect(p.tests.count == 7 && p.maxScore == 10)
        #expect(p.tests.map(\.visibility).compactMap { $0 } == [.hidden, .afterDueDate, .afterPublished])
        #expect(p.unit?.command.last == "test_calc.py", "pytest is pointed at the suite's test files only")
        let java = try Repo.suite("course-java-junit").problems[0]
        #expect(java.unit?.command.contains("--select-class") == true && java.unit?.command.contains("WordsTest") == true)
        _ = try Repo.suite("course-c-harness")
        _ = try Repo.suite("course-python-pytest", "markers.yaml")
    }

    @Test func unitKeysAreCheckedWithLines() throws {
        let dir = NSTemporaryDirectory() + "proctor-unit-suite-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let yaml = """
            problems:
              - id: p
                kind: unit
                unit: {framework: pytst}
                tests:
                  - {name: a, weight: 1, visibility: secret, input: "x"}
              - id: q
                unit: {framework: pytest}
                tests: [{name: t, answer: "1", weight: 2}]
            """
        try yaml.write(toFile: dir + "/suite.yaml", atomically: true, encoding: .utf8)
        let error = try #require(throws: GradingError.self) { try SuiteLoader.load(FilePath(dir + "/suite.yaml")) }
        let text = error.diagnostics.map(\.description).joined(separator: "\n")
        #expect(text.contains("suite.yaml:4:"), "\(text)")
        #expect(text.contains("visibility"), "\(text)")
        #expect(text.contains("'input' does not apply"), "\(text)")
        #expect(text.contains("'unit' needs kind: unit"), "\(text)")
        #expect(text.contains("'weight' applies to kind: unit"), "\(text)")
    }
}

@Suite("Unit-test suites (sandboxed)", .serialized, .enabled(SandboxSupport.reason) { await SandboxSupport.available() })
struct UnitTests {
    func grade(_ suite: Suite, _ fixtures: [String]) async throws -> RunResult {
        var options = GradingOptions()
        options.jobs = 2
        let grader = Grader(options: options)
        let submissions = try fixtures.map { try grader.submission(Repo.fixture($0), language: nil) }
        return try await grader.grade(suites: [suite], submissions: submissions)
    }

    func verdicts(_ r: ProblemResult) -> [String: Verdict] {
        Dictionary(uniqueKeysWithValues: r.tests.map { ($0.name, $0.verdict) })
    }

    @Test(.enabled(if: UnitToolchains.pytest, "python3-pytest is not installed; skipped"))
    func pytestCorrectAndWrong() async throws {
        let run = try await grade(
            try Repo.suite("course-python-pytest"), ["course-python-pytest/correct", "course-python-pytest/wrong"])
        let (good, bad) = (run.results[0], run.results[1])
        #expect(good.tests.count == 7 && good.verdict == .accepted, "\(good.tests.map { "\($0.name) \($0.message)" })")
        #expect(good.score == 10 && good.maxScore == 10)
        #expect(bad.tests.count == 7 && bad.maxScore == 10)
        let v = verdicts(bad)
        #expect(v["test_mean_empty"] == .wrongAnswer && v["test_factorial[0-1]"] == .wrongAnswer)
        #expect(bad.tests.filter { $0.verdict == .accepted }.count == 5)
        #expect(bad.score == 7, "10 points less test_mean_empty (2) and test_factorial[0-1] (1)")
        #expect(bad.tests.first { $0.name == "test_mean_empty" }?.message.contains("DID NOT RAISE") == true)
    }

    /// The per-test verdicts equal pytest's own JUnit XML for the same files (pytest run on
    /// the host, its report read by our JUnit reader).
    @Test(.enabled(if: UnitToolchains.pytest, "python3-pytest is not installed; skipped"))
    func pytestAgreesWithItsOwnJUnitReport() async throws {
        let run = try await grade(try Repo.suite("course-python-pytest"), ["course-python-pytest/wrong"])
        let dir = NSTemporaryDirectory() + "proctor-pytest-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for f in ["Suites/course-python-pytest/tests/test_calc.py", "Fixtures/course-python-pytest/wrong/calc.py"] {
            try FileManager.default.copyItem(
                atPath: Repo.root + "/" + f, toPath: dir + "/" + URL(fileURLWithPath: f).lastPathComponent)
        }
        let (_, log) = try Host.run([
            "/bin/sh", "-c",
            "cd \(dir) && /usr/bin/python3 -m pytest -q -p no:cacheprovider --junitxml=\(dir)/own.xml test_calc.py",
        ])
        let own = try UnitReport.readJUnit(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/own.xml"))))
        #expect(own.cases.count == 7, "\(log)")
        let ours = verdicts(run.results[0])
        for c in own.cases {
            #expect(ours[c.name] == (c.status == .passed ? .accepted : .wrongAnswer), "\(c.name)")
        }
    }

    @Test(.enabled(if: UnitToolchains.pytest, "python3-pytest is not installed; skipped"))
    func markersGiveWeightsWhenTheSuiteListsNoTests() async throws {
        let run = try await grade(try Repo.suite("course-python-pytest", "markers.yaml"), ["course-python-pytest/wrong"])
        let r = run.results[0]
        #expect(r.tests.count == 7)
        let f0 = try #require(r.tests.first { $0.name == "test_factorial[0-1]" })
        #expect(f0.weight == 3 && f0.visibility == .afterDueDate)
        #expect(r.tests.first { $0.name == "test_mean_empty" }?.weight == 2)
        // add, add_negative, mean: 1 each; mean_empty 2; factorial 3 x 3. Failed: mean_empty, factorial[0-1].
        let most: Double = 14
        let earned: Double = 9
        #expect(r.maxScore == most && r.score == earned, "without a list, every reported test counts")
    }

    @Test(.enabled(if: UnitToolchains.pytest, "python3-pytest is not installed; skipped"))
    func gradescopeUtilsDecoratorsOnUnittestClasses() async throws {
        let r = try await grade(
            try Repo.suite("course-python-pytest", "gradescope_utils.yaml"), ["course-python-pytest/wrong"]
        ).results[0]
        #expect(r.tests.map(\.name) == ["TestCalc::test_add", "TestCalc::test_mean_empty"])
        #expect(r.tests.map(\.weight) == [2, 3] && r.tests.map(\.number) == ["1", "2"])
        #expect(r.tests[1].visibility == .hidden && r.tests[1].verdict == .wrongAnswer)
        #expect(r.score == 2 && r.maxScore == 5)
    }

    @Test(.enabled(if: UnitToolchains.pytest, "python3-pytest is not installed; skipped"))
    func forgedResultsAreNotRead() async throws {
        let run = try await grade(try Repo.suite("course-python-pytest"), ["unit-attacks/forge"])
        let r = run.results[0]
        #expect(r.tests.count == 7)
        #expect(r.tests.allSatisfy { $0.verdict != .accepted }, "\(r.tests.map { "\($0.name) \($0.verdict)" })")
        #expect(r.score == 0)
    }

    @Test(.enabled(if: UnitToolchains.pytest, "python3-pytest is not installed; skipped"))
    func exitingEarlyPassesNothing() async throws {
        let listed = try await grade(try Repo.suite("course-python-pytest"), ["unit-attacks/exit_early"]).results[0]
        #expect(listed.tests.count == 7 && listed.tests.allSatisfy { $0.verdict == .runtimeError })
        #expect(listed.tests[0].message.contains("no result"))
        let unlisted = try await grade(try Repo.suite("course-python-pytest", "markers.yaml"), ["unit-attacks/exit_early"])
            .results[0]
        #expect(unlisted.tests.count == 1 && unlisted.verdict == .runtimeError && unlisted.score == 0)
    }

    @Test(.enabled(if: UnitToolchains.pytest, "python3-pytest is not installed; skipped"))
    func aLoopingTestEndsTheRunButKeepsTheFinishedOnes() async throws {
        var suite = try Repo.suite("course-python-pytest")
        suite.problems[0].limits.cpuTime = .seconds(3)
        suite.problems[0].limits.wallTime = .seconds(6)
        let r = try await grade(suite, ["unit-attacks/loop"]).results[0]
        let v = verdicts(r)
        #expect(v["test_add"] == .accepted && v["test_add_negative"] == .accepted)
        #expect(v["test_mean"] == .timeLimit)
        #expect(r.tests.first { $0.name == "test_mean" }?.message.hasPrefix("did not finish") == true)
        #expect(v["test_factorial[5-120]"] == .timeLimit)
        #expect(r.tests.first { $0.name == "test_factorial[5-120]" }?.message.hasPrefix("no result") == true)
        #expect(r.score == 2)
    }

    @Test(.enabled(if: UnitToolchains.pytest, "python3-pytest is not installed; skipped"))
    func aMillionLinesIsOneTestsBusiness() async throws {
        var suite = try Repo.suite("course-python-pytest")
        // Room for printing a million lines on a slow machine: the point is that they cost nothing else.
        suite.problems[0].limits.cpuTime = .seconds(60)
        suite.problems[0].limits.wallTime = .seconds(120)
        let r = try await grade(suite, ["unit-attacks/flood"]).results[0]
        #expect(r.verdict == .accepted, "\(r.tests.map { "\($0.name) \($0.verdict) \($0.message)" })")
        #expect(r.score == 10)
    }

    @Test(.enabled(if: UnitToolchains.pytest, "python3-pytest is not installed; skipped"))
    func aCrashOfTheFrameworkFailsTheRestOnly() async throws {
        let r = try await grade(try Repo.suite("course-python-pytest"), ["unit-attacks/crash"]).results[0]
        let v = verdicts(r)
        #expect(v["test_add"] == .accepted && v["test_mean"] == .accepted && v["test_mean_empty"] == .accepted)
        #expect(v["test_factorial[0-1]"] == .runtimeError)
        #expect(r.tests.first { $0.name == "test_factorial[0-1]" }?.message.contains("signal 11") == true)
        #expect(r.score == 6)
    }

    @Test(.enabled(if: UnitToolchains.gcc, "gcc is not installed; skipped"))
    func cHarnessCorrectWrongAndForged() async throws {
        let run = try await grade(
            try Repo.suite("course-c-harness"),
            ["course-c-harness/correct", "course-c-harness/wrong", "unit-attacks/forge_c"])
        #expect(run.results[0].verdict == .accepted && run.results[0].score == 8, "\(run.results[0].tests.map(\.message))")
        let v = verdicts(run.results[1])
        #expect(v["sum"] == .accepted && v["max"] == .accepted)
        #expect(v["sum_empty"] == .runtimeError && v["max_negative"] == .wrongAnswer && v["reverse"] == .wrongAnswer)
        #expect(run.results[1].tests.first { $0.name == "reverse" }?.message.contains("timed out") == true)
        #expect(run.results[1].score == 3)
        #expect(run.results[2].tests.allSatisfy { $0.verdict != .accepted }, "forged lines lack the token")
        #expect(run.results[2].tests[0].message.contains("without this run's token"))
    }

    @Test(.enabled(if: UnitToolchains.gcc, "gcc is not installed; skipped"))
    func aSubmissionThatDoesNotLinkIsCompileErrorForEveryTest() async throws {
        let r = try await grade(try Repo.suite("course-c-harness"), ["sum/sum.c"]).results[0]
        #expect(r.tests.count == 5 && r.tests.allSatisfy { $0.verdict == .compileError })
        #expect(r.score == 0 && r.maxScore == 8)
    }

    @Test(.enabled(if: Host.has("/usr/bin/node"), "Node.js is not installed; skipped"))
    func nodeTestThroughTAP() async throws {
        let run = try await grade(
            try Repo.suite("course-js-node-test"), ["course-js-node-test/correct", "course-js-node-test/wrong"])
        #expect(run.results[0].verdict == .accepted && run.results[0].score == 4, "\(run.results[0].tests.map(\.message))")
        let v = verdicts(run.results[1])
        #expect(v["converts freezing"] == .accepted && v["rounds to one decimal"] == .wrongAnswer)
        #expect(run.results[1].score == 2 && run.results[1].maxScore == 4)
    }

    @Test(.enabled(if: UnitToolchains.junit5, "junit5 (the console launcher) or a JDK is not installed; skipped"))
    func junit5CorrectAndWrong() async throws {
        let run = try await grade(
            try Repo.suite("course-java-junit"), ["course-java-junit/correct", "course-java-junit/wrong"])
        #expect(run.results[0].verdict == .accepted, "\(run.results[0].tests.map { "\($0.name) \($0.message)" })")
        #expect(run.results[0].score == 6)
        let v = verdicts(run.results[1])
        #expect(v["countsWords()"] == .accepted && v["longestWord()"] == .accepted)
        #expect(v["countsNothingInBlank()"] == .wrongAnswer && v["capitalizes()"] == .wrongAnswer)
        #expect(run.results[1].score == 3)
    }
}
