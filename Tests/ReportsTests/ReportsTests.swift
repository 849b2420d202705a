import Foundation
import TestSupport
import Testing

@testable import Grading
@testable import Reports

#if canImport(FoundationXML)
import FoundationXML
#endif

/// A run whose programs printed everything XML and JSON find hard.
func hostileRun() -> RunResult {
    let nasty: [UInt8] =
        Array("ok ]]> <tag> & \"quote\" 'apos'\n".utf8) + [0x00, 0x01, 0x08, 0x0B, 0x0C, 0x1B, 0x7F]
        + [0xFF, 0xFE, 0xC3, 0x28, 0xED, 0xA0, 0x80, 0xEF, 0xBF, 0xBE] + Array(" end ]]>".utf8)
    let text = OutputText.sanitize(nasty)
    let limits = TestLimits().resolved
    let tests = [
        TestResult(
            name: "ok", group: "g", verdict: .accepted, score: 1, cpuTime: 0.01, wallTime: 0.02, memoryPeak: 1 << 20,
            exitCode: 0, stdoutExcerpt: text),
        TestResult(
            name: "wa ]]> \u{1}", group: "g", verdict: .wrongAnswer, message: "Wrong answer on line 1\nString tokens mismatch",
            difference: Difference(line: 1, column: 2, expected: "a]]>\\x00", got: "b\u{7}<", message: "x"),
            stdoutExcerpt: text, stderrExcerpt: text),
        TestResult(name: "je", group: nil, verdict: .judgeError, message: "checker failed: \u{0}\u{FFFE}"),
        TestResult(name: "skip", group: nil, verdict: .skipped, message: "not run"),
        TestResult(
            name: "tle", group: nil, verdict: .timeLimit, cpuTime: 1.5, wallTime: 1234.5678, message: "cpu time limit exceeded"),
    ]
    let problem = ProblemResult(
        suite: "s<&>", problem: "p\"1", title: "T ]]>", submission: "sol.c", submissionPath: "/x/sol.c",
        language: "c", limits: limits, verdict: .wrongAnswer, score: 1.5, maxScore: 5,
        compileMessage: nil, tests: tests,
        groups: [GroupResult(name: "g", points: 3, score: 1.5, aggregation: .sum)])
    var ce = problem
    ce.submission = "bad.c"
    ce.verdict = .compileError
    ce.compileMessage = "bad.c:1: error: \u{1B}[31mexpected ';'\u{1B}[0m ]]>"
    ce.tests = [TestResult(name: "ok", group: nil, verdict: .compileError, message: "compile error")]
    return RunResult(
        proctorVersion: "test", hostname: "host", started: Date(timeIntervalSince1970: 1_700_000_000),
        duration: 12.3456, results: [problem, ce])
}

func scratchFile(_ name: String) -> String {
    NSTemporaryDirectory() + "proctor-reports-\(getpid())-\(UUID().uuidString)-\(name)"
}

/// Runs xmllint; nil when it is not installed.
func xmllint(_ arguments: [String]) throws -> (Int32, String)? {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/xmllint") else { return nil }
    return try Host.run(["/usr/bin/xmllint"] + arguments)
}

@Suite("JUnit XML")
struct JUnitTests {
    static let schema =
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path + "/shared/junit/jenkins-junit-10.xsd"

    @Test func validatesAgainstTheJenkinsSchemaWhateverWasPrinted() throws {
        let path = scratchFile("junit.xml")
        defer { unlink(path) }
        try AtomicFile.write(try JUnitReport.render(hostileRun()), to: path)
        let schema = FileManager.default.fileExists(atPath: Self.schema) ? Self.schema : "/work/shared/junit/jenkins-junit-10.xsd"
        try #require(FileManager.default.fileExists(atPath: schema), "the Jenkins JUnit schema (shared/junit) is not here")
        let result = try #require(try xmllint(["--noout", "--schema", schema, path]), "xmllint (libxml2-utils) is not installed")
        #expect(result.0 == 0, "\(result.1)")
    }

