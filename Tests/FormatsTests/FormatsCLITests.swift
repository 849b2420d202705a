import Foundation
import TestSupport
import Testing

/// `proctor verify`, `eval` and `run --gradescope` as a user runs them (TestSupport's CLI:
/// the binary built beside the tests).
typealias Proctor = CLI

extension CLI {
    static func temporaryFolder() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "proctor-formats-cli-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        ).path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}

@Suite("formats CLI: usage")
struct FormatsUsageTests {
    @Test func checkReadsAPackage() throws {
        let r = try Proctor.run(["check", "Suites/kattis-hello"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("ok (1 problem, 4 tests)"))
    }

    @Test func badInputsExit2() throws {
        #expect(try Proctor.run(["verify", "Suites/sum"]).status == 2)
        #expect(
            try Proctor.run(["eval", "--dataset", "Fixtures/eval/tasks.jsonl", "--samples", "Fixtures/eval/tasks.jsonl"]).status
                == 2)
        #expect(try Proctor.run(["eval", "--dataset", "Fixtures/eval/tasks.jsonl", "--samples", "x", "-k", "0"]).status == 2)
    }
}

@Suite("formats CLI: runs (sandboxed)", .serialized, .enabled(SandboxSupport.reason) { await SandboxSupport.available() })
struct FormatsCLIRunTests {
    @Test func verifyWritesItsJSON() throws {
        let dir = try Proctor.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try Proctor.run(["verify", "Suites/kattis-guess", "--json", dir + "/v.json"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let o = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/v.json"))) as? [String: Any]
        #expect(o?["problem"] as? String == "kattis-guess" && o?["ok"] as? Bool == true)
        #expect((o?["submissions"] as? [[String: Any]])?.count == 3)
    }

    @Test func evalWritesTheResultsFileBesideTheSamples() throws {
        let dir = try Proctor.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let samples = """
            {"task_id": "t/add", "completion": "    return a + b\\n", "completion_id": 7}
            {"task_id": "t/add", "completion": "    return a * b\\n"}

            """
        try samples.write(toFile: dir + "/s.jsonl", atomically: true, encoding: .utf8)
        let r = try Proctor.run([
            "eval", "--dataset", "Fixtures/eval/tasks.jsonl.gz", "--samples", dir + "/s.jsonl", "-k", "1,2",
            "--json", dir + "/e.json",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("1/2 samples passed"))
        let lines = try String(contentsOfFile: dir + "/s.jsonl_results.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].hasSuffix("\"result\": \"passed\", \"passed\": true}"))
        #expect(lines[1].contains("\"result\": \"failed: \""))
        let o = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/e.json"))) as? [String: Any]
        #expect(o?["samples"] as? Int == 2 && o?["passed"] as? Int == 1)
        #expect((o?["pass_at_k"] as? [String: Double]) == ["1": 0.5, "2": 1])
        let results = o?["results"] as? [[String: Any]] ?? []
        #expect(results.map { $0["completion_id"] as? Int } == [7, 1])
    }

    @Test func evalReadsAnEvalPlusReleaseAndWritesBothShapes() throws {
        let dir = try Proctor.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: Repo.fixture("evalplus/mbpp_samples.jsonl"), toPath: dir + "/s.jsonl")
        let r = try Proctor.run([
            "eval", "--dataset", "Fixtures/evalplus/MbppPlus-mini.jsonl", "--samples", dir + "/s.jsonl", "-k", "1",
            "--json", dir + "/e.json",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("mbpp (base tests): 5/5 samples passed"), "\(r.stdout)")
        #expect(r.stdout.contains("mbpp+ (base + extra tests): 4/5 samples passed"), "\(r.stdout)")
        let o =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/s_eval_results.json")))
            as? [String: Any]
        let rows = (o?["eval"] as? [String: [[String: Any]]])?["Mbpp/3"] ?? []
        #expect(rows.map { $0["plus_status"] as? String } == ["pass", "fail"])
        #expect(rows.last?["plus_fail_tests"] as? [[Int]] == [[1]])
        let lines = try String(contentsOfFile: dir + "/s.jsonl_results.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 5)
        #expect(lines[4].contains("\"plus_status\":\"fail\"") && lines[4].contains("\"passed\":false"))
        let e = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/e.json"))) as? [String: Any]
        #expect(e?["passed"] as? Int == 4)
    }

    @Test func runWritesGradescopeResults() throws {
        let dir = try Proctor.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try Proctor.run([
            "run", "Suites/kattis-hello", "--solution", "Suites/kattis-hello/submissions/accepted/sum.py",
            "--gradescope", dir + "/results.json",
        ])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let o =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/results.json")))
            as? [String: Any]
        #expect(o?["score"] as? Double == 1)
        let tests = o?["tests"] as? [[String: Any]] ?? []
        #expect(tests.count == 4)
        #expect(tests.allSatisfy { $0["status"] as? String == "passed" })
    }
}
