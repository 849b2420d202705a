import ArgumentParser
import Foundation
import Grading
import Logging
import Reports

/// `proctor eval`: HumanEval-style samples, each run sandboxed, and pass@k.
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Run code-generation samples against a HumanEval-style dataset and report pass@k.",
        discussion: """
        Each sample's program (prompt + completion + test + check(entry_point)) runs in a sandbox, \
        forked from a warm /usr/bin/python3 per sandbox. Writes SAMPLES_results.jsonl as the \
        reference harness does (each sample line plus "result" and "passed"). Exit code 0 when \
        every sample ran (passed or not), 2 for bad usage or invalid input, 3 for an internal error.
        """
    )

    @Option(help: ArgumentHelp("The dataset (JSON lines: task_id, prompt, test, entry_point; .gz read too).", valueName: "file"))
    var dataset: String

    @Option(help: ArgumentHelp("The samples (JSON lines: task_id, completion, optional completion_id).", valueName: "file"))
    var samples: String

    @Option(name: .short, help: ArgumentHelp("The k of pass@k, comma-separated.", valueName: "k,..."))
    var k: String = "1,10,100"

    @Option(help: ArgumentHelp("Wall time per sample in seconds.", valueName: "seconds"))
    var timeout: Double = 3

    @Option(help: ArgumentHelp("Samples at once (default: one per core).", valueName: "n"))
    var jobs: Int?

    @Option(help: ArgumentHelp("Memory of each sample (its address space, as the reference harness limits it), e.g. 4G "
                               + "as EvalPlus allows; default 1G.", valueName: "size"))
    var memory: ByteSize?

    @Option(help: ArgumentHelp("Write the result as JSON here.", valueName: "path"))
    var json: String?

    func validate() throws {
        if k.split(separator: ",").contains(where: { Int($0.trimmingCharacters(in: .whitespaces)).map { $0 < 1 } ?? true }) {
            throw ValidationError("-k wants positive integers separated by commas, e.g. 1,10,100")
        }
        if !(timeout > 0) { throw ValidationError("--timeout must be positive") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if let memory, memory.bytes < 64 << 20 { throw ValidationError("--memory must be at least 64M") }
    }

    func run() async throws {
        let tasks: [String: EvalTask]
        let loaded: [EvalSample]
        do {
            tasks = try HumanEval.loadDataset(dataset)
            loaded = try HumanEval.loadSamples(samples)
        } catch {
            Console.error("proctor: \(error)")
            throw ExitCode(2)
        }
        var options = EvalOptions()
        options.ks = k.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        options.timeout = timeout
        if let jobs { options.jobs = jobs }
        if let memory {
            options.sampleMemory = memory.bytes
            // The sandbox holds the warm interpreter and the sample: room for both.
            options.sandboxMemory = max(options.sandboxMemory, memory.bytes + (1 << 30))
        }
        var logger = Logger(label: "proctor")
        logger.logLevel = .warning
        let live = Console.stderrIsTerminal
        let result: EvalResult
        do {
            result = try await Evaluator(options: options, logger: logger).evaluate(tasks: tasks, samples: loaded) { done, total in
                if live { FileHandle.standardError.write(Data("\r\u{1B}[K\(done)/\(total) samples".utf8)) }
            }
        } catch let e as GradingError where e.code == .invalidSuite {
            Console.error("proctor: \(e)")
            throw ExitCode(2)
        } catch {
            Console.error("proctor: internal error: \(error)")
            throw ExitCode(3)
        }
        if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        do {
            let lines = zip(loaded, result.results).map { HumanEval.resultLine($0, $1) }
            try AtomicFile.write(lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n"), to: samples + "_results.jsonl")
            if let json { try AtomicFile.write(EvalReport.render(result), to: json) }
        } catch {
            Console.error("proctor: \(error)")
            throw ExitCode(3)
        }
        let ks = result.passAtK.keys.sorted().map { "pass@\($0) = \(String(format: "%.4f", result.passAtK[$0]!))" }
        print("\(result.passed)/\(result.samples) samples passed in \(String(format: "%.2f", result.duration))s" + (ks.isEmpty ? "" : "; " + ks.joined(separator: ", ")))
        print("results: \(samples)_results.jsonl")
    }
}
