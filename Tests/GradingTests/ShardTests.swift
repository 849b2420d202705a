import Foundation
import Grading
import SystemPackage
import TestSupport
import Testing
import Yams

/// `--shard I/N` and `proctor merge` (issue 11): the split, the environment the schedulers
/// set, and N shards run as separate processes on this machine, merged, compared with one
/// unsharded run.
@Suite("shards: the split and where I/N comes from")
struct ShardSplitTests {
    @Test func parsesIOverNCountingFromOne() throws {
        let s = try Shard(parsing: "2/3")
        #expect(s.index == 2 && s.count == 3 && s.description == "2/3")
        for bad in ["0/0", "3/2", "0/3", "garbage", "1/", "/3", "-1/3", "1/3/4", " 1/3", "1/0", "1.5/3", "1/100001"] {
            #expect(throws: GradingError.self, "\(bad)") { try Shard(parsing: bad) }
        }
    }

    @Test func everyUnitBelongsToExactlyOneShard() throws {
        for n in 1...5 {
            let shards = try (1...n).map { try Shard(index: $0, count: n) }
            for unit in 0..<23 { #expect(shards.filter { $0.owns(unit) }.count == 1) }
            // Round robin: sizes differ by at most one.
            let sizes = shards.map { s in (0..<23).filter(s.owns).count }
            #expect(sizes.max()! - sizes.min()! <= 1)
        }
    }

    @Test func theFlagWinsOverTheEnvironment() throws {
        let env = ["PROCTOR_SHARD": "2/3", "JOB_COMPLETION_INDEX": "0", "PROCTOR_SHARDS": "4"]
        let s = try #require(try ShardSource.resolve(flag: "1/2", environment: env))
        #expect(try s.shard == Shard(index: 1, count: 2) && s.origin == "--shard")
        let e = try #require(try ShardSource.resolve(flag: nil, environment: env))
        #expect(try e.shard == Shard(index: 2, count: 3) && e.origin == "PROCTOR_SHARD")
        #expect(try ShardSource.resolve(flag: nil, environment: [:]) == nil)
    }

    @Test func kubernetesIndexIsZeroBasedAndNeedsTheCount() throws {
        let s = try #require(
            try ShardSource.resolve(flag: nil, environment: ["JOB_COMPLETION_INDEX": "2", "PROCTOR_SHARDS": "3"]))
        #expect(try s.shard == Shard(index: 3, count: 3) && s.origin == "JOB_COMPLETION_INDEX")
        #expect(throws: GradingError.self) { try ShardSource.resolve(flag: nil, environment: ["JOB_COMPLETION_INDEX": "0"]) }
        #expect(throws: GradingError.self) {
            try ShardSource.resolve(flag: nil, environment: ["JOB_COMPLETION_INDEX": "3", "PROCTOR_SHARDS": "3"])
        }
    }

    @Test func slurmArraysCountFromTheirMinimumByTheirStep() throws {
        func shard(_ env: [String: String]) throws -> Shard? { try ShardSource.resolve(flag: nil, environment: env)?.shard }
        // --array=0-3, --array=1-4, --array=0-6:2: the third task is shard 3/4 in each.
        #expect(
            try shard(["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_COUNT": "4"])
                == Shard(index: 3, count: 4))
        #expect(
            try shard(["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "4"])
                == Shard(index: 3, count: 4))
        #expect(
            try shard([
                "SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_STEP": "2",
                "SLURM_ARRAY_TASK_COUNT": "4",
            ]) == Shard(index: 3, count: 4))
        // --array=1,2,7: task 7 is not min + k x step.
        #expect(throws: GradingError.self) {
            try shard(["SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "3"])
        }
    }

    @Test func theInputDigestIsOfBytesNotOfPaths() throws {
        let dir = try ShardRuns.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for copy in ["a", "b"] {
            try FileManager.default.copyItem(atPath: Repo.root + "/Suites/kattis-hello", toPath: "\(dir)/\(copy)")
        }
        func digest(_ path: String) throws -> String {
            var d = InputDigest()
            try d.add(path: path)
            return d.finish()
        }
        #expect(try digest(dir + "/a") == digest(dir + "/b"))
        try "100 200\n".write(toFile: dir + "/b/data/sample/1.in", atomically: true, encoding: .utf8)
        #expect(try digest(dir + "/a") != digest(dir + "/b"))
        let suite = try SuiteLoader.load(FilePath(Repo.root + "/Suites/sum/suite.yaml"))
        var d = InputDigest()
        try d.add(suite)
        #expect(d.finish().hasPrefix("sha256:"))
    }

    @Test func badShardsAreUsageErrors() throws {
        let run = ["run", "Suites/sum/suite.yaml", "--solution", "Fixtures/sum/sum.c", "--json", "/dev/null"]
        for bad in ["0/0", "3/2", "garbage"] {
            let r = try CLI.run(run + ["--shard", bad], environment: ShardRuns.clean)
            #expect(r.status == 2, "\(bad): \(r.stderr)")
            #expect(r.stderr.contains("shard") || r.stderr.contains(bad), "\(r.stderr)")
        }
        let noJSON = try CLI.run(
            ["run", "Suites/sum/suite.yaml", "--solution", "Fixtures/sum/sum.c", "--shard", "2/3"], environment: ShardRuns.clean)
        #expect(noJSON.status == 2 && noJSON.stderr.contains("--json"), "\(noJSON.stderr)")
        var env = ShardRuns.clean
        env["JOB_COMPLETION_INDEX"] = "1"
        let noCount = try CLI.run(run, environment: env)
        #expect(noCount.status == 2 && noCount.stderr.contains("PROCTOR_SHARDS"), "\(noCount.stderr)")
        let help = try CLI.run(["run", "--help"]).stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains("--shard <I/N>") && help.contains("the flag wins over the environment"), "\(help)")
    }

    @Test func mergeRefusesWhatIsNotAPartialReport() throws {
        let r = try CLI.run(["merge", "Fixtures/evalplus/samples_eval_results.json"])
        #expect(r.status == 2 && r.stderr.contains("not a partial report"), "\(r.stderr)")
        #expect(try CLI.run(["merge"]).status == 2)
    }
}

