import Foundation
import SystemPackage
import Testing

@testable import Grading

/// A scratch folder with a suite file (and any other files) in it.
struct SuiteFolder {
    let path: String

    init(_ suite: String, files: [String: String] = [:]) throws {
        path = NSTemporaryDirectory() + "proctor-suite-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try suite.write(toFile: path + "/suite.yaml", atomically: true, encoding: .utf8)
        for (name, text) in files {
            let file = path + "/" + name
            try FileManager.default.createDirectory(
                atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: file, atomically: true, encoding: .utf8)
        }
    }

    var suitePath: FilePath { FilePath(path + "/suite.yaml") }

    func load() throws -> Suite { try SuiteLoader.load(suitePath) }

    /// The diagnostics of an invalid suite, as "line:column: message".
    func errors() -> [String] {
        do {
            _ = try load()
            return []
        } catch let e as GradingError {
            return e.diagnostics.map { "\($0.line):\($0.column): \($0.message)" }
        } catch {
            return ["unexpected \(error)"]
        }
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Every prefix starts one of the errors ("line:column: message").
func expectErrors(_ errors: [String], _ prefixes: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    for prefix in prefixes {
        #expect(
            errors.contains { $0.hasPrefix(prefix) }, "no error starts with \(prefix): \(errors)", sourceLocation: sourceLocation)
    }
}

@Suite("Suite files")
struct SuiteLoaderTests {
    @Test("executable: a file name or a relative path of plain names, never out of the folder")
    func executableKey() throws {
        for (value, ok) in [("rpn", true), ("bin/rpn", true), ("../rpn", false), ("/usr/bin/rpn", false), ("a b", false)] {
            let f = try SuiteFolder(
                "problems:\n  - id: p\n    executable: \"\(value)\"\n    tests: [{name: t, input: \"\", answer: \"\"}]\n")
            defer { f.remove() }
            if ok {
                #expect(try f.load().problems[0].executable == value)
            } else {
                expectErrors(f.errors(), ["3:17: executable '\(value)'"])
            }
        }
    }

    @Test func minimalSuite() throws {
        let f = try SuiteFolder(
            """
            problems:
              - id: p
                tests:
                  - name: one
                    input: "1\\n"
                    answer: "1\\n"
            """)
        defer { f.remove() }
        let s = try f.load()
        #expect(s.name == "suite")
        let p = try #require(s.problems.first)
        #expect(p.kind == .stdio)
        #expect(p.comparison == .builtin(.tokens(TokenFlags())))
        #expect(p.tests.map(\.name) == ["one"])
        #expect(p.tests[0].input == .inline(Array("1\n".utf8)))
        #expect(p.maxScore == 1)
    }

