import ArgumentParser
import ExecCLI
import Formats
import Foundation
import Grading
import Logging
import Reports
import Sandbox

/// `proctor run`: grades solutions against suites and writes reports.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Grade solutions against suites, in sandboxes.",
        discussion: """
            Every solution is graded against every problem of the suites. Exit code 0 when every \
            test of every solution is AC, 1 when any is not, 2 for bad usage or an invalid suite, \
            3 for an internal error (no sandbox could be made, a report could not be written).
            """
    )

    @OptionGroup var inputs: SuiteInputs

    @Option(
        name: .customLong("solution"),
        help: ArgumentHelp(
            "A solution file, a folder of files or a zip/tar archive of them (Kattis' rules pick its language and main file); repeatable.",
            valueName: "file"))
    var solutions: [String] = []

    @Option(help: ArgumentHelp("The solutions' language (default: from each file's extension).", valueName: "id"))
    var language: String?

    @Option(help: ArgumentHelp("Tests run at once (default: one per core).", valueName: "n"))
    var jobs: Int?

    @OptionGroup var reports: ReportArguments

    @Flag(name: .customLong("fail-fast"), help: "Stop a solution at its first test that is not AC.")
    var failFast = false

    @OptionGroup var sharding: ShardArguments

    func validate() throws {
        if solutions.isEmpty { throw ValidationError("give at least one --solution FILE") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        try sharding.validate(json: reports.json)
    }

    func run() async throws {
        let languages = try inputs.languageTable()
        let (suites, packages) = try inputs.loadWithPackages(languages: languages)
        for p in packages where p.fixedTimeLimit == nil {
            Console.error(
                "proctor: warning: \(p.shortName) fixes no time limit (problem.yaml limits.time_limit or .timelimit); using \(KattisPackage.defaultTimeLimit)s (proctor verify computes one)"
            )
        }
        var options = GradingOptions()
        if let jobs { options.jobs = jobs }
        options.failFast = failFast
        options.proctorVersion = ProctorVersion.string
        var logger = Logger(label: "proctor")
        logger.logLevel = .warning
        let grader = Grader(options: options, languages: languages, logger: logger)
        var submissions: [Submission] = []
        // Zip and tar archives are unpacked here (in a sandbox), removed when the run ends.
        let unpacked = NSTemporaryDirectory() + "proctor-archives-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: unpacked) }
        for path in solutions {
            do {
                submissions.append(try await grader.submission(path, language: language, unpackingInto: unpacked))
            } catch {
                Console.error("proctor: \(error)")
                throw ExitCode(2)
            }
        }
        for s in submissions {
            if let problem = s.language.missingTools.first {
                Console.error(
                    "proctor: warning: \(s.name): the \(s.language.name) toolchain is not installed (missing \(problem)); its tests will be JE"
                )
            }
        }
        do {
            let probe = try await Sandbox.create(SandboxConfiguration(), logger: logger)
            await probe.terminate()
        } catch {
            Console.error("proctor: cannot make a sandbox here: \(error)")
            throw ExitCode(3)
        }

        let source = try sharding.source()
        let part = RunShard(
            suites: suites, packages: packages, submissions: submissions.count, failFast: failFast,
            shard: source?.shard ?? .whole)
        let section: ShardSection?
        do {
            section = try sharding.section(source, command: "run", total: part.total, positions: part.positions) { d in
                d.add("language \(language ?? "") fail-fast \(failFast)")
                if let file = inputs.languagesFile { try d.add(path: file) }
                for suite in suites { try d.add(suite) }
                for path in solutions { try d.add(path: path) }
            }
        } catch {
            Console.error("proctor: \(error)")
            throw ExitCode(2)
        }
        let summary = TerminalSummary(colour: Console.stdoutIsTerminal)
        let live = Console.stderrIsTerminal
        let progressSummary = TerminalSummary(colour: live)
        let result: RunResult
        do {
            result = try await grader.grade(
                suites: suites, submissions: submissions, only: source == nil ? nil : part.pairs
            ) { p in
                if live { FileHandle.standardError.write(Data(("\r\u{1B}[K" + progressSummary.progressLine(p)).utf8)) }
            }.mergingPackages(packages)
        } catch {
            if live { Console.error("") }
            Console.error("proctor: internal error: \(error)")
            throw ExitCode(3)
        }
        if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        if section != nil && result.results.count != part.positions.count {
            Console.error(
                "proctor: internal error: the shard has \(result.results.count) results, \(part.positions.count) planned")
            throw ExitCode(3)
        }
        let reportFailed = !Console.write(reports.reports(result) { try JSONReport.render(result, shard: section) })
        print(summary.render(result))
        if reportFailed { throw ExitCode(3) }
        throw ExitCode(result.allAccepted ? 0 : 1)
    }
}
