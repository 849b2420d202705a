import Foundation
import Grading
import Logging
import Sandbox
import Synchronization
import SystemPackage

/// A bounded admission gate: `slots` runs at once, at most `capacity` more waiting; past
/// that `enter` answers 503 at once, so the queue never grows without bound.
final class Gate: Sendable {
    private struct State {
        var running = 0
        var next = 0
        var waiting: [(id: Int, continuation: CheckedContinuation<Void, any Error>)] = []
        /// Waiters cancelled before they were queued.
        var cancelled: Set<Int> = []
    }
    let slots: Int
    let capacity: Int
    private let state = Mutex(State())

    init(slots: Int, capacity: Int) {
        self.slots = slots
        self.capacity = capacity
    }

    /// Waits for a slot. `admitted` work (a job already accepted and stored) always waits.
    /// A cancelled waiter leaves the queue at once (CancellationError): a client that hung
    /// up while queued holds no place.
    func enter(admitted: Bool = false) async throws {
        let id = state.withLock { s -> Int in
            s.next += 1
            return s.next
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let answer = state.withLock { s -> Result<Void, any Error>? in
                    if s.cancelled.remove(id) != nil { return .failure(CancellationError()) }
                    if s.running < slots {
                        s.running += 1
                        return .success(())
                    }
                    if !admitted && s.waiting.count >= capacity { return .failure(APIError.queueFull) }
                    s.waiting.append((id, c))
                    return nil
                }
                if let answer { c.resume(with: answer) }
            }
        } onCancel: {
            let waiter = state.withLock { s -> CheckedContinuation<Void, any Error>? in
                if let i = s.waiting.firstIndex(where: { $0.id == id }) { return s.waiting.remove(at: i).continuation }
                s.cancelled.insert(id)
                return nil
            }
            waiter?.resume(throwing: CancellationError())
        }
        // Admitted (or refused) before a late cancellation: forget it.
        _ = state.withLock { $0.cancelled.remove(id) }
    }

    /// Gives the slot to the first waiter, or frees it.
    func leave() {
        let next = state.withLock { s -> CheckedContinuation<Void, any Error>? in
            if s.waiting.isEmpty {
                s.running -= 1
                return nil
            }
            return s.waiting.removeFirst().continuation
        }
        next?.resume()
    }

    var depth: Int { state.withLock { $0.waiting.count } }
    var running: Int { state.withLock { $0.running } }
}

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
        var configuration = language.sandboxConfiguration(memory: maxMemory + language.memoryAllowance,
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