/// Running shards as separate processes, side by side, and merging their parts.
enum ShardRuns {
    /// This process's environment without any scheduler's shard variables (a CI job that runs
    /// in a Slurm array or an Indexed Job must not shard the tests' runs).
    static let clean: [String: String?] = [
        "PROCTOR_SHARD": nil, "PROCTOR_SHARDS": nil, "JOB_COMPLETION_INDEX": nil, "SLURM_ARRAY_TASK_ID": nil,
    ]

    static func folder() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "proctor-shards-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        ).path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// `proctor ARGS --shard I/N --json DIR/part-I.json` for I = 1...N, all started before any
    /// is waited for; returns the parts' paths after checking that each exited with `status`.
    static func shards(
        _ arguments: [String], count n: Int, into dir: String, status: Int32? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> [String] {
        let started = try (1...n).map { i in
            try CLI.start(arguments + ["--shard", "\(i)/\(n)", "--json", "\(dir)/part-\(i).json"], environment: clean)
        }
        for (i, p) in started.enumerated() {
            let out = String(decoding: p.stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let err = String(decoding: p.stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.process.waitUntilExit()
            let code = p.process.terminationStatus
            #expect(
                code != 2 && code != 3 && (status == nil || code == status), "shard \(i + 1): \(out)\(err)",
                sourceLocation: sourceLocation)
            #expect(err.contains("shard \(i + 1)/\(n) (from --shard)"), "\(err)", sourceLocation: sourceLocation)
        }
        return (1...n).map { "\(dir)/part-\($0).json" }
    }

    static func text(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    /// The first line where two texts differ, for a failure's message.
    static func firstDifference(_ a: String, _ b: String) -> String {
        let x = a.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let y = b.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for i in 0..<max(x.count, y.count) {
            let (l, r) = (i < x.count ? x[i] : "<end>", i < y.count ? y[i] : "<end>")
            if l != r { return "line \(i + 1): \(l) | \(r)" }
        }
        return "the same"
    }

    /// Expects two reports the same once normalized, saying where they differ when not.
    static func expectSame(
        _ merged: String, _ whole: String, json: [(key: String, indent: Int)] = [], xml: [String] = [],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let a = normalized(try text(merged), json: json, xml: xml)
        let b = normalized(try text(whole), json: json, xml: xml)
        #expect(a == b, "\(merged) vs \(whole): \(firstDifference(a, b))", sourceLocation: sourceLocation)
    }

    /// Runs `arguments` whole (`--json DIR/whole.json`) and as `count` shards side by side,
    /// merges the parts (`--json DIR/merged.json`), expects the two reports the same but for
    /// the `json` fields named, and returns the parts.
    static func wholeAndMerged(
        _ arguments: [String], count: Int, into dir: String, status: Int32, json fields: [(key: String, indent: Int)],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> [String] {
        let whole = try CLI.run(arguments + ["--json", dir + "/whole.json"], environment: clean)
        #expect(whole.status == status, "\(whole.stdout)\(whole.stderr)", sourceLocation: sourceLocation)
        let parts = try shards(arguments, count: count, into: dir, status: status, sourceLocation: sourceLocation)
        let merged = try CLI.run(["merge"] + parts + ["--json", dir + "/merged.json"])
        #expect(merged.status == status, "\(merged.stdout)\(merged.stderr)", sourceLocation: sourceLocation)
        try expectSame(dir + "/merged.json", dir + "/whole.json", json: fields, sourceLocation: sourceLocation)
        return parts
    }

    /// Replaces what differs between any two runs, and only that: each named field's value
    /// (a JSON member on a line with `indent` spaces before it, or an XML attribute), and
    /// JUnit's "cpu ..., wall ..., memory ..." line.
    static func normalized(_ text: String, json: [(key: String, indent: Int)] = [], xml: [String] = []) -> String {
        var out = text
        for (key, indent) in json {
            out = out.replacingOccurrences(
                of: "(?m)^(\(String(repeating: " ", count: indent))\"\(key)\" ?: ).*?(,?)$", with: "$1X$2",
                options: .regularExpression)
        }
        for attribute in xml {
            out = out.replacingOccurrences(
                of: " \(attribute)=\"[^\"]*\"", with: " \(attribute)=\"X\"", options: .regularExpression)
        }
        return out.replacingOccurrences(
            of: "cpu [0-9.]+s, wall [0-9.]+s, memory [0-9.]+ [A-Za-z]+", with: "cpu X, wall X, memory X",
            options: .regularExpression)
    }
}

@Suite(
    "shards: N processes merged equal one run (sandboxed)", .serialized,
    .enabled(SandboxSupport.reason) { await SandboxSupport.available() })
struct ShardMergeTests {
    /// Three suites' worth of work: two YAML suites and a Kattis package (folded into one
    /// result per solution), four solutions with AC, WA, RTE and CE among them (none runs out
    /// of memory: the peak in an MLE message is measured, so differs between runs).
    static let run = [
        "run", "Suites/sum/suite.yaml", "Suites/scored/suite.yaml", "Suites/kattis-hello",
        "--solution", "Fixtures/sum/sum.c", "--solution", "Fixtures/sum/rte.c",
        "--solution", "Fixtures/sum/wa.py", "--solution", "Fixtures/sum/ce.c",
    ]

    /// What differs between two runs of the same work: measured times and memory, when it
    /// started, how long it took. Listed here, and nothing else is normalized.
    static let runFields: [(key: String, indent: Int)] = [
        ("started_at", 2), ("duration", 2), ("cpu_time", 10), ("wall_time", 10), ("memory", 10),
    ]

    @Test func runShardsMergeIntoTheReportsOfOneRun() throws {
        let dir = try ShardRuns.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let whole = try CLI.run(
            Self.run + ["--json", dir + "/whole.json", "--junit", dir + "/whole.xml", "--gradescope", dir + "/whole-gs.json"],
            environment: ShardRuns.clean)
        #expect(whole.status == 1, "\(whole.stdout)\(whole.stderr)")
        let parts = try ShardRuns.shards(Self.run, count: 3, into: dir)
        let merged = try CLI.run(
            ["merge"] + parts.reversed()
                + ["--json", dir + "/merged.json", "--junit", dir + "/merged.xml", "--gradescope", dir + "/merged-gs.json"])
        #expect(merged.status == 1, "\(merged.stdout)\(merged.stderr)")

        let wholeJSON = try ShardRuns.text(dir + "/whole.json")
        for verdict in ["AC", "WA", "RTE", "CE"] {
            #expect(wholeJSON.range(of: "\"verdict\" ?: \"\(verdict)\"", options: .regularExpression) != nil, "\(verdict)")
        }
        try ShardRuns.expectSame(dir + "/merged.json", dir + "/whole.json", json: Self.runFields)
        try ShardRuns.expectSame(dir + "/merged.xml", dir + "/whole.xml", xml: ["time", "timestamp"])
        try ShardRuns.expectSame(dir + "/merged-gs.json", dir + "/whole-gs.json", json: [("execution_time", 2)])
        // The parts split the work: 12 results (4 solutions x (2 problems + 1 package)), 4 each.
        let sizes = try parts.map { p -> Int in
            let o = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: p))) as? [String: Any]
            return (o?["results"] as? [Any])?.count ?? -1
        }
        #expect(sizes == [4, 4, 4])

        // Refused, with the reason: a shard missing, a shard twice.
        let missing = try CLI.run(["merge", parts[0], parts[2], "--json", dir + "/x.json"])
        #expect(missing.status == 2 && missing.stderr.contains("shard 2/3 is missing"), "\(missing.stderr)")
        let twice = try CLI.run(["merge", parts[0], parts[1], parts[1], parts[2], "--json", dir + "/x.json"])
        #expect(twice.status == 2 && twice.stderr.contains("shard 2/3 is given twice"), "\(twice.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/x.json"))
    }

    /// Unit tests keep their points, visibility and number through a merge: the merged
    /// Gradescope results score and hide each test as the unsharded run's do.
    @Test(.enabled(if: Host.isRoot, "needs root: runs sandboxes"))
    func unitShardsMergeWithTheirWeightsAndVisibility() throws {
        let dir = try ShardRuns.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = [
            "run", "Suites/course-python-pytest/suite.yaml", "--solution", "Fixtures/course-python-pytest/correct",
            "--solution", "Fixtures/course-python-pytest/wrong",
        ]
        let whole = try CLI.run(run + ["--gradescope", dir + "/whole-gs.json"], environment: ShardRuns.clean)
        #expect(whole.status == 1, "\(whole.stdout)\(whole.stderr)")
        let parts = try ShardRuns.shards(run, count: 2, into: dir)
        let merged = try CLI.run(["merge"] + parts + ["--gradescope", dir + "/merged-gs.json"])
        #expect(merged.status == 1, "\(merged.stdout)\(merged.stderr)")
        let text = try ShardRuns.text(dir + "/whole-gs.json")
        #expect(text.contains("after_published"), "the fixture's hidden test: \(text)")
        try ShardRuns.expectSame(dir + "/merged-gs.json", dir + "/whole-gs.json", json: [("execution_time", 2)])
    }

    @Test func verifyShardsMergeIntoOneVerification() throws {
        let dir = try ShardRuns.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // kattis-hello fixes no time limit: every shard computes it from the accepted ones.
        // Nothing measured is in verify's JSON: byte for byte, nothing normalized.
        let verify = ["verify", "Suites/kattis-hello"]
        let parts = try ShardRuns.wholeAndMerged(verify, count: 3, into: dir, status: 0, json: [])
        let junit = try CLI.run(["merge"] + parts + ["--junit", dir + "/x.xml"])
        #expect(junit.status == 2 && junit.stderr.contains("--junit is for parts of `proctor run`"), "\(junit.stderr)")
    }

    static let samples = """
        {"task_id": "t/add", "completion": "    return a + b\\n"}
        {"task_id": "t/attack", "completion": "    return True\\n"}
        {"task_id": "t/add", "completion": "    return a * b\\n"}
        {"task_id": "t/attack", "completion": "    return False\\n"}
        {"task_id": "t/add", "completion": "    return b + a\\n", "completion_id": 9}

        """

    @Test func evalShardsMergeIntoOnePassAtK() throws {
        let dir = try ShardRuns.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.samples.write(toFile: dir + "/s.jsonl", atomically: true, encoding: .utf8)
        let eval = ["eval", "--dataset", "Fixtures/eval/tasks.jsonl", "--samples", dir + "/s.jsonl", "-k", "1,2,3"]
        // Two tasks, three shards: the third runs nothing and still writes its (empty) part.
        let parts = try ShardRuns.wholeAndMerged(eval, count: 3, into: dir, status: 0, json: [("duration", 2)])
        #expect(FileManager.default.fileExists(atPath: dir + "/s.jsonl_results.shard-1-of-3.jsonl"))
        let mergedText = try ShardRuns.text(dir + "/merged.json")
        // pass@3 is left out: t/attack has 2 samples (shard 1 alone, t/add's 3, had it).
        #expect(mergedText.contains("\"pass_at_k\": {\"1\": ") && !mergedText.contains("\"3\":"))
        #expect(try ShardRuns.text(parts[0]).contains("\"3\":"))

        // A part of another batch (other samples) is refused, naming the inputs.
        try (Self.samples + "{\"task_id\": \"t/add\", \"completion\": \"    return 0\\n\"}\n").write(
            toFile: dir + "/other.jsonl", atomically: true, encoding: .utf8)
        let other = try CLI.run(
            [
                "eval", "--dataset", "Fixtures/eval/tasks.jsonl", "--samples", dir + "/other.jsonl", "-k", "1,2,3",
                "--shard", "3/3", "--json", dir + "/other-3.json",
            ], environment: ShardRuns.clean)
        #expect(other.status == 0, "\(other.stderr)")
        let mixed = try CLI.run(["merge", parts[0], parts[1], dir + "/other-3.json"])
        #expect(mixed.status == 2 && mixed.stderr.contains("inputs"), "\(mixed.stderr)")
    }

    @Test func evalPlusShardsMerge() throws {
        let dir = try ShardRuns.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: Repo.fixture("evalplus/mbpp_samples.jsonl"), toPath: dir + "/s.jsonl")
        let eval = ["eval", "--dataset", "Fixtures/evalplus/MbppPlus-mini.jsonl", "--samples", dir + "/s.jsonl", "-k", "1"]
        _ = try ShardRuns.wholeAndMerged(eval, count: 2, into: dir, status: 0, json: [("duration", 2)])
        #expect(FileManager.default.fileExists(atPath: dir + "/s_eval_results.shard-2-of-2.json"))
    }

