import Foundation
import Grading
import TestSupport
import Testing

@testable import Formats

/// submissions.yaml as the spec (2023-07, 2025-09) writes it: globs, the default
/// directories, errors that name the line.
@Suite("Kattis packages: the spec's submission rules (parsing, globs)")
struct SubmissionRulesParsingTests {
    @Test("globs: * within a name, {a,b} alternatives, a folder above matches, [ and ? literal")
    func globs() {
        #expect(SubmissionRules.matches("accepted", "accepted/x.py"))
        #expect(SubmissionRules.matches("accepted/*", "accepted/x.py"))
        #expect(!SubmissionRules.matches("accepted/*", "wrong_answer/x.py"))
        #expect(SubmissionRules.matches("*/x.py", "wrong_answer/x.py"))
        #expect(SubmissionRules.matches("*", "accepted/sub/x.py"))  // its folder "accepted" matches
        #expect(SubmissionRules.matches("secret/*-easy", "secret/03-easy"))
        #expect(!SubmissionRules.matches("secret/*-easy", "secret/g/03-easy"))
        #expect(SubmissionRules.matches("secret/g", "secret/g/03-easy"))
        #expect(SubmissionRules.matches("author.{py,cpp}", "author.cpp"))
        #expect(!SubmissionRules.matches("author.{py,cpp}", "author.java"))
        #expect(SubmissionRules.expand("{a,b{c,d}}x") == ["ax", "bcx", "bdx"])
        #expect(!SubmissionRules.matches("a[bc]", "ab") && SubmissionRules.matches("a[bc]", "a[bc]"))
        #expect(!SubmissionRules.matches("a?", "ab"))
    }

    @Test("a directory's own key replaces the keys it gives; other globs add requirements")
    func defaultsAndOverrides() throws {
        let rules = try SubmissionRules(
            yaml: """
                time_limit_exceeded:
                  permitted: [AC, WA, TLE]
                time_limit_exceeded/*:
                  secret/easy:
                    permitted: [AC]
                """, name: "submissions.yaml")
        let rs = rules.requirements(for: "time_limit_exceeded/slow.py")
        #expect(rs.count == 2)
        #expect(rs[0].permitted == [.AC, .WA, .TLE] && rs[0].required == [.TLE], "required is inherited from the default")
        #expect(rs[0].source == "submissions.yaml:1 (time_limit_exceeded)")
        #expect(rs[1].tests == "secret/easy" && rs[1].permitted == [.AC] && rs[1].source.hasPrefix("submissions.yaml:4"))
        #expect(rs[0].upperBound && !rs[0].lowerBound && rs[1].lowerBound)
        let plain = SubmissionRules().requirements(for: "wrong_answer/x.py")
        #expect(plain.count == 1 && plain[0].permitted == [.AC, .WA] && plain[0].required == [.WA])
        #expect(SubmissionRules().requirements(for: "mine/x.py").isEmpty)
    }

    @Test(
        "bad submissions.yaml: an error naming the line",
        arguments: [
            ("accepted:\n  permitted: [AC, OK]\n", ":2", "'OK' is not one of"),
            ("x.py:\n  sample:\n    colour: red\n", ":3", "'colour' under 'sample'"),
            ("x.py:\n  use_for_time_limit: maybe\n", ":2", "use_for_time_limit"),
            ("x.py:\n  secret:\n    score: 3\n", ":3", "not supported"),
            ("- a\n- b\n", ":1", "a mapping of submission globs"),
            ("x.py: 3\n", ":1", "a mapping expected"),
        ])
    func errors(_ text: String, _ line: String, _ words: String) {
        do {
            _ = try SubmissionRules(yaml: text, name: "p/submissions/submissions.yaml")
            Issue.record("no error for \(text)")
        } catch {
            #expect("\(error)".contains("p/submissions/submissions.yaml\(line)"), "\(error)")
            #expect("\(error)".contains(words), "\(error)")
        }
    }

