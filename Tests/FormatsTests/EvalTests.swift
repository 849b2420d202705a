import Foundation
import Sandbox
import SystemPackage
import TestSupport
import Testing

@testable import Formats
@testable import Grading
@testable import Reports

@Suite("eval: datasets, pass@k, results files")
struct EvalFormatTests {
    @Test func passAtKMatchesTheReferenceEstimator() {
        // 1 - comb(n - c, k) / comb(n, k)
        #expect(abs(HumanEval.passAtK(n: 10, c: 3, k: 1) - 0.3) < 1e-12)
        #expect(abs(HumanEval.passAtK(n: 10, c: 3, k: 5) - (1 - 21.0 / 252.0)) < 1e-12)
        #expect(HumanEval.passAtK(n: 10, c: 8, k: 5) == 1)
        #expect(HumanEval.passAtK(n: 5, c: 0, k: 1) == 0)
        // Large n stays finite (no big binomials).
        let big = HumanEval.passAtK(n: 1000, c: 10, k: 100)
        #expect(big > 0.6 && big < 1)
    }

    @Test func passAtKOnlyForKEveryTaskHas() {
        let rs = [
            EvalSampleResult(taskID: "a", completionID: 0, passed: true, result: "passed"),
            EvalSampleResult(taskID: "a", completionID: 1, passed: false, result: "failed: "),
            EvalSampleResult(taskID: "b", completionID: 0, passed: false, result: "timed out"),
        ]
        let p = HumanEval.passAtK(rs, ks: [1, 2, 10])
        #expect(p.keys.sorted() == [1])
        #expect(abs(p[1]! - 0.25) < 1e-12)
    }

    @Test func gzipAndPlainDatasetsReadAlike() throws {
        let plain = try HumanEval.loadDataset(Repo.fixture("eval/tasks.jsonl"))
        let gz = try HumanEval.loadDataset(Repo.fixture("eval/tasks.jsonl.gz"))
        #expect(plain == gz)
        #expect(plain["t/add"]?.entryPoint == "add")
        let program = HumanEval.program(plain["t/add"]!, "    return a + b\n")
        #expect(program.hasSuffix("\ncheck(add)"))
        #expect(program.hasPrefix("def add(a, b):\n    return a + b\n\ndef check(f):"))
    }

    @Test func invalidLinesAreNamed() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-eval-bad-\(getpid()).jsonl").path
        try "{\"task_id\": \"x\"}\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { unlink(path) }
        #expect(throws: FormatsError.self) { try HumanEval.loadDataset(path) }
        #expect(throws: FormatsError.self) { try HumanEval.loadSamples(path) }
    }

    @Test func resultLineKeepsTheSampleAndAddsResultAndPassed() throws {
        let s = EvalSample(
            taskID: "t/add", completion: "x", completionID: nil,
            line: "{\"task_id\": \"t/add\", \"completion\": \"x\", \"extra\": [1, 2]}")
        let line = HumanEval.resultLine(
            s, EvalSampleResult(taskID: "t/add", completionID: 0, passed: false, result: "failed: \"quoted\""))
        let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(o["result"] as? String == "failed: \"quoted\"")
        #expect(o["passed"] as? Bool == false)
        #expect(o["extra"] as? [Int] == [1, 2])
        #expect(line.hasPrefix("{\"task_id\": \"t/add\", \"completion\": \"x\""))
    }

    @Test func evalReportShape() throws {
        let r = EvalResult(
            samples: 2, passed: 1, passAtK: [1: 0.5],
            results: [
                EvalSampleResult(taskID: "a", completionID: 0, passed: true, result: "passed"),
                EvalSampleResult(taskID: "a", completionID: nil, passed: false, result: "timed out"),
            ], duration: 1)
        let o = try #require(try JSONSerialization.jsonObject(with: Data(EvalReport.render(r))) as? [String: Any])
        #expect(o["samples"] as? Int == 2 && o["passed"] as? Int == 1)
        #expect((o["pass_at_k"] as? [String: Double])?["1"] == 0.5)
        let results = o["results"] as? [[String: Any]] ?? []
        #expect(results[0]["task_id"] as? String == "a" && results[0]["completion_id"] as? Int == 0)
        #expect(results[1]["completion_id"] is NSNull)
    }
}

