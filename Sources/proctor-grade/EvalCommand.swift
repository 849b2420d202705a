import ArgumentParser
import ExecCLI
import Formats
import Foundation
import Grading
import Logging
import Reports

/// `proctor eval`: HumanEval-style samples, each run sandboxed, and pass@k.
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Run code-generation samples against a HumanEval-style or EvalPlus dataset and report pass@k.",
        discussion: """
            Each sample's program (prompt + completion + test + check(entry_point)) runs in a sandbox, \
            forked from a warm /usr/bin/python3 per sandbox. Writes SAMPLES_results.jsonl as the \
            reference harness does (each sample line plus "result" and "passed"). An EvalPlus release \
            (HumanEvalPlus, MbppPlus: tasks with base_input and plus_input) is told apart by its fields \
            and judged as evalplus judges it: expected outputs from the canonical solution (sandboxed, \
            once per task), per-input time limits, base and plus tests separately; it also writes \
            SAMPLES_eval_results.json in evalplus' shape. Exit code 0 when every sample ran (passed or \
            not), 2 for bad usage or invalid input, 3 for an internal error.
            """
    )

    @Option(help: ArgumentHelp("The dataset (JSON lines: task_id, prompt, test, entry_point; .gz read too).", valueName: "file"))
    var dataset: String

    @Option(help: ArgumentHelp("The samples (JSON lines: task_id, completion, optional completion_id).", valueName: "file"))
    var samples: String

    @Option(name: .short, help: ArgumentHelp("The k of pass@k, comma-separated.", valueName: "k,..."))
    var k: String = "1,10,100"

    @Option(
        help: ArgumentHelp(
            "Wall time per sample in seconds (default 3); EvalPlus: the cap of one sample's base or "
                + "plus run, as EVALPLUS_TIMEOUT_PER_TASK (default 60).", valueName: "seconds"))
    var timeout: Double?

    @Option(
        help: ArgumentHelp("EvalPlus: the least time limit per input, in seconds (evalplus' default 1).", valueName: "seconds"))
    var minTimeLimit: Double = 1

    @Option(
        help: ArgumentHelp(
            "EvalPlus: the time limit per input is this factor x the canonical solution's time on it "
                + "(evalplus' default 4).", valueName: "factor"))
    var gtTimeLimitFactor: Double = 4

    @Flag(help: "EvalPlus: the base tests only.")
    var baseOnly = false

    @Flag(help: "EvalPlus: run every input (no stop at the first failure) and list every failing one.")
    var testDetails = false

    @Option(help: ArgumentHelp("Samples at once (default: one per core).", valueName: "n"))
    var jobs: Int?

    @Option(
        help: ArgumentHelp(
            "Memory of each sample (its address space, as the reference harness limits it), e.g. 4G "
                + "as EvalPlus allows; default 1G.", valueName: "size"))
    var memory: ByteSize?

    @Option(help: ArgumentHelp("Write the result as JSON here.", valueName: "path"))
    var json: String?

    @OptionGroup var sharding: ShardArguments

    func validate() throws {
        if k.split(separator: ",").contains(where: { Int($0.trimmingCharacters(in: .whitespaces)).map { $0 < 1 } ?? true }) {
            throw ValidationError("-k wants positive integers separated by commas, e.g. 1,10,100")
        }
        if let timeout, !(timeout > 0) { throw ValidationError("--timeout must be positive") }
        if !(minTimeLimit > 0) || !(gtTimeLimitFactor > 0) {
            throw ValidationError("--min-time-limit and --gt-time-limit-factor must be positive")
        }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if let memory, memory.bytes < 64 << 20 { throw ValidationError("--memory must be at least 64M") }
        try sharding.validate(json: json)
    }

    func run() async throws {
        let data: EvalDataset
        let loaded: [EvalSample]
        let source = try sharding.source()
        let section: ShardSection?
        var options = EvalOptions()
        options.ks = k.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        do {
            data = try EvalDataset.load(dataset)
            let all = try HumanEval.loadSamples(samples)
            let part = EvalShard(all, shard: source?.shard ?? .whole)
            loaded = part.samples
            section = try sharding.section(
                source, command: "eval", total: part.total, positions: part.positions, ks: options.ks
            ) { d in
                d.add(
                    "timeout \(timeout ?? -1) min-time-limit \(minTimeLimit) gt-factor \(gtTimeLimitFactor) "
                        + "base-only \(baseOnly) test-details \(testDetails) memory \(memory?.bytes ?? -1)")
                try d.add(path: dataset)
                try d.add(path: samples)
            }
        } catch {
            Console.error("proctor: \(error)")
            throw ExitCode(2)
        }
        options.timeout = timeout ?? 3
        if let jobs { options.jobs = jobs }
        if case .evalPlus = data { options.sampleMemory = 4 << 30 }  // evalplus' EVALPLUS_MAX_MEMORY_BYTES
        if let memory { options.sampleMemory = memory.bytes }
        // The sandbox holds the warm interpreter and the sample: room for both.
        options.sandboxMemory = max(options.sandboxMemory, options.sampleMemory + (1 << 30))
        var logger = Logger(label: "proctor")
        logger.logLevel = .warning
        let live = Console.stderrIsTerminal
        let tasks: [String: EvalTask]
        switch data {
        case .humanEval(let t): tasks = t
        case .evalPlus(let d):
            var plus = EvalPlusOptions()
            plus.minTimeLimit = minTimeLimit
            plus.gtTimeLimitFactor = gtTimeLimitFactor
            if let timeout { plus.timeoutPerTask = timeout }
            plus.baseOnly = baseOnly
            plus.testDetails = testDetails
            try await runPlus(d, loaded, options, plus, logger, live, section)
            return
        }
        let result = try await Self.evaluating(live: live) { progress in
            try await Evaluator(options: options, logger: logger).evaluate(tasks: tasks, samples: loaded, progress: progress)
        }
        do {
            let lines = zip(loaded, result.results).map { HumanEval.resultLine($0, $1) }
            try AtomicFile.write(lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n"), to: resultsFile)
            if let json { try AtomicFile.write(EvalReport.render(result, shard: section), to: json) }
        } catch {
            Console.error("proctor: \(error)")
            throw ExitCode(3)
        }
        let ks = result.passAtK.keys.sorted().map { "pass@\($0) = \(String(format: "%.4f", result.passAtK[$0]!))" }
        print(
            "\(result.passed)/\(result.samples) samples passed in \(String(format: "%.2f", result.duration))s"
                + (ks.isEmpty ? "" : "; " + ks.joined(separator: ", ")))
        print("results: \(resultsFile)")
    }

    /// SAMPLES_results.jsonl, as the reference harness names it; a shard's own part of it
    /// (every shard would otherwise write the same file) SAMPLES_results.shard-I-of-N.jsonl.
    var resultsFile: String {
        ShardArguments.name(samples + "_results.jsonl", try? sharding.source(), beforeSuffix: ".jsonl")
    }

    /// Runs an evaluation with a progress line on a terminal; a bad dataset exits 2, any
    /// other failure 3.
    static func evaluating<T>(live: Bool, _ body: (@escaping @Sendable (Int, Int) -> Void) async throws -> T) async throws -> T {
        let progress: @Sendable (Int, Int) -> Void = { done, total in
            if live { FileHandle.standardError.write(Data("\r\u{1B}[K\(done)/\(total) samples".utf8)) }
        }
        defer { if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) } }
        do {
            return try await body(progress)
        } catch let e as FormatsError where e.code == .invalidDataset {
            Console.error("proctor: \(e)")
            throw ExitCode(2)
        } catch {
            Console.error("proctor: internal error: \(error)")
            throw ExitCode(3)
        }
    }

    func runPlus(
        _ data: EvalPlusDataset, _ loaded: [EvalSample], _ options: EvalOptions, _ plus: EvalPlusOptions,
        _ logger: Logger, _ live: Bool, _ section: ShardSection?
    ) async throws {
        let result = try await Self.evaluating(live: live) { progress in
            try await Evaluator(options: options, logger: logger).evaluatePlus(
                dataset: data, samples: loaded, plus: plus, progress: progress)
        }
        // evalplus' name: samples.replace(".jsonl", "_eval_results.json").
        let evalResults = ShardArguments.name(
            samples.hasSuffix(".jsonl")
                ? samples.replacingOccurrences(of: ".jsonl", with: "_eval_results.json")
                : samples + "_eval_results.json", try? sharding.source(), beforeSuffix: ".json")
        let byIndex = Dictionary(uniqueKeysWithValues: zip(loaded.indices, result.results))
        let flat = result.flattened(baseOnly: plus.baseOnly)
        do {
            let lines = loaded.indices.map { EvalPlus.resultLine(loaded[$0], byIndex[$0]!) }
            try AtomicFile.write(lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n"), to: resultsFile)
            try AtomicFile.write(EvalPlusReport.render(result, dataset: data), to: evalResults)
            if let json { try AtomicFile.write(EvalReport.render(flat, shard: section), to: json) }
        } catch {
            Console.error("proctor: \(error)")
            throw ExitCode(3)
        }
        func ks(_ p: [Int: Double]) -> String {
            p.keys.sorted().map { "pass@\($0) = \(String(format: "%.4f", p[$0]!))" }.joined(separator: ", ")
        }
        let base = result.results.filter { $0.base.status == .pass }.count
        print(
            "\(data.flavor.rawValue) (base tests): \(base)/\(result.results.count) samples passed"
                + (result.passAtKBase.isEmpty ? "" : "; " + ks(result.passAtKBase)))
        if !plus.baseOnly {
            print(
                "\(data.flavor.rawValue)+ (base + extra tests): \(flat.passed)/\(result.results.count) samples passed"
                    + (result.passAtKPlus.isEmpty ? "" : "; " + ks(result.passAtKPlus)))
        }
        print(
            "in \(String(format: "%.2f", result.duration))s (expected outputs: \(String(format: "%.2f", result.groundTruthDuration))s)"
        )
        print("results: \(evalResults), \(resultsFile)")
    }
}