    @Test("requirements on test verdicts: memory and output limits are RTE; the time limit turns slow runs to TLE")
    func violations() {
        func t(_ name: String, _ v: Grading.Verdict, cpu: Double = 0.1) -> TestResult {
            TestResult(name: name, group: nil, verdict: v, cpuTime: cpu)
        }
        let results = [t("sample/1", .accepted), t("secret/a", .wrongAnswer), t("secret/b", .memoryLimit, cpu: 0.2)]
        let wa = SubmissionRules.Requirement(permitted: [.AC, .WA], required: [.WA], source: "wa")
        #expect(
            SubmissionRules.violation(of: wa, results: results, score: nil, timeLimit: 1)?.contains("secret/b got RTE") == true)
        let rte = SubmissionRules.Requirement(permitted: [.AC, .WA, .RTE], required: [.RTE], source: "rte")
        #expect(SubmissionRules.violation(of: rte, results: results, score: nil, timeLimit: 1) == nil)
        #expect(SubmissionRules.violation(of: rte, results: results, score: nil, timeLimit: 0.15)?.contains("got TLE") == true)
        let onlySample = SubmissionRules.Requirement(tests: "sample", permitted: [.AC], source: "s")
        #expect(SubmissionRules.violation(of: onlySample, results: results, score: nil, timeLimit: 1) == nil)
    }
}

/// The rules judging real runs: the fixture's every submission is what its rules want, and
/// a rule that does not hold is found, with its line.
@Suite(
    "Kattis packages: the spec's submission rules (sandboxed)", .serialized,
    .enabled(SandboxSupport.reason) { await SandboxSupport.available() })
struct SubmissionRulesVerifyTests {
    func verify(_ path: String) async throws -> VerifyResult {
        var options = GradingOptions()
        options.jobs = 2
        return try await KattisVerifier(options: options).verify(try KattisPackage.load(path))
    }

    @Test("the fixture: defaults per directory, a folder only submissions.yaml knows, group globs")
    func fixture() async throws {
        let v = try await verify(Repo.fixture("kattis/specrules"))
        #expect(v.ok, "\(v.submissions.map { "\($0.path): \($0.message)" })")
        #expect(v.expectations == "the problem package spec's submission rules")
        #expect(v.submissions.count == 6 && v.submissions.allSatisfy { $0.skipped == nil })
        #expect(v.timeLimitComputed && v.timeLimit == 1)
    }

    @Test("a requirement that does not hold fails the submission and names submissions.yaml's line")
    func violated() async throws {
        let yaml = try String(contentsOfFile: Repo.fixture("kattis/specrules/submissions/submissions.yaml"), encoding: .utf8)
        let t = try TempPackage(
            ["submissions/submissions.yaml": yaml + "wrong_answer:\n  required: [TLE]\n"],
            copying: Repo.fixture("kattis/specrules"))
        defer { t.remove() }
        let v = try await verify(t.dir)
        #expect(!v.ok)
        let wa = try #require(v.submissions.first { $0.path == "submissions/wrong_answer/off_by_one.py" })
        let line = yaml.filter { $0 == "\n" }.count + 1
        #expect(
            !wa.ok && wa.message.contains("required [TLE]") && wa.message.contains("submissions.yaml:\(line)"), "\(wa.message)")
        #expect(v.submissions.filter { !$0.ok }.count == 1)
    }

    /// The difference that matters: problemtools' folder rules stop a wrong_answer
    /// submission at its first WA; the spec's permitted set must hold on every test.
    @Test("a wrong answer that also times out: OK by problemtools' folder rules, a violation by the spec's")
    func everyTestCounts() async throws {
        let slowAndWrong = "n = int(input())\nif n > 1000:\n    while True: pass\nprint(n)\n"
        let spec = try TempPackage(
            ["submissions/wrong_answer/wa_then_loop.py": slowAndWrong], copying: Repo.fixture("kattis/specrules"))
        defer { spec.remove() }
        let v = try await verify(spec.dir)
        let s = try #require(v.submissions.first { $0.path.hasSuffix("wa_then_loop.py") })
        #expect(!s.ok && s.message.contains("hard-1 got TLE") && s.message.contains("[AC, WA]"), "\(s.message)")
        // The same package in the legacy format: problemtools' rules, the final verdict WA.
        let legacy = try TempPackage(
            [
                "problem.yaml": "name: Triangle numbers\n",
                "submissions/wrong_answer/wa_then_loop.py": slowAndWrong,
                "submissions/submissions.yaml": "# ignored by the legacy format\n",
            ], copying: Repo.fixture("kattis/specrules"))
        defer { legacy.remove() }
        try FileManager.default.removeItem(atPath: legacy.dir + "/submissions/mixed")
        let l = try await verify(legacy.dir)
        let ls = try #require(l.submissions.first { $0.path.hasSuffix("wa_then_loop.py") })
        #expect(ls.ok && ls.verdict == .wrongAnswer, "\(ls.message)")
        #expect(l.expectations == "problemtools' folder rules")
    }
}