@Suite(
    "eval: samples in sandboxes, attacks contained (sandboxed)", .serialized,
    .enabled(SandboxSupport.reason) { await SandboxSupport.available() })
struct EvalSandboxTests {
    /// Runs the attack fixtures once; each sample's result by its "name".
    static func run() async throws -> [String: EvalSampleResult] {
        let tasks = try HumanEval.loadDataset(Repo.fixture("eval/tasks.jsonl"))
        let samples = try HumanEval.loadSamples(Repo.fixture("eval/attacks.jsonl"))
        var options = EvalOptions()
        options.jobs = 1  // one warm interpreter: every sample follows the one before it
        options.timeout = 1
        let result = try await Evaluator(options: options).evaluate(tasks: tasks, samples: samples)
        var out: [String: EvalSampleResult] = [:]
        for (s, r) in zip(samples, result.results) {
            let name = (try JSONSerialization.jsonObject(with: Data(s.line.utf8)) as? [String: Any])?["name"] as? String ?? ""
            out[name] = r
        }
        return out
    }

    @Test func attacksAreContainedAndTheRunGoesOn() async throws {
        let r = try await Self.run()
        #expect(r.count == 22)
        #expect(r["good"]?.result == "passed")
        #expect(r["wrong"]?.result == "failed: ")
        #expect(r["syntax"]?.result.hasPrefix("failed: invalid syntax") == true)
        for name in ["loop", "c_loop"] { #expect(r[name]?.result == "timed out", "\(name)") }
        for name in ["memory_bomb", "fork_bomb", "host_shadow", "host_root", "network", "kill_server", "exit_early"] {
            #expect(r[name]?.passed == false, "\(name): \(r[name]?.result ?? "-")")
        }
        // Isolation between samples: an escaped setsid grandchild and files left behind are
        // gone before the next sample, which checks for them.
        #expect(r["sees_escapee"]?.result == "passed")
        #expect(r["read_left_file"]?.result == "passed")
        #expect(r["leave_shm"]?.result == "passed")
        #expect(r["find_shm"]?.result == "passed")  // the System V segment is gone
        // A sample that killed its evaluator does not take the next one down.
        #expect(r["after_kill"]?.result == "passed")
        #expect(r["forge_pass"]?.result == "passed")
        // The evaluator's pipes and memory are out of a sample's reach (it is not dumpable):
        // no fake answer reaches the runner, the next sample's result is its own.
        #expect(r["forge_server"]?.result == "passed", "\(r["forge_server"]?.result ?? "-")")
        #expect(r["after_forge"]?.result == "failed: ")
    }

    /// numpy, as the reference harnesses have it loaded before their guard runs: a test that
    /// imports it passes (it failed with 'NoneType' object is not callable: os.putenv blanked).
    @Test func samplesMayImportNumpy() async throws {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        probe.arguments = ["-c", "import numpy"]
        probe.standardError = FileHandle.nullDevice
        try probe.run()
        probe.waitUntilExit()
        guard probe.terminationStatus == 0 else {
            print("⚠️  EvalSandboxTests: numpy is not installed for /usr/bin/python3: samplesMayImportNumpy SKIPPED")
            return
        }
        let task = EvalTask(
            taskID: "t/np", prompt: "import numpy as np\n\ndef total(xs):\n",
            test: "def check(candidate):\n    import numpy\n    assert candidate([1, 2, 3]) == 6\n", entryPoint: "total")
        let samples = [
            EvalSample(taskID: "t/np", completion: "    return int(np.sum(np.array(xs)))\n", completionID: 0, line: "{}")
        ]
        var options = EvalOptions()
        options.jobs = 1
        options.sampleMemory = 4 << 30
        options.sandboxMemory = 5 << 30
        let result = try await Evaluator(options: options).evaluate(tasks: ["t/np": task], samples: samples)
        #expect(result.results.first?.result == "passed", "\(result.results.first?.result ?? "-")")
    }

    @Test func canonicalStyleSamplesAllPassFast() async throws {
        let tasks = try HumanEval.loadDataset(Repo.fixture("eval/tasks.jsonl"))
        let samples = (0..<40).map { i in
            EvalSample(taskID: "t/add", completion: "    return a + b\n", completionID: i, line: "{}")
        }
        var options = EvalOptions()
        options.jobs = 2
        let clock = ContinuousClock.now
        let result = try await Evaluator(options: options).evaluate(tasks: tasks, samples: samples)
        let elapsed = ContinuousClock.now - clock
        #expect(result.passed == 40)
        #expect(result.passAtK[1] == 1)
        // A warm interpreter: far below 40 interpreter starts (~20 ms each) plus sandboxes.
        #expect(elapsed < .seconds(10))
    }
}

@Suite("eval: EvalPlus datasets, statuses, results shape")
struct EvalPlusFormatTests {
    /// The fork server kills its uid's processes and empties /tmp after each sample: outside a
    /// sandbox (no marker argument, or as root) it must refuse before doing anything.
    @Test func forkServerRefusesToRunOutsideASandbox() throws {
        var cases = [["-c", ForkServer.script]]
        if getuid() == 0 { cases.append(["-c", ForkServer.script, "--in-proctor-sandbox"]) }
        for arguments in cases {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            p.arguments = arguments
            p.standardInput = FileHandle.nullDevice
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            #expect(p.terminationStatus == 2, "\(arguments.count) arguments")
        }
    }