    @Test func everyFeature() throws {
        let f = try SuiteFolder(
            """
            version: 1
            name: full
            problems:
              - id: p
                title: Everything
                limits: {time: 500ms, wall_time: 2s, memory: 128M, output: 1M, processes: 8}
                compare: {mode: tokens, case_sensitive: true, float_absolute_tolerance: 0.5, float_relative_tolerance: 1e-3}
                files: [extra.txt, {source: extra.txt, target: sub/renamed.txt}]
                groups:
                  - {name: a, points: 40, aggregation: min}
                  - {name: b, points: 60}
                tests:
                  - {name: t1, input: "x", answer: "y", group: a, limits: {time: 1s}}
                  - {glob: "data/*.in", group: b}
            """, files: ["extra.txt": "hi", "data/2.in": "2", "data/2.ans": "2", "data/10.in": "10", "data/10.out": "10"])
        defer { f.remove() }
        let p = try #require(try f.load().problems.first)
        #expect(
            p.limits
                == TestLimits(
                    cpuTime: .milliseconds(500), wallTime: .seconds(2), memory: 128 << 20, output: 1 << 20, processes: 8))
        #expect(
            p.comparison
                == .builtin(.tokens(TokenFlags(caseSensitive: true, floatAbsoluteTolerance: 0.5, floatRelativeTolerance: 1e-3))))
        #expect(p.files.map(\.target) == ["extra.txt", "sub/renamed.txt"])
        #expect(
            p.groups == [
                TestGroup(name: "a", points: 40, aggregation: .min), TestGroup(name: "b", points: 60, aggregation: .sum),
            ])
        #expect(p.tests.map(\.name) == ["t1", "2", "10"], "globs sort numerically")
        guard case .file(let answer)? = p.tests[2].answer else {
            Issue.record("no answer file")
            return
        }
        #expect(answer.relative == FilePath("data/10.out"), ".out when there is no .ans")
        #expect(answer.root.folder == FilePath(f.path))
        #expect(p.tests[0].limits.cpuTime == .seconds(1))
        #expect(p.limits.overridden(by: p.tests[0].limits).resolved.cpuTime == .seconds(1))
        #expect(p.maxScore == 100)
    }

    @Test func unknownKeySuggestsTheRightOne() throws {
        let f = try SuiteFolder(
            """
            problems:
              - id: p
                limits:
                  tme: 1s
                tests:
                  - name: one
                    input: ""
                    answr: ""
            """)
        defer { f.remove() }
        let errors = f.errors()
        expectErrors(
            errors,
            [
                "4:7: unknown key 'tme' in limits; did you mean 'time'?",
                "8:9: unknown key 'answr' in a test; did you mean 'answer'?",
            ])
    }

    @Test func malformedYAMLNamesLineAndColumn() throws {
        let f = try SuiteFolder("problems:\n  - id: p\n    tests: [\n")
        defer { f.remove() }
        let errors = f.errors()
        #expect(errors.count == 1)
        #expect(errors.first?.contains("invalid YAML") == true)
        #expect(errors.first?.hasPrefix("4:1") == true)
    }

    @Test func wrongTypesAndValues() throws {
        let f = try SuiteFolder(
            """
            problems:
              - id: p
                kind: interctive
                limits: {time: fast, memory: lots}
                compare: {mode: exact, case_sensitive: true}
                tests: {}
            """)
        defer { f.remove() }
        let errors = f.errors()
        expectErrors(
            errors,
            [
                "3:11: kind must be one of stdio, command, interactive, unit, not 'interctive'; did you mean 'interactive'?",
                "4:20: limits.time (CPU time) must be a duration",
                "4:34: limits.memory must be a size",
                "5:28: validator flags apply to mode: tokens only",
                "6:12: tests must be a list",
            ])
    }

    @Test func missingFilesAndAnswers() throws {
        let f = try SuiteFolder(
            """
            problems:
              - id: p
                files: [nothere.txt]
                tests:
                  - name: a
                    input: "1"
                  - glob: data/*.in
                  - glob: none/*.in
            """, files: ["data/1.in": "1"])
        defer { f.remove() }
        let errors = f.errors()
        expectErrors(
            errors,
            [
                "3:13: a file: no such file",
                "5:9: test 'a' needs 'answer' or 'answer_file'",
                "7:15: no answer for 1.in (looked for 1.ans and 1.out)",
                "8:15: glob 'none/*.in' matches no file",
            ])
    }

    @Test func groupsAndNamesAreChecked() throws {
        let f = try SuiteFolder(
            """
            problems:
              - id: p
                groups: [{name: small, points: 10}]
                tests:
                  - {name: a, input: "", answer: "", group: smal}
                  - {name: a, input: "", answer: ""}
              - id: p
                kind: command
                tests:
                  - {name: c}
            """)
        defer { f.remove() }
        let errors = f.errors()
        expectErrors(
            errors,
            [
                "5:9: test 'a' names group 'smal', which problem 'p' does not declare; did you mean 'small'?",
                "6:9: duplicate test name 'a'",
                "6:9: test 'a' has no group",
                "10:9: test 'c' needs 'command'",
                "7:5: duplicate problem id 'p'",
            ])
    }

    @Test func kindsNeedTheirParts() throws {
        let f = try SuiteFolder(
            """
            problems:
              - id: i
                kind: interactive
                tests: [{name: t, input: "1"}]
              - id: c
                checker: {source: check.py, args: [a]}
                compare: exact
                tests: [{name: t, input: "1"}]
            """, files: ["check.py": ""])
        defer { f.remove() }
        let errors = f.errors()
        expectErrors(
            errors,
            [
                "2:5: an interactive problem needs 'interactor'",
                "7:14: a problem has 'compare' or 'checker', not both",
            ])
    }

    @Test func shippedSuitesAreValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        // Kattis problem packages (a folder with problem.yaml) are not suite files.
        let suites = try FileManager.default.subpathsOfDirectory(atPath: root.path + "/Suites").filter { $0.hasSuffix(".yaml") }
            .filter {
                !FileManager.default.fileExists(
                    atPath: root.path + "/Suites/" + ($0.split(separator: "/").first.map(String.init) ?? "") + "/problem.yaml")
            }
        #expect(suites.count >= 6)
        for s in suites {
            #expect(throws: Never.self) { try SuiteLoader.load(FilePath(root.path + "/Suites/" + s)) }
        }
    }

    @Test func levenshtein() {
        #expect(YAMLReader.distance("kitten", "sitting") == 3)
        #expect(YAMLReader.distance("tset", "tests") == 2)
        #expect(YAMLReader.suggestion(for: "test", among: ["tests", "title"]) == "tests")
        #expect(YAMLReader.suggestion(for: "zzzzzz", among: ["tests", "title"]) == nil)
    }
}

@Suite("Languages")
struct LanguageTests {
    @Test func detectsByExtension() throws {
        let t = LanguageTable()
        #expect(t.detect("a/b.c")?.id == "c")
        #expect(t.detect("x.CPP")?.id == "cpp")
        #expect(t.detect("Main.java")?.id == "java")
        #expect(t.detect("s.py")?.id == "python3")
        #expect(t.detect("s.js")?.id == "javascript")
        #expect(t.detect("s.rs")?.id == "rust")
        #expect(t.detect("s.swift")?.id == "swift")
        #expect(t.detect("s.sh")?.id == "bash")
        #expect(t.detect("s.unknown") == nil)
    }

