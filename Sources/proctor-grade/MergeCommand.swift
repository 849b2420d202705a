import ArgumentParser
import Formats
import Foundation
import Grading
import Reports

/// `proctor merge`: the partial reports of a sharded run, verify or eval, into the reports
/// one unsharded run writes (see `ShardMerge`).
struct MergeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine the partial --json reports of `run`, `verify` or `eval` shards (--shard I/N) into one run's reports.",
        discussion: """
            Every shard 1/N to N/N must be given once, all of one batch (the same command, inputs and proctor \
            version); otherwise nothing is written and the exit code is 2, with the missing or extra shard named. \
            --junit, --html and --gradescope are for parts of `proctor run`. Exit code: as the unsharded command's \
            (run: 0 when every test is AC, else 1; verify: 0 when verified, else 1; eval: 0), 2 for bad usage or \
            parts that do not merge, 3 when a report cannot be written.
            """
    )

    @Argument(help: ArgumentHelp("The shards' partial JSON reports.", valueName: "partial.json"))
    var partials: [String] = []

    @OptionGroup var outputs: ReportArguments

    func validate() throws {
        if partials.isEmpty { throw ValidationError("give the partial reports to merge") }
    }

    func run() async throws {
        let parts: [ShardMerge.Part]
        var reports: [(String?, () throws -> [UInt8])] = []
        let code: Int32
        let summary: String
        do {
            parts = try ShardMerge.check(try ShardMerge.read(partials))
            let command = parts[0].shard.command
            if command != "run", let flag = outputs.runOnlyFlag {
                throw ReportError("\(flag) is for parts of `proctor run`; these are of `proctor \(command)`")
            }
            switch command {
            case "run":
                let merged = try ShardMerge.run(parts)
                let run = merged.run
                reports = outputs.reports(run) { merged.json }
                summary = TerminalSummary(colour: Console.stdoutIsTerminal).render(run)
                code = run.allAccepted ? 0 : 1
            case "verify":
                let v = try ShardMerge.verify(parts)
                reports = [(outputs.json, { VerifyReport.render(v) })]
                summary = VerifyReport.table(v)
                code = v.ok ? 0 : 1
            case "eval":
                let e = try ShardMerge.eval(parts)
                reports = [(outputs.json, { EvalReport.render(e) })]
                let ks = e.passAtK.keys.sorted().map { "pass@\($0) = \(String(format: "%.4f", e.passAtK[$0]!))" }
                summary = "\(e.passed)/\(e.samples) samples passed" + (ks.isEmpty ? "" : "; " + ks.joined(separator: ", "))
                code = 0
            default:
                throw ReportError("\(parts[0].path): parts of an unknown command '\(command)'")
            }
        } catch {
            Console.error("proctor: merge: \(error)")
            throw ExitCode(2)
        }
        let failed = !Console.write(reports)
        print("merged \(parts.count) shard\(parts.count == 1 ? "" : "s") of `proctor \(parts[0].shard.command)`")
        print(summary)
        throw ExitCode(failed ? 3 : code)
    }
}