    /// fork_server.py is embedded in the binary as `ForkServer.script` (but its final
    /// newline), and is valid Python.
    @Test func forkServerScriptIsTheEmbeddedFile() throws {
        let path = Repo.root + "/Sources/Formats/Eval/fork_server.py"
        let file = try String(contentsOfFile: path, encoding: .utf8)
        let same = Array((ForkServer.script + "\n").utf8) == Array(file.utf8)
        #expect(same, "ForkServer.script is not fork_server.py (a build older than the file?)")
        // Compiled, never run (run by hand it would kill its uid's processes): byte code
        // goes to a scratch folder, not beside the file.
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-pycache-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = ["-m", "py_compile", path]
        p.environment = ["PYTHONPYCACHEPREFIX": cache, "PATH": "/usr/bin:/bin"]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "python3 -m py_compile \(path)")
    }

    @Test func releaseFilesAreDetectedGzipOrNot() throws {
        guard case .evalPlus(let plain) = try EvalDataset.load(Repo.fixture("evalplus/HumanEvalPlus-mini.jsonl")),
            case .evalPlus(let gz) = try EvalDataset.load(Repo.fixture("evalplus/HumanEvalPlus-mini.jsonl.gz"))
        else {
            Issue.record("not read as EvalPlus")
            return
        }
        #expect(plain.order == gz.order && plain.order.count == 9)
        #expect(plain.flavor == .humaneval)
        #expect(plain.tasks["HumanEval/32"]?.atol == 1e-4)
        #expect(plain.tasks["HumanEval/53"]?.baseCount == 10 && plain.tasks["HumanEval/53"]?.plusCount == 3)
        #expect(plain.tasks["HumanEval/53"]?.baseInputs.first == "[0,1]")
        #expect(plain.hash.count == 32)
        guard case .humanEval = try EvalDataset.load(Repo.fixture("eval/tasks.jsonl")) else {
            Issue.record("a HumanEval dataset read as EvalPlus")
            return
        }
    }