    @Test func unknownLanguageIsAClearError() {
        #expect(throws: GradingError.self) { try LanguageTable().resolve("x.py", id: "pyhton3") }
        do {
            _ = try LanguageTable().resolve("x.py", id: "pyhton3")
        } catch {
            #expect("\(error)".contains("did you mean 'python3'?"))
        }
        #expect(throws: GradingError.self) { try LanguageTable().resolve("x.zzz", id: nil) }
    }

    @Test func missingToolchainIsReported() {
        var l = Language.builtIn[0]
        l.requires = ["/nonexistent/cc"]
        #expect(l.missingTools == ["/nonexistent/cc"])
        #expect(l.toolchainProblem?.contains("not installed") == true)
    }

    @Test func extendedByYAML() throws {
        let f = try SuiteFolder(
            "",
            files: [
                "langs.yaml": """
                languages:
                  - id: pypy
                    name: PyPy
                    extensions: [pypy]
                    file_name: solution.py
                    run: [/usr/bin/pypy3, solution.py]
                    requires: [/usr/bin/pypy3]
                    memory_allowance: 64M
                  - id: c
                    compile: [/usr/bin/gcc, -O0, -o, solution, solution.c]
                """
            ])
        defer { f.remove() }
        var t = LanguageTable()
        try t.load(FilePath(f.path + "/langs.yaml"))
        #expect(t.language(id: "pypy")?.memoryAllowance == 64 << 20)
        #expect(t.detect("a.pypy")?.name == "PyPy")
        #expect(t.language(id: "c")?.compile?[1] == "-O0")
        #expect(t.language(id: "c")?.run == ["./solution"], "fields not given keep the built-in values")
    }

    @Test func badLanguageFile() throws {
        let f = try SuiteFolder("", files: ["langs.yaml": "languages:\n  - id: x\n    rn: [a]\n"])
        defer { f.remove() }
        var t = LanguageTable()
        let e = #expect(throws: GradingError.self) { try t.load(FilePath(f.path + "/langs.yaml")) }
        #expect(e?.code == .invalidSuite && e?.diagnostics.isEmpty == false, "every problem of the file, each at its place")
    }
}

@Suite("Scores and verdicts")
struct ScoreTests {
    func problem(_ groups: [TestGroup]) -> Problem {
        Problem(
            id: "p", title: nil, kind: .stdio, limits: .init(), comparison: .builtin(.exact), interactor: nil, files: [],
            tests: [], groups: groups)
    }

    func result(_ group: String?, _ v: Verdict, score: Double? = nil) -> TestResult {
        TestResult(name: "t", group: group, verdict: v, score: score ?? (v == .accepted ? 1 : 0))
    }

    @Test func sumAndMin() {
        let p = problem([
            TestGroup(name: "a", points: 30, aggregation: .min), TestGroup(name: "b", points: 70, aggregation: .sum),
        ])
        let (v, score, groups) = ProblemResult.score(
            p,
            tests: [
                result("a", .accepted), result("a", .accepted), result("b", .accepted), result("b", .timeLimit),
            ])
        #expect(v == .timeLimit)
        #expect(score == 65)
        #expect(groups.map(\.score) == [30, 35])
        let (_, allOrNothing, _) = ProblemResult.score(p, tests: [result("a", .accepted), result("a", .wrongAnswer)])
        #expect(allOrNothing == 0)
    }

    @Test func partialScoresFromAChecker() {
        let p = problem([TestGroup(name: "a", points: 10, aggregation: .sum)])
        let (_, score, _) = ProblemResult.score(p, tests: [result("a", .accepted, score: 0.5), result("a", .accepted)])
        #expect(score == 7.5)
    }

    @Test func noGroupsOnePointPerTest() {
        let (v, score, _) = ProblemResult.score(
            problem([]), tests: [result(nil, .accepted), result(nil, .wrongAnswer), result(nil, .accepted)])
        #expect(v == .wrongAnswer && score == 2)
    }

    @Test func verdictOfARun() {
        #expect(Verdict.of(.init(status: .exited, exitCode: 0)) == nil)
        #expect(Verdict.of(.init(status: .exited, exitCode: 1)) == .runtimeError)
        #expect(Verdict.of(.init(status: .signaled, signal: 11)) == .runtimeError)
        #expect(Verdict.of(.init(status: .cpuTimeLimit)) == .timeLimit)
        #expect(Verdict.of(.init(status: .wallTimeLimit)) == .timeLimit)
        #expect(Verdict.of(.init(status: .memoryLimit)) == .memoryLimit)
        #expect(Verdict.of(.init(status: .outputLimit)) == .outputLimit)
        #expect(Verdict.of(.init(status: .sandboxError)) == .judgeError)
    }

    @Test func sanitizedOutput() {
        #expect(OutputText.sanitize([0x61, 0x00, 0x0A, 0xFF, 0x1B]) == "a\\x00\n\\xff\\x1b")
        #expect(OutputText.sanitize(Array("héllo".utf8)) == "héllo")
        #expect(OutputText.sanitize(Array("abcdef".utf8), limit: 3) == "abc\n[… 3 more bytes]")
    }
}