    @Test func structure() throws {
        let xml = String(decoding: try JUnitReport.render(hostileRun()), as: UTF8.self)
        let doc = try XMLDocument(xmlString: xml)
        let cases = try doc.nodes(forXPath: "//testcase")
        #expect(cases.count == 6)
        let wa = try #require(try doc.nodes(forXPath: "//testcase[failure/@type='WA']").first as? XMLElement)
        #expect(wa.attribute(forName: "classname")?.stringValue == "p\"1.sol.c")
        #expect(wa.attribute(forName: "name")?.stringValue == "wa ]]> \\x01")
        let message = try #require(try doc.nodes(forXPath: "//failure[@type='WA']/@message").first?.stringValue)
        #expect(message.contains("line 1, column 2"))
        #expect(try doc.nodes(forXPath: "//error[@type='JE']").count == 1)
        #expect(try doc.nodes(forXPath: "//skipped").count == 1)
        #expect(try doc.nodes(forXPath: "//failure[@type='CE']").count == 1)
        #expect(try doc.nodes(forXPath: "//testsuite[1]/properties/property[@name='score']/@value").first?.stringValue == "1.50")
        let out = try #require(try doc.nodes(forXPath: "//testcase[@name='ok']/system-out").first?.stringValue)
        #expect(out.contains("]]> <tag> & \"quote\""), "text is escaped, not lost")
        #expect(out.contains("\\x00\\x01\\x08\\x0b\\x0c\\x1b\\x7f\\xff\\xfe\\xc3(\\xed\\xa0\\x80\\xef\\xbf\\xbe"))
        #expect(try doc.nodes(forXPath: "//testsuite[@failures='2'][@errors='1'][@skipped='1']").count == 1)
    }

    @Test func pairsOfClassnameAndNameAreUnique() throws {
        let doc = try XMLDocument(xmlString: String(decoding: try JUnitReport.render(hostileRun()), as: UTF8.self))
        let pairs = try doc.nodes(forXPath: "//testcase").compactMap { $0 as? XMLElement }.map {
            ($0.attribute(forName: "classname")?.stringValue ?? "") + "\u{0}" + ($0.attribute(forName: "name")?.stringValue ?? "")
        }
        #expect(Set(pairs).count == pairs.count)
    }
}

@Suite("JSON, HTML, terminal, atomic files")
struct OtherReportTests {
    @Test func jsonHasTheDocumentedShape() throws {
        let data = Data(try JSONReport.render(hostileRun()))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(root["schema"] as? String == "proctor.report/1")
        #expect(root["proctor_version"] as? String == "test")
        #expect((root["machine"] as? [String: Any])?["hostname"] as? String == "host")
        #expect(root["started_at"] as? String == "2023-11-14T22:13:20Z")
        let results = try #require(root["results"] as? [[String: Any]])
        #expect(results.count == 2)
        #expect(results[0]["verdict"] as? String == "WA")
        #expect(results[0]["max_score"] as? Double == 5)
        let tests = try #require(results[0]["tests"] as? [[String: Any]])
        #expect(tests[1]["verdict"] as? String == "WA")
        #expect((tests[1]["difference"] as? [String: Any])?["line"] as? Int == 1)
        #expect(tests[0]["wall_time"] as? Double == 0.02)
        #expect(results[1]["compile_message"] as? String != nil)
    }

    @Test func jsonSchemaFileIsValidJSONAndNamesTheVersion() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        for name in ["report.schema.json", "suite.schema.json"] {
            let data = try Data(contentsOf: URL(fileURLWithPath: root + "/Schemas/" + name))
            #expect(try JSONSerialization.jsonObject(with: data) is [String: Any], "\(name)")
        }
        let report = try String(contentsOfFile: root + "/Schemas/report.schema.json", encoding: .utf8)
        #expect(report.contains(JSONReport.schema))
    }

    @Test func htmlIsSelfContainedAndEscaped() {
        let html = String(decoding: HTMLReport.render(hostileRun()), as: UTF8.self)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("src=") && !html.contains("<link"))
        #expect(html.contains("p&quot;1"))
        #expect(html.contains("expected: a]]&gt;\\x00"))
        #expect(!html.contains("<tag>"))
    }

    @Test func terminalSummaryColoursOnlyWhenAsked() {
        let plain = TerminalSummary(colour: false).render(hostileRun())
        #expect(!plain.contains("\u{1B}["))
        #expect(plain.contains("PROBLEM") && plain.contains("first difference at line 1, column 2"))
        #expect(TerminalSummary(colour: true).render(hostileRun()).contains("\u{1B}[31m"))
    }

    @Test func atomicWriteReplacesWholeAndLeavesNoTemporary() throws {
        let folder = scratchFile("dir")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/report.json"
        try AtomicFile.write("old", to: path)
        try AtomicFile.write("new", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["report.json"])
        #expect(throws: ReportError.self) { try AtomicFile.write("x", to: folder + "/missing/report.json") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["report.json"])
    }
}
