import Grading
import Logging
import Sandbox

/// A program to compile (once) and run with one input.
public struct CodeRun: Sendable {
    public struct File: Sendable {
        public var path: String
        public var bytes: [UInt8]
    }
    public var language: Language
    public var code: [UInt8]
    public var stdin: [UInt8] = []
    public var files: [File] = []
    public var arguments: [String] = []
    /// Seconds of CPU and of wall clock.
    public var cpuTime: Double
    public var wallTime: Double
    public var memory: Int
    public var processes: Int = 64
    public var outputLimit: Int = 1 << 20
    public var captureLimit: Int = 1 << 20
    public var network = false
}

public enum CodeOutcome: Sendable {
    /// The compiler refused the program (its message).
    case compileError(String)
    /// The judge could not run it (toolchain missing, sandbox failure).
    case judgeError(String)
    case ran(ExecResult)
}

/// Compiles (once per distinct program: builds are cached) and runs programs in pooled
/// sandboxes, behind the gate.
public final class Executor: Sendable {
    let pools: PoolSet
    let builder: Builder
    let gate: Gate
    let logger: Logger
    let maxMemory: Int
    let cache: BuildCache

    init(workers: Int, queueCapacity: Int, maxMemory: Int, buildCacheBytes: Int, logger: Logger) {
        pools = PoolSet(capacity: workers, logger: logger)
        builder = Builder(pools: pools)
        gate = Gate(slots: workers, capacity: queueCapacity)
        self.logger = logger
        self.maxMemory = maxMemory
        cache = BuildCache(maxBytes: buildCacheBytes)
    }

    func shutdown() async {
        await pools.shutdown()
    }

    /// Runs the program; throws `APIError.queueFull` (when not `admitted`), and
    /// `CancellationError` when the task is cancelled (its process is killed then).
    /// Compiling and running do blocking work inline (spawns, the sandbox's file writes), so
    /// all of it runs on `OffPool.executor`, never on the cooperative pool.
    func run(_ r: CodeRun, admitted: Bool = false) async throws -> CodeOutcome {
        try await withTaskExecutorPreference(OffPool.executor) {
            try await self.runOffPool(r, admitted: admitted)
        }
    }

    private func runOffPool(_ r: CodeRun, admitted: Bool) async throws -> CodeOutcome {
        try await gate.enter(admitted: admitted)
        defer { gate.leave() }
        let build: Build
        switch await self.build(r.language, r.code) {
        case .failed(.compileError, let message): return .compileError(message)
        case .failed(_, let message): return .judgeError(message)
        case .built(let b): build = b
        }
        // The build's language: the one resolved for this source (its file and entry point:
        // Java's class, Erlang's module), not the table's entry.
        let language = build.language
        var configuration = language.sandboxConfiguration(
            memory: maxMemory + language.memoryAllowance,
            processes: r.processes + language.processAllowance)
        configuration.network = r.network ? .allowed : .blocked
        do {
            let result = try await pools.pool(configuration).withSandbox { sandbox -> ExecResult in
                try build.install(in: sandbox)
                for f in r.files {
                    if let slash = f.path.lastIndex(of: "/") {
                        try sandbox.fs.mkdir(String(f.path[..<slash]), parents: true)
                    }
                    try sandbox.fs.write(f.path, f.bytes)
                }
                var options = ExecOptions()
                options.stdin = .bytes(r.stdin)
                options.cpuTime = .milliseconds(Int64(r.cpuTime * 1000))
                options.wallTime = .milliseconds(Int64(r.wallTime * 1000))
                options.memory = r.memory + language.memoryAllowance
                options.outputLimit = r.outputLimit
                options.captureLimit = r.captureLimit
                try Task.checkCancellation()
                let execution = try await sandbox.exec(language.run + r.arguments, options)
                return await withTaskCancellationHandler {
                    await execution.wait()
                } onCancel: {
                    execution.kill()
                }
            }
            try Task.checkCancellation()
            return .ran(result)
        } catch is CancellationError {
            throw CancellationError()
        } catch let e as SandboxError {
            return .judgeError("sandbox: \(e.code.rawValue)")
        } catch {
            return .judgeError("sandbox failure")
        }
    }

    /// A cached build of (language, code), or a fresh one. The key is a digest of the exact
    /// bytes and the language (see BuildCache): two callers share a build only when they sent
    /// the same program.
    private func build(_ language: Language, _ code: [UInt8]) async -> BuildOutcome {
        let key = BuildCache.key(language: language, code: code)
        if let b = cache.build(for: key) { return .built(b) }
        let outcome = await builder.build(code: code, language: language)
        if case .built(let b) = outcome { cache.insert(b, for: key) }
        return outcome
    }
}