    @Test func pythonConstantsAreReadAsNull() {
        #expect(
            EvalPlus.pythonConstantsAsNull(#"{"a": [NaN, -Infinity, Infinity], "s": "NaN \" Infinity"}"#)
                == #"{"a": [null, null, null], "s": "NaN \" Infinity"}"#)
    }

    @Test func timeLimitsAsEvalplus() {
        let o = EvalPlusOptions()
        #expect(EvalPlus.timeLimits([0.0001, 0.5], o) == [1, 2])
        #expect(EvalPlus.checkTimeout([1, 2], o) == 4)
        var d = o
        d.testDetails = true
        d.timeoutPerTask = 2
        #expect(EvalPlus.checkTimeout([1, 2], d) == 4)
    }

    @Test func checksReadAsEvalplusStatuses() {
        #expect(EvalPlus.parseCheck("111\npass", inputs: 3) == EvalPlusCheck(status: .pass, details: [true, true, true]))
        #expect(EvalPlus.parseCheck("10\nfail", inputs: 3) == EvalPlusCheck(status: .fail, details: [true, false]))
        // Killed at the deadline or ended on its own: no status, evalplus' unknown = timeout.
        #expect(EvalPlus.parseCheck("11", inputs: 3) == EvalPlusCheck(status: .timeout, details: [true, true]))
        #expect(EvalPlus.parseCheck("timed out", inputs: 3).status == .timeout)
        #expect(EvalPlus.parseCheck(nil, inputs: 3).status == .timeout)
        // "pass" with inputs missing is a fail, as untrusted_check.
        #expect(EvalPlus.parseCheck("11\npass", inputs: 3).status == .fail)
        let c = EvalPlusCheck(status: .fail, details: [true, false, false])
        #expect(EvalPlus.failedTests(c, ["a", "b", "c"], testDetails: false) == ["c"])
        #expect(EvalPlus.failedTests(c, ["a", "b", "c"], testDetails: true) == ["b", "c"])
        #expect(EvalPlus.failedTests(EvalPlusCheck(status: .fail, details: []), ["a"], testDetails: false) == [])
    }

    @Test func evalResultsShape() throws {
        guard case .evalPlus(let d) = try EvalDataset.load(Repo.fixture("evalplus/HumanEvalPlus-mini.jsonl")) else { return }
        let r = EvalPlusSampleResult(
            taskID: "HumanEval/53", completionID: 0, solution: "x", base: EvalPlusCheck(status: .pass, details: []),
            plus: EvalPlusCheck(status: .fail, details: [false]), baseFailTests: [], plusFailTests: ["[1,2]"])
        let e = EvalPlusResult(results: [r], passAtKBase: [1: 1], passAtKPlus: [1: 0], groundTruthDuration: 0, duration: 1)
        let o = try #require(try JSONSerialization.jsonObject(with: Data(EvalPlusReport.render(e, dataset: d))) as? [String: Any])
        let rows = try #require((o["eval"] as? [String: Any])?["HumanEval/53"] as? [[String: Any]])
        #expect(rows[0]["base_status"] as? String == "pass" && rows[0]["plus_status"] as? String == "fail")
        #expect(rows[0]["plus_fail_tests"] as? [[Int]] == [[1, 2]])
        #expect(((o["pass_at_k"] as? [String: Any])?["plus"] as? [String: Double])?["pass@1"] == 0)
        #expect(o["hash"] as? String == d.hash)
    }
}

/// Proctor's statuses on Fixtures/evalplus against evalplus 0.3.1's own (its eval_results.json,
/// recorded by Benchmarks/formats/bench.py --evalplus and committed, so no evalplus is needed here).
@Suite(
    "eval: EvalPlus agreement with evalplus (sandboxed)", .serialized,
    .enabled(SandboxSupport.reason) { await SandboxSupport.available() })
struct EvalPlusAgreementTests {
    /// Runs a fixture's samples; checks each one's statuses against evalplus' results file.
    static func agree(_ data: String, _ samplesFile: String, _ expectedFile: String) async throws -> EvalPlusResult {
        guard case .evalPlus(let dataset) = try EvalDataset.load(Repo.fixture(data)) else {
            Issue.record("not read as EvalPlus")
            throw FormatsError(.invalidDataset, "not EvalPlus")
        }
        var samples = try HumanEval.loadSamples(Repo.fixture(samplesFile))
        let expected = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Repo.fixture(expectedFile))))
                as? [String: Any])
        let rows = try #require(expected["eval"] as? [String: [[String: Any]]])
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        probe.arguments = ["-c", "import numpy"]
        probe.standardError = FileHandle.nullDevice
        try probe.run()
        probe.waitUntilExit()
        if probe.terminationStatus != 0 && samples.contains(where: { $0.taskID == "HumanEval/164" }) {
            print("⚠️  EvalPlusAgreementTests: numpy is not installed for /usr/bin/python3: HumanEval/164 SKIPPED")
            samples.removeAll { $0.taskID == "HumanEval/164" }
        }
        var options = EvalOptions()
        options.jobs = 2
        options.sampleMemory = 4 << 30
        options.sandboxMemory = 5 << 30
        let result = try await Evaluator(options: options).evaluatePlus(dataset: dataset, samples: samples)
        #expect(result.results.count == samples.count)
        for (s, r) in zip(samples, result.results) {
            let name = (try JSONSerialization.jsonObject(with: Data(s.line.utf8)) as? [String: Any])?["name"] as? String ?? ""
            let theirs = try #require(rows[r.taskID]?[r.completionID])
            #expect(r.base.status.rawValue == theirs["base_status"] as? String, "\(r.taskID) \(name): base")
            #expect(r.plus?.status.rawValue == theirs["plus_status"] as? String, "\(r.taskID) \(name): plus")
            #expect(r.baseFailTests.count == (theirs["base_fail_tests"] as? [Any])?.count, "\(r.taskID) \(name): base_fail_tests")
            #expect(r.plusFailTests.count == (theirs["plus_fail_tests"] as? [Any])?.count, "\(r.taskID) \(name): plus_fail_tests")
        }
        return result
    }

    @Test func humanEvalPlusStatusesMatchEvalplusSampleBySample() async throws {
        let result = try await Self.agree(
            "evalplus/HumanEvalPlus-mini.jsonl", "evalplus/samples.jsonl", "evalplus/samples_eval_results.json")
        // Loops stop after about a second per input (two checks of 3-4 inputs for the C loop):
        // 15-40 s here in all. The bound only catches a loop left running (a parallel run on a
        // loaded 2-core machine took 61 s, which a 60 s bound failed).
        #expect(result.duration < 180)
    }

    @Test func mbppPlusStatusesMatchEvalplusSampleBySample() async throws {
        _ = try await Self.agree(
            "evalplus/MbppPlus-mini.jsonl", "evalplus/mbpp_samples.jsonl", "evalplus/mbpp_samples_eval_results.json")
    }
}

