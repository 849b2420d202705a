import ArgumentParser
import ExecCLI
import Formats
import Foundation
import Grading
import Logging
import Reports
import Sandbox

/// `proctor verify`: every submission of a Kattis package gets the verdict its folder expects.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Judge a problem package's submissions and check each gets the verdict its folder expects.",
        discussion: """
            Folders: accepted, partially_accepted, slow_accepted, wrong_answer, time_limit_exceeded, \
            run_time_error (MLE counts), output_limit_exceeded, compile_error, rejected. Without a time \
            limit in the package, it is computed from the accepted submissions as problemtools does. A \
            submission whose language has no toolchain here is skipped, with the reason. Exit code 0 when \
            verified, 1 when not, 2 for bad usage or an invalid package, 3 for an internal error.
            """
    )

    @Argument(help: ArgumentHelp("The problem package folder.", valueName: "problem-dir"))
    var problem: String

    @Option(help: ArgumentHelp("Write the result as JSON here.", valueName: "path"))
    var json: String?

    @Option(help: ArgumentHelp("Tests run at once (default: one per core).", valueName: "n"))
    var jobs: Int?

    @OptionGroup var sharding: ShardArguments

    func validate() throws {
        if !KattisPackage.isPackage(problem) { throw ValidationError("\(problem): not a problem package (no problem.yaml)") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        try sharding.validate(json: json)
    }

    func run() async throws {
        let package: KattisPackage
        do {
            package = try KattisPackage.load(problem)
        } catch {
            Console.error("proctor: \(error)")
            throw ExitCode(2)
        }
        var options = GradingOptions()
        if let jobs { options.jobs = jobs }
        options.proctorVersion = ProctorVersion.string
        var logger = Logger(label: "proctor")
        // LOG_LEVEL=debug: the compile, test and phase timings on stderr.
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        let source = try sharding.source()
        let result: VerifyResult
        do {
            result = try await KattisVerifier(options: options, logger: logger).verify(
                package, shard: source?.shard ?? .whole)
        } catch {
            Console.error("proctor: internal error: \(error)")
            throw ExitCode(3)
        }
        let section: ShardSection?
        do {
            section = try sharding.section(source, command: "verify", total: result.total, positions: result.positions) {
                try $0.add(path: problem)
            }
        } catch {
            Console.error("proctor: \(error)")
            throw ExitCode(2)
        }
        if let json {
            do {
                try AtomicFile.write(VerifyReport.render(result, shard: section), to: json)
            } catch {
                Console.error("proctor: \(error)")
                throw ExitCode(3)
            }
        }
        print(VerifyReport.table(result))
        throw ExitCode(result.ok ? 0 : 1)
    }
}
