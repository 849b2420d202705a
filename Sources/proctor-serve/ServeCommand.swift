import ArgumentParser
import Foundation
import Grading
import Logging
import ProctorServer
import Sandbox
import SystemPackage

/// `proctor serve`: the HTTP API (ProctorServer); flags map onto `ServerConfiguration`.
/// The root command of the `proctor-serve` executable, which `proctor serve` execs.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proctor serve",
        abstract: "Serve the HTTP API: /execute, sandboxes, grading jobs, Judge0-compatible endpoints, a playground.",
        discussion: """
            Tokens come from --token-file (one per line, `name:token` or `token`) and from the \
            environment (PROCTOR_TOKENS=name:token,... or PROCTOR_TOKEN). Without any token no \
            route but /health and the playground page answers. SIGTERM or SIGINT stops it gracefully.
            """
    )

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @Option(name: .customLong("token-file"), help: ArgumentHelp("API tokens file.", valueName: "path")) var tokenFile: String?
    @Option(
        help: ArgumentHelp(
            "SQLite database of jobs, results and the audit log; or postgres://user:password@host:port/db, shared by several nodes.",
            valueName: "path|url"))
    var database = "proctor.sqlite"
    @Option(
        name: .customLong("node-id"),
        help: ArgumentHelp("With PostgreSQL: this node's name (letters, digits, -, _; default: host-port).", valueName: "name"))
    var nodeID: String?
    @Option(
        name: .customLong("advertise-url"),
        help: ArgumentHelp(
            "With PostgreSQL: where clients reach this node; other nodes redirect its sandboxes' callers there.",
            valueName: "url"))
    var advertiseURL: String?
    @Option(
        help: ArgumentHelp(
            "With PostgreSQL: a job's lease (renewed while it runs); a dead node's jobs run again this long after.",
            valueName: "time"))
    var lease = "30s"
    @Option(help: ArgumentHelp("With PostgreSQL: how often an idle node looks for jobs besides NOTIFY.", valueName: "time"))
    var poll = "1s"
    @Option(help: ArgumentHelp("Folder of suites that POST /grade may name.", valueName: "dir")) var suites = "Suites"
    @Option(
        help: ArgumentHelp(
            "The image store that sandboxes, /execute and suites name images of, and snapshots go to (default: $PROCTOR_IMAGES, else /var/lib/proctor/images).",
            valueName: "dir"))
    var images: String?
    @Option(help: ArgumentHelp("Programs run at once (default: one per core).", valueName: "n")) var workers: Int?
    @Option(name: .customLong("queue"), help: ArgumentHelp("Runs that may wait for a worker before 503.", valueName: "n"))
    var queue = 64
    @Option(name: .customLong("rate"), help: ArgumentHelp("Requests per second per token.", valueName: "n")) var rate: Double = 50
    @Option(name: .customLong("burst"), help: ArgumentHelp("Burst of requests per token.", valueName: "n")) var burst: Double =
        100
    @Option(name: .customLong("max-sandboxes"), help: ArgumentHelp("Live sandboxes per token.", valueName: "n"))
    var maxSandboxes = 8
    @Option(
        name: .customLong("max-snapshots"),
        help: ArgumentHelp("Snapshots (images made over HTTP) a token may keep.", valueName: "n"))
    var maxSnapshots = 16
    @Option(
        name: .customLong("max-snapshot-bytes"),
        help: ArgumentHelp("Bytes of its snapshots' own layers a token may keep (default 8G).", valueName: "size"))
    var maxSnapshotBytes: String?
    @Option(name: .customLong("languages"), help: ArgumentHelp("A YAML file of languages.", valueName: "file"))
    var languagesFile: String?
    @Option(
        name: .customLong("allow-callback-host"),
        help: ArgumentHelp(
            "A callback host trusted whatever it resolves to (repeatable); others must resolve to public addresses.",
            valueName: "host"))
    var allowCallbackHosts: [String] = []
    @Flag(
        name: .customLong("allow-internal-callbacks"),
        help: "Let callbacks go to loopback, private and link-local addresses (a closed network only).")
    var allowInternalCallbacks = false
    @Option(
        name: .customLong("max-cpu-time"),
        help: ArgumentHelp("Most CPU time per run an uploaded suite or a Judge0 submission may ask for.", valueName: "time"))
    var maxCPUTime: String?
    @Option(
        name: .customLong("max-wall-time"),
        help: ArgumentHelp("Most wall time per run an uploaded suite or a Judge0 submission may ask for.", valueName: "time"))
    var maxWallTime: String?
    @Option(
        name: .customLong("max-memory"),
        help: ArgumentHelp("Most memory per run an uploaded suite or a Judge0 submission may ask for.", valueName: "size"))
    var maxMemory: String?
    @Option(
        name: .customLong("max-output"),
        help: ArgumentHelp("Most output per run an uploaded suite or a Judge0 submission may ask for.", valueName: "size"))
    var maxOutput: String?
    @Option(
        name: .customLong("max-processes"),
        help: ArgumentHelp(
            "Most processes per run an uploaded suite, a Judge0 submission or a sandbox may ask for.", valueName: "n"))
    var maxProcesses: Int?
    @Option(name: .customLong("max-tests"), help: ArgumentHelp("Most tests in an uploaded suite.", valueName: "n"))
    var maxTests: Int?

    /// "10s", "500ms": a positive duration, or a usage error naming the flag.
    static func duration(_ text: String?, _ flag: String) throws -> Duration? {
        guard let text else { return nil }
        guard let d = Units.duration(text), d > .zero else {
            throw ValidationError("\(flag): '\(text)' is not a duration (e.g. 10s, 500ms)")
        }
        return d
    }

    /// "64M", "1G": bytes, or a usage error naming the flag.
    static func bytes(_ text: String?, _ flag: String) throws -> Int? {
        guard let text else { return nil }
        guard let b = Units.bytes(text), b > 0 else { throw ValidationError("\(flag): '\(text)' is not a size (e.g. 64M, 1G)") }
        return b
    }

    func validate() throws {
        _ = try Self.duration(maxCPUTime, "--max-cpu-time")
        _ = try Self.duration(maxWallTime, "--max-wall-time")
        _ = try Self.bytes(maxMemory, "--max-memory")
        _ = try Self.bytes(maxOutput, "--max-output")
        _ = try Self.bytes(maxSnapshotBytes, "--max-snapshot-bytes")
        _ = try Self.duration(lease, "--lease")
        _ = try Self.duration(poll, "--poll")
        if let nodeID, !ClusterSettings.validNodeID(nodeID) {
            throw ValidationError("--node-id: '\(nodeID)' is not 1 to 40 letters, digits, '-' and '_'")
        }
    }

    func run() async throws {
        var c = ServerConfiguration()
        c.host = host
        c.port = port
        c.tokens = try ServerConfiguration.loadTokens(file: tokenFile, environment: ProcessInfo.processInfo.environment)
        c.databasePath = database
        c.cluster.nodeID = nodeID
        c.cluster.advertiseURL = advertiseURL
        if let d = try Self.duration(lease, "--lease") { c.cluster.lease = d.seconds }
        if let d = try Self.duration(poll, "--poll") { c.cluster.poll = d.seconds }
        c.suitesDirectory = suites
        if let images { c.images = ImageStoreFolder(FilePath(images)) }
        if let workers { c.workers = max(1, workers) }
        c.queueCapacity = max(0, queue)
        c.rateLimit = rate
        c.rateBurst = burst
        c.maxSandboxesPerToken = maxSandboxes
        c.maxSnapshotsPerToken = max(0, maxSnapshots)
        if let b = try Self.bytes(maxSnapshotBytes, "--max-snapshot-bytes") { c.maxSnapshotBytesPerToken = b }
        if let languagesFile { try c.languages.load(FilePath(languagesFile)) }
        // A language naming an image finds it in the server's store.
        c.languages = LanguageTable(c.languages.languages.map { $0.inImage($0.image, store: c.images) })
        c.callbackTargets = CallbackTargets(allowedHosts: Set(allowCallbackHosts), allowInternal: allowInternalCallbacks)
        if let d = try Self.duration(maxCPUTime, "--max-cpu-time") { c.suiteCaps.cpuTime = d }
        if let d = try Self.duration(maxWallTime, "--max-wall-time") { c.suiteCaps.wallTime = d }
        if let b = try Self.bytes(maxMemory, "--max-memory") { c.suiteCaps.memory = b }
        if let b = try Self.bytes(maxOutput, "--max-output") { c.suiteCaps.output = b }
        if let maxProcesses { c.suiteCaps.processes = max(1, maxProcesses) }
        if let maxTests { c.suiteCaps.tests = max(1, maxTests) }
        var logger = Logger(label: "proctor.serve")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        if c.tokens.isEmpty { logger.warning("no API token configured: every route but /health and / answers 401") }
        try await runServer(c, logger: logger)
    }
}
