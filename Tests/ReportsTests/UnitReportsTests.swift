import Foundation
import SystemPackage
import TestSupport
import Testing

@testable import Grading
@testable import Reports

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Unit suites in the reports: one Gradescope test and one JUnit testcase per unit test,
/// with its weight as max_score and its visibility (a real run of the C harness example).
@Suite(
    "Unit tests in the reports (sandboxed)", .serialized,
    .enabled(SandboxSupport.reason) { await SandboxSupport.available() },
    .enabled(if: FileManager.default.fileExists(atPath: "/usr/bin/gcc"), "gcc is not installed; skipped"))
struct UnitReportsTests {
    func run() async throws -> RunResult {
        let grader = Grader()
        let suite = try SuiteLoader.load(FilePath(Repo.root + "/Suites/course-c-harness/suite.yaml"))
        return try await grader.grade(
            suites: [suite], submissions: [try grader.submission(Repo.fixture("course-c-harness/wrong"), language: nil)])
    }

    @Test func gradescopeHasOneEntryPerUnitTestWithWeightAndVisibility() async throws {
        let run = try await run()
        let json = try JSONSerialization.jsonObject(with: Data(try GradescopeReport.render(run))) as! [String: Any]
        let tests = try #require(json["tests"] as? [[String: Any]])
        #expect(tests.map { $0["name"] as? String } == ["sum", "sum_empty", "max", "max_negative", "reverse"])
        #expect(tests.map { $0["max_score"] as? Double } == [1, 1, 2, 2, 2])
        #expect(tests.map { $0["score"] as? Double } == [1, 0, 2, 0, 0])
        #expect(
            tests.map { $0["visibility"] as? String } == ["visible", "visible", "visible", "after_due_date", "hidden"])
        #expect(json["score"] as? Double == 3)
        // The JSON report carries them too (for `proctor merge`, the server's job documents).
        let report = try JSONSerialization.jsonObject(with: Data(try JSONReport.render(run))) as! [String: Any]
        let first = try #require((report["results"] as? [[String: Any]])?.first?["tests"] as? [[String: Any]])
        #expect(first.map { $0["weight"] as? Double } == [1, 1, 2, 2, 2])
        #expect(first.last?["visibility"] as? String == "hidden")
    }

    @Test func junitHasOneTestcasePerUnitTestAndTheirWeights() async throws {
        let run = try await run()
        let bytes = try JUnitReport.render(run)
        let doc = try XMLDocument(xmlString: String(decoding: bytes, as: UTF8.self))
        let names = try doc.nodes(forXPath: "//testcase/@name").map { $0.stringValue ?? "" }
        #expect(names == ["sum", "sum_empty", "max", "max_negative", "reverse"])
        #expect(try doc.nodes(forXPath: "//testcase[failure]").count == 3)
        let weight = try doc.nodes(forXPath: "//property[@name='test.max.weight']/@value").first?.stringValue
        #expect(weight == "2")
        let hidden = try doc.nodes(forXPath: "//property[@name='test.reverse.visibility']/@value").first?.stringValue
        #expect(hidden == "hidden")
        let path = scratchFile("unit-junit.xml")
        defer { unlink(path) }
        try AtomicFile.write(bytes, to: path)
        let schema =
            FileManager.default.fileExists(atPath: JUnitTests.schema)
            ? JUnitTests.schema : "/work/shared/junit/jenkins-junit-10.xsd"
        if FileManager.default.fileExists(atPath: schema), let result = try xmllint(["--noout", "--schema", schema, path]) {
            #expect(result.0 == 0, "\(result.1)")
        }
    }

    /// MAX CPU of a unit problem is its framework run's CPU time (the wrong lab's `reverse`
    /// loops for its 2 s), not 0: no single unit test has a CPU time of its own.
    @Test func maxCPUIsTheFrameworkRun() async throws {
        let run = try await run()
        let cpu = try #require(run.results[0].frameworkCPUTime)
        #expect(cpu > 0.05 && run.results[0].maxCPUTime == cpu, "\(cpu)")
        let table = TerminalSummary(colour: false).render(run).split(separator: "\n")
        let row = try #require(table.first { $0.hasPrefix("stats") }).trimmingCharacters(in: .whitespaces)
        #expect(row.hasSuffix(String(format: "%.2fs", cpu)) && !row.hasSuffix(" 0.00s"), "\(row)")
        // The JSON report carries it, and `proctor merge` reads it back.
        let report = try JSONReport.render(run)
        let json = try JSONSerialization.jsonObject(with: Data(report)) as! [String: Any]
        #expect((json["results"] as? [[String: Any]])?.first?["framework_cpu_time"] as? Double == cpu)
        #expect(try ShardMerge.runResult(JSONReport.decode(report)).results[0].frameworkCPUTime == cpu)
    }
}
