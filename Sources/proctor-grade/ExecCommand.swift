import ArgumentParser
import ExecCLI
import Glibc
import Images
import Sandbox

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
        do {
            // An unknown image is a sandbox error, as any other failure to start the sandbox.
            var sandboxImage: SandboxConfiguration.Image? = nil
            if let image {
                do {
                    sandboxImage = try ImageStoreFolder().sandboxImage(named: image)
                } catch {
                    try ExecRun.failed(json: json, "\(error)")
                }
            }
            try ExecRun(
                memory: memory, time: time, wallTime: wallTime, pids: pids, outputLimit: outputLimit,
                network: network, files: files, workdir: workdir, image: sandboxImage, json: json, command: command
            ).run()
        } catch let exit as ExecExit {
            throw ExitCode(exit.code)
        }
    }
}
