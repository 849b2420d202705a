import ArgumentParser
import Glibc
import Logging
import Sandbox
import SystemPackage

/// `proctor exec`: one command in a fresh sandbox. Its flags and JSON are a contract.
public struct ExecCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run one command in a fresh sandbox.",
        discussion: """
            Without --json the command's stdin, stdout and stderr pass through live and proctor exits \
            with its exit code (128+N when killed by signal N, 125 for a sandbox error), after a \
            one-line reason on stderr when a limit ended it. With --json it prints one JSON object \
            and exits 0.
            """
    )

    @Option(help: ArgumentHelp("Memory limit, swap included (K/M/G).", valueName: "size"))
    var memory: ByteSize?

    @Option(help: ArgumentHelp("CPU time limit, all threads and children (ms/s/m).", valueName: "duration"))
    var time: TimeSpan?

    @Option(name: .customLong("wall-time"), help: ArgumentHelp("Wall time limit (ms/s/m).", valueName: "duration"))
    var wallTime: TimeSpan?

    @Option(help: ArgumentHelp("Processes and threads limit.", valueName: "count"))
    var pids: Int?

    @Option(name: .customLong("output-limit"), help: ArgumentHelp("Limit on stdout and on stderr (K/M/G).", valueName: "size"))
    var outputLimit: ByteSize?

    @Flag(help: "Give the sandbox the host's network (blocked by default).")
    var network = false

    @Option(name: .customLong("file"), help: ArgumentHelp("Copy a host file in (repeatable).", valueName: "LOCAL:SANDBOX_PATH"))
    var files: [FileMapping] = []

    @Option(help: ArgumentHelp("The sandbox's working folder.", valueName: "path"))
    var workdir: String?

    @Option(
        help: ArgumentHelp(
            "Start from this image of the image store (proctor image ls; $PROCTOR_IMAGES) instead of the host's /usr.",
            valueName: "name"))
    var image: String?

    @Flag(help: "Print one JSON object with the result.")
    var json = false

    @Argument(parsing: .postTerminator, help: "The command and its arguments (after --).")
    var command: [String] = []

    public init() {}

    public func validate() throws {
        if command.isEmpty { throw ValidationError("missing command: proctor exec [options] -- CMD [ARGS...]") }
        if let pids, pids < 1 { throw ValidationError("--pids must be at least 1") }
        if let workdir, !workdir.hasPrefix("/") { throw ValidationError("--workdir must be an absolute path") }
        for file in files where access(file.local, R_OK) != 0 {
            throw ValidationError("--file \(file.local): no such readable file")
        }
    }

    public func run() async throws {
        try ExecRun(
            memory: memory, time: time, wallTime: wallTime, pids: pids, outputLimit: outputLimit,
            network: network, files: files, workdir: workdir, image: image, json: json, command: command
        ).run()
    }
}

/// What `proctor exec` was asked, parsed: by `ExecCommand`, or by `ExecRun.parse` for the
/// plain cases (same values, without ArgumentParser's reflection).
public struct ExecRun: Sendable {
    var memory: ByteSize?
    var time: TimeSpan?
    var wallTime: TimeSpan?
    var pids: Int?
    var outputLimit: ByteSize?
    var network = false
    var files: [FileMapping] = []
    var workdir: String?
    var image: String?
    var json = false
    var command: [String] = []

    /// The arguments after `exec` when they are plain: known options each given once as
    /// `--name value`, flags, `--`, then the command; values that convert; the same checks as
    /// `ExecCommand.validate`. Anything else (help, `--name=value`, an unknown or repeated
    /// option, a bad value) is nil: then ArgumentParser parses, so messages stay its own.
    public static func parse(_ arguments: [String]) -> ExecRun? {
        var run = ExecRun()
        var seen = Set<String>()
        var i = 0
        while i < arguments.count {
            let name = arguments[i]
            i += 1
            if name == "--" {
                run.command = Array(arguments[i...])
                break
            }
            if name == "--network" || name == "--json" {
                guard seen.insert(name).inserted else { return nil }
                if name == "--network" { run.network = true } else { run.json = true }
                continue
            }
            guard i < arguments.count, !arguments[i].hasPrefix("-") else { return nil }
            let value = arguments[i]
            i += 1
            if name != "--file" { guard seen.insert(name).inserted else { return nil } }
            switch name {
            case "--memory":
                guard let v = ByteSize(argument: value) else { return nil }
                run.memory = v
            case "--time":
                guard let v = TimeSpan(argument: value) else { return nil }
                run.time = v
            case "--wall-time":
                guard let v = TimeSpan(argument: value) else { return nil }
                run.wallTime = v
            case "--pids":
                guard let v = Int(value) else { return nil }
                run.pids = v
            case "--output-limit":
                guard let v = ByteSize(argument: value) else { return nil }
                run.outputLimit = v
            case "--file":
                guard let v = FileMapping(argument: value) else { return nil }
                run.files.append(v)
            case "--workdir": run.workdir = value
            case "--image": run.image = value
            default: return nil
            }
        }
        if run.command.isEmpty { return nil }
        if let pids = run.pids, pids < 1 { return nil }
        if let workdir = run.workdir, !workdir.hasPrefix("/") { return nil }
        for file in run.files where access(file.local, R_OK) != 0 { return nil }
        return run
    }

