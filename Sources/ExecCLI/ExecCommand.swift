import Glibc
import Logging
import Sandbox
import SystemPackage

/// How `proctor exec` ends: the exit code to exit with (the command's, or 0 with --json).
public struct ExecExit: Error, Sendable {
    public let code: Int32
    public init(_ code: Int32) { self.code = code }
}

/// What `proctor exec` was asked, parsed: by proctor-grade's `ExecCommand`, or by
/// `ExecRun.parse` for the plain cases (same values, without ArgumentParser).
public struct ExecRun: Sendable {
    var memory: ByteSize?
    var time: TimeSpan?
    var wallTime: TimeSpan?
    var pids: Int?
    var outputLimit: ByteSize?
    var network = false
    var files: [FileMapping] = []
    var workdir: String?
    /// The image's layers (`--image`): from its layer index (`parse`), or from its manifest
    /// (proctor-grade; the manifest is JSON, which this module, linked by the small front,
    /// does not read).
    var image: SandboxConfiguration.Image?
    var json = false
    var command: [String] = []

    public init(
        memory: ByteSize?, time: TimeSpan?, wallTime: TimeSpan?, pids: Int?, outputLimit: ByteSize?, network: Bool,
        files: [FileMapping], workdir: String?, image: SandboxConfiguration.Image?, json: Bool, command: [String]
    ) {
        self.memory = memory
        self.time = time
        self.wallTime = wallTime
        self.pids = pids
        self.outputLimit = outputLimit
        self.network = network
        self.files = files
        self.workdir = workdir
        self.image = image
        self.json = json
        self.command = command
    }

    init() {}

    /// The arguments after `exec` when they are plain: known options each given once as
    /// `--name value`, flags, `--`, then the command; values that convert; the same checks as
    /// `ExecCommand.validate`. Anything else (help, `--name=value`, an unknown or repeated
    /// option, a bad value) is nil: then ArgumentParser parses, so messages stay its own.
    /// `--image` of an image without a current layer index is nil too: proctor-grade reads
    /// the image's manifest (JSON, which this module does not read).
    public static func parse(_ arguments: [String]) -> ExecRun? {
        var run = ExecRun()
        var seen: [String] = []  // a few names: no hashed set to seed and fill
        var i = 0
        while i < arguments.count {
            let name = arguments[i]
            i += 1
            if name == "--" {
                run.command = Array(arguments[i...])
                break
            }
            if name == "--network" || name == "--json" {
                guard !seen.contains(name) else { return nil }
                seen.append(name)
                if name == "--network" { run.network = true } else { run.json = true }
                continue
            }
            guard i < arguments.count, !arguments[i].hasPrefix("-") else { return nil }
            let value = arguments[i]
            i += 1
            if name != "--file" {
                guard !seen.contains(name) else { return nil }
                seen.append(name)
            }
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
            case "--image":
                guard let image = ImageStoreFolder().sandboxImageFromIndex(named: value) else { return nil }
                run.image = image
            default: return nil
            }
        }
        if run.command.isEmpty { return nil }
        if let pids = run.pids, pids < 1 { return nil }
        if let workdir = run.workdir, !workdir.hasPrefix("/") { return nil }
        for file in run.files where access(file.local, R_OK) != 0 { return nil }
        return run
    }

    /// Runs the command; ends by throwing `ExecExit` (the command's code, or 0 with --json). All
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
            if let image { configuration.image = image }
            let sandbox = try Sandbox.createSynchronously(configuration, logger: logger)
            defer { sandbox.terminateSynchronously() }
            result = try runIn(sandbox, options)
        } catch {
            result = ExecResult(status: .sandboxError, error: "\(error)")
        }
        try Self.report(result, json: json)
    }

    /// Ends as a run that could not start its sandbox (`message`: why).
    public static func failed(json: Bool, _ message: String) throws {
        try report(ExecResult(status: .sandboxError, error: message), json: json)
    }

    /// Prints the result (--json) or the reason a limit ended the run, and throws its `ExecExit`.
    static func report(_ result: ExecResult, json: Bool) throws {
        if json {
            print(ExecJSON.encode(result))
            throw ExecExit(0)
        }
        if let reason = result.limitReason {
            _ = try? FileDescriptor.standardError.writeAll(Array("proctor: \(reason)\n".utf8))
        }
        throw ExecExit(result.shellExitCode)
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
