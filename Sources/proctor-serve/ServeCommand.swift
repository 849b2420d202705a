import ArgumentParser
import Foundation
import Grading
import Logging
import ProctorServer
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
    @Option(help: ArgumentHelp("SQLite database of jobs, results and the audit log.", valueName: "path"))
    var database = "proctor.sqlite"
    @Option(help: ArgumentHelp("Folder of suites that POST /grade may name.", valueName: "dir")) var suites = "Suites"
    @Option(help: ArgumentHelp("Programs run at once (default: one per core).", valueName: "n")) var workers: Int?
    @Option(name: .customLong("queue"), help: ArgumentHelp("Runs that may wait for a worker before 503.", valueName: "n"))
    var queue = 64
    @Option(name: .customLong("rate"), help: ArgumentHelp("Requests per second per token.", valueName: "n")) var rate: Double = 50
    @Option(name: .customLong("burst"), help: ArgumentHelp("Burst of requests per token.", valueName: "n")) var burst: Double = 100
    @Option(name: .customLong("max-sandboxes"), help: ArgumentHelp("Live sandboxes per token.", valueName: "n"))
    var maxSandboxes = 8
    @Option(name: .customLong("languages"), help: ArgumentHelp("A YAML file of languages.", valueName: "file"))
    var languagesFile: String?
    @Option(name: .customLong("allow-callback-host"),
            help: ArgumentHelp("A callback host trusted whatever it resolves to (repeatable); others must resolve to public addresses.",
                               valueName: "host"))
    var allowCallbackHosts: [String] = []
    @Flag(name: .customLong("allow-internal-callbacks"),
          help: "Let callbacks go to loopback, private and link-local addresses (a closed network only).")
    var allowInternalCallbacks = false

    func run() async throws {
        var c = ServerConfiguration()
        c.host = host
        c.port = port
        c.tokens = try ServerConfiguration.loadTokens(file: tokenFile, environment: ProcessInfo.processInfo.environment)
        c.databasePath = database
        c.suitesDirectory = suites
        if let workers { c.workers = max(1, workers) }
        c.queueCapacity = max(0, queue)
        c.rateLimit = rate
        c.rateBurst = burst
        c.maxSandboxesPerToken = maxSandboxes
        if let languagesFile { try c.languages.load(FilePath(languagesFile)) }
        c.callbackTargets = CallbackTargets(allowedHosts: Set(allowCallbackHosts), allowInternal: allowInternalCallbacks)
        var logger = Logger(label: "proctor.serve")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        if c.tokens.isEmpty { logger.warning("no API token configured: every route but /health and / answers 401") }
        try await runServer(c, logger: logger)
    }
}