@Suite("Gradescope results")
struct GradescopeTests {
    @Test func additiveScoresStayPerTest() throws {
        let tests = [
            TestResult(name: "a", group: nil, verdict: .accepted, score: 1),
            TestResult(name: "b", group: nil, verdict: .wrongAnswer, message: "Wrong answer on line 1\nString tokens mismatch"),
        ]
        let r = ProblemResult(
            suite: "s", problem: "p", title: nil, submission: "x.py", submissionPath: "/x.py", language: "python3",
            limits: TestLimits().resolved, verdict: .wrongAnswer, score: 1, maxScore: 2, compileMessage: nil,
            tests: tests, groups: [])
        let run = RunResult(proctorVersion: "t", hostname: "h", started: Date(), duration: 1.5, results: [r])
        let o = try #require(try JSONSerialization.jsonObject(with: Data(try GradescopeReport.render(run))) as? [String: Any])
        #expect(o["score"] as? Double == 1)
        #expect(o["execution_time"] as? Double == 1.5)
        #expect((o["output"] as? String)?.contains("WA") == true)
        let ts = o["tests"] as? [[String: Any]] ?? []
        #expect(ts.count == 2)
        #expect(ts[0]["name"] as? String == "a" && ts[0]["score"] as? Double == 1 && ts[0]["max_score"] as? Double == 1)
        #expect(ts[0]["status"] as? String == "passed" && ts[1]["status"] as? String == "failed")
        #expect(ts[1]["visibility"] as? String == "visible")
        #expect((ts[1]["output"] as? String)?.contains("String tokens mismatch") == true)
    }
}
