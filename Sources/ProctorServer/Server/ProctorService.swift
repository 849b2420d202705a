import Foundation
import Grading
import Logging
import Sandbox
import Synchronization

/// What the controllers share: configuration, the store, the executor, metrics.
public final class ProctorService: Sendable {
    public let configuration: ServerConfiguration
    /// SQLite (`Store`), or PostgreSQL (`PostgresStore`) when this server is a node of a cluster.
    public let store: any JobStore
    /// This node, in a cluster (nil for a single server).
    let node: ClusterNode?
    let executor: Executor
    public let metrics: Metrics
    let logger: Logger
    let sandboxes: SandboxRegistry
    /// Tokens making a snapshot now: one at a time each, so its quota holds.
    let snapshotting = Mutex<Set<String>>([])
    let jobs: JobSystem
    /// Where grading jobs lay out their suites and solutions (next to an SQLite database; in
    /// a cluster, in the temporary folder, named for the node).
    let jobsFolder: String

    public init(configuration: ServerConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        let backend: JobSystem.Backend
        if configuration.isCluster {
            let node = ClusterNode(configuration)
            let pg = try PostgresStore(
                url: configuration.databasePath, node: node, connections: configuration.cluster.connections, logger: logger)
            self.node = node
            store = pg
            backend = .cluster(pg)
            jobsFolder = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-serve-\(node.id).jobs").path
        } else {
            let local = try Store(path: configuration.databasePath)
            node = nil
            store = local
            backend = .local(local)
            jobsFolder = configuration.databasePath + ".jobs"
        }
        // Working files of jobs and builds; what a killed server left is removed (jobs are
        // laid out again from the database).
        try? FileManager.default.removeItem(atPath: jobsFolder)
        try FileManager.default.createDirectory(
            atPath: jobsFolder, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        executor = Executor(
            workers: configuration.workers, queueCapacity: configuration.queueCapacity,
            maxMemory: configuration.maxMemory, buildCacheBytes: configuration.buildCacheBytes, logger: logger)
        metrics = Metrics()
        sandboxes = SandboxRegistry(perOwner: configuration.maxSandboxesPerToken, node: self.node?.id, logger: logger)
        let grade = GradeHandler(
            configuration: configuration, jobsFolder: jobsFolder, store: store, metrics: metrics, logger: logger)
        let judge0 = Judge0Handler(configuration: configuration, executor: executor, store: store, metrics: metrics)
        jobs = JobSystem(
            backend: backend, metrics: metrics, logger: logger, callbackTries: configuration.callbackTries,
            callbackBackoff: configuration.callbackBackoff,
            callbackTargets: configuration.callbackTargets,
            lanes: [
                "grade": (Lane(name: "grade", capacity: configuration.jobQueueCapacity), 1, grade),
                "judge0": (Lane(name: "judge0", capacity: configuration.jobQueueCapacity), configuration.workers, judge0),
            ])
        let registry = sandboxes
        metrics.gauge("proctor_sandboxes_live") { Double(registry.count) }
        let gate = executor.gate
        metrics.gauge("proctor_execute_queue_depth") { Double(gate.depth) }
        metrics.gauge("proctor_execute_running") { Double(gate.running) }
    }

    func language(_ id: String) throws -> Language {
        guard let l = configuration.languages.language(id: id) else {
            throw APIError.badRequest(
                "unknown language '\(id.prefix(40))' (known: "
                    + configuration.languages.languages.map(\.id).joined(separator: ", ") + ")")
        }
        return l
    }

    /// A run from the API's fields, limits checked and capped.
    func codeRun(
        language: Language, code: String, stdin: String?, files: [FileUpload]?, args: [String]?,
        timeout: Double?, memory: Int?
    ) throws -> CodeRun {
        let c = configuration
        if code.utf8.count > c.maxFileSize {
            throw APIError(.contentTooLarge, "too_large", "the code is larger than \(c.maxFileSize) bytes")
        }
        let files = files ?? []
        if files.count > c.maxFiles { throw APIError.badRequest("at most \(c.maxFiles) files") }
        let timeout = min(timeout ?? c.defaultTimeout, c.maxTimeout)
        guard timeout > 0 else { throw APIError.badRequest("timeout must be positive") }
        let memory = memory ?? c.defaultMemory
        guard memory >= 1 << 20, memory <= c.maxMemory else {
            throw APIError.badRequest("memory must be between 1M and \(c.maxMemory >> 20)M")
        }
        var run = CodeRun(language: language, code: Array(code.utf8), cpuTime: timeout, wallTime: timeout, memory: memory)
        run.stdin = Array((stdin ?? "").utf8)
        run.files = try files.map { try $0.decoded(limit: c.maxFileSize) }
        run.arguments = args ?? []
        return run
    }

    /// Audit log and metrics for one run.
    func record(caller: String, endpoint: String, language: String, code: [UInt8], answer: ExecuteResponse, seconds: Double) async
    {
        metrics.count("proctor_runs_total", ["endpoint": endpoint, "verdict": answer.verdict])
        metrics.observe("proctor_run_seconds", ["endpoint": endpoint], seconds: seconds)
        await store.audit(
            AuditEntry(
                caller: caller, endpoint: endpoint, language: language, subject: Self.digest(code),
                verdict: answer.verdict, status: answer.status, exitCode: answer.return_code,
                cpuTime: answer.cpu_time, wallTime: answer.execution_time, memoryPeak: answer.memory_peak))
    }

    /// A short fingerprint of a program for the audit log (FNV-1a 64, and the size).
    static func digest(_ bytes: [UInt8]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        return "fnv64:" + String(h, radix: 16) + " bytes:\(bytes.count)"
    }

    /// What must happen before the server answers: in a cluster, the database's migrations
    /// and this node's registration. (Nothing for SQLite: its store is ready once opened.)
    public func start() async throws {
        if case .cluster(let pg) = jobs.backend { try await pg.start() }
    }

    /// Closes the database's connections, after `shutdown`, once no request runs any more.
    public func close() {
        if case .cluster(let pg) = jobs.backend { pg.stop() }
    }

    public func shutdown() async {
        await jobs.shutdown()
        await sandboxes.terminateAll()
        await executor.shutdown()
    }
}