    @Test func theEnvironmentShardsWhenNoFlagDoes() throws {
        let dir = try ShardRuns.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.samples.write(toFile: dir + "/s.jsonl", atomically: true, encoding: .utf8)
        let eval = ["eval", "--dataset", "Fixtures/eval/tasks.jsonl", "--samples", dir + "/s.jsonl", "--json"]
        func shard(_ path: String) throws -> [String: Any] {
            let o = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
            return try #require(o?["shard"] as? [String: Any])
        }
        var env = ShardRuns.clean
        env["JOB_COMPLETION_INDEX"] = "1"
        env["PROCTOR_SHARDS"] = "2"
        let k8s = try CLI.run(eval + [dir + "/k.json"], environment: env)
        #expect(k8s.status == 0 && k8s.stderr.contains("shard 2/2 (from JOB_COMPLETION_INDEX)"), "\(k8s.stderr)")
        #expect(try shard(dir + "/k.json")["index"] as? Int == 2)
        env["PROCTOR_SHARD"] = "1/2"
        let flag = try CLI.run(eval + [dir + "/f.json", "--shard", "2/3"], environment: env)
        #expect(flag.status == 0, "\(flag.stderr)")
        let f = try shard(dir + "/f.json")
        #expect(f["index"] as? Int == 2 && f["count"] as? Int == 3 && f["origin"] as? String == "--shard")
        var slurm = ShardRuns.clean
        slurm["SLURM_ARRAY_TASK_ID"] = "5"
        slurm["SLURM_ARRAY_TASK_MIN"] = "4"
        slurm["SLURM_ARRAY_TASK_COUNT"] = "2"
        let s = try CLI.run(eval + [dir + "/s.json"], environment: slurm)
        #expect(s.status == 0, "\(s.stderr)")
        #expect(try shard(dir + "/s.json")["index"] as? Int == 2)
    }
}