    /// Runs the command; ends by throwing `ExitCode` (the command's, or 0 with --json). All
    /// on the calling thread (`Sandbox.createSynchronously`): a one-shot run starts no task
    /// and no thread, which cost more than a millisecond of its start.
    public func run() throws {
        var configuration = SandboxConfiguration()
        if let memory { configuration.limits.memory = memory.bytes }
        if let pids { configuration.limits.processes = pids }
        if network { configuration.network = .allowed }
        if let workdir {
            configuration.workdir = FilePath(workdir)
            configuration.environment["HOME"] = workdir
        }
        var options = ExecOptions()
        options.cpuTime = time?.duration
        options.wallTime = wallTime?.duration
        if let outputLimit { options.outputLimit = outputLimit.bytes }
        options.captureLimit = json ? options.outputLimit : 0
        options.streamOutput = !json
        options.stdin = json ? .null : .inherit(.standardInput)

        var logger = Logger(label: "proctor")
        logger.logLevel = .warning
        // One sandbox and exit: its cgroups come from the sets kept ready across runs
        // (PROCTOR_READY_CGROUPS=N sets how many there may be; 0 turns them off).
        Sandbox.useReadyCgroups(getenv("PROCTOR_READY_CGROUPS").flatMap { Int(String(cString: $0)) } ?? 16)
        let result: ExecResult
        do {
            if let image { configuration.image = try ImageStoreFolder().sandboxImage(named: image) }
            let sandbox = try Sandbox.createSynchronously(configuration, logger: logger)
            defer { sandbox.terminateSynchronously() }
            result = try runIn(sandbox, options)
        } catch {
            result = ExecResult(status: .sandboxError, error: "\(error)")
        }
        if json {
            print(ExecJSON.encode(result))
            throw ExitCode.success
        }
        if let reason = result.limitReason {
            _ = try? FileDescriptor.standardError.writeAll(Array("proctor: \(reason)\n".utf8))
        }
        throw ExitCode(result.shellExitCode)
    }

    private func runIn(_ sandbox: Sandbox, _ options: ExecOptions) throws -> ExecResult {
        for file in files {
            try sandbox.fs.copy(from: FilePath(file.local), to: file.inside)
        }
        return try sandbox.runSynchronously(command, options) { stream, chunk in
            _ = try? (stream == 0 ? FileDescriptor.standardOutput : .standardError).writeAll(chunk)
        }
    }
}

/// The JSON object of `proctor exec --json` (snake_case keys, output bytes escaped losslessly).
enum ExecJSON {
    static func encode(_ r: ExecResult) -> String {
        func number(_ v: Double) -> String { JSONText.fixed6(v) }
        func optional(_ v: Int?) -> String { v.map(String.init) ?? "null" }
        var fields: [(String, String)] = [
            ("status", JSONText.quoted(r.status.rawValue)),
            ("exit_code", optional(r.exitCode)),
            ("signal", optional(r.signal)),
            ("cpu_time", number(r.cpuTime)),
            ("wall_time", number(r.wallTime)),
            ("memory_peak", String(r.memoryPeak)),
            ("stdout", JSONText.quoted(r.stdout)),
            ("stderr", JSONText.quoted(r.stderr)),
            ("stdout_truncated", String(r.stdoutTruncated)),
            ("stderr_truncated", String(r.stderrTruncated)),
            ("oom_killed", String(r.oomKilled)),
        ]
        if let error = r.error { fields.append(("error", JSONText.quoted(error))) }
        return "{" + fields.map { "\(JSONText.quoted($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
    }
}