@Suite("shards: the deployment examples")
struct ShardDeploymentTests {
    @Test func theIndexedJobManifestParsesAndAgreesWithItself() throws {
        let text = try String(contentsOfFile: Repo.root + "/deploy/kubernetes/indexed-job.yaml", encoding: .utf8)
        let documents = try Yams.load_all(yaml: text).compactMap { $0 as? [String: Any] }
        let job = try #require(documents.first { $0["kind"] as? String == "Job" })
        let spec = try #require(job["spec"] as? [String: Any])
        #expect(spec["completionMode"] as? String == "Indexed")
        let completions = try #require(spec["completions"] as? Int)
        let pod = try #require((spec["template"] as? [String: Any])?["spec"] as? [String: Any])
        let containers = try #require(pod["containers"] as? [[String: Any]])
        let shards = containers.compactMap { c in
            (c["env"] as? [[String: Any]])?.first { $0["name"] as? String == "PROCTOR_SHARDS" }?["value"] as? String
        }
        #expect(shards == [String(completions)], "PROCTOR_SHARDS must be the Job's completions")
        let privileged = containers.compactMap { ($0["securityContext"] as? [String: Any])?["privileged"] as? Bool }
        #expect(privileged.contains(true))
        let merge = try String(contentsOfFile: Repo.root + "/deploy/kubernetes/merge-job.yaml", encoding: .utf8)
        let mergeJob = try #require(try Yams.load(yaml: merge) as? [String: Any])
        #expect(mergeJob["kind"] as? String == "Job" && merge.contains("proctor merge /reports/part-*.json"))
    }

    @Test func theSlurmScriptIsValidBash() throws {
        let path = Repo.root + "/deploy/slurm/array.sbatch"
        let r = try Host.run(["/bin/bash", "-n", path])
        #expect(r.status == 0, "\(r.output)")
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("#SBATCH --array="))
    }
}
