import Logging

/// Warm sandboxes for throughput: creating namespaces and a root costs milliseconds, an
/// exec in a ready sandbox little more than fork+exec. A sandbox goes back to the pool
/// only after `reset()` (processes killed, workdir, /tmp and /dev/shm emptied), so one
/// use sees nothing of the last; one whose reset fails is terminated instead.
public actor SandboxPool {
    public let configuration: SandboxConfiguration
    /// How many idle sandboxes the pool keeps at most.
    public let capacity: Int
    private let logger: Logger
    private var idle: [Sandbox] = []
    private var closed = false

    public init(
        configuration: SandboxConfiguration = .init(), capacity: Int = 4,
        logger: Logger = Logger(label: "proctor.pool")
    ) {
        self.configuration = configuration
        self.capacity = capacity
        self.logger = logger
    }

    /// Creates sandboxes until `count` are idle.
    public func prewarm(_ count: Int) async throws {
        while idle.count < min(count, capacity) {
            idle.append(try await Sandbox.create(configuration, logger: logger))
        }
    }

    public var idleCount: Int { idle.count }

    /// An idle sandbox, or a new one. An idle sandbox whose init died while it waited
    /// (killed from the host, say) is terminated and replaced, never handed out.
    public func acquire() async throws -> Sandbox {
        if closed { throw SandboxError(.terminated, "the pool is shut down") }
        while let sandbox = idle.popLast() {
            if sandbox.isAlive { return sandbox }
            if !sandbox.isTerminated {
                logger.warning("a pooled sandbox's init died; replacing it", metadata: ["id": "\(sandbox.id)"])
                await sandbox.terminate()
            }
        }
        return try await Sandbox.create(configuration, logger: logger)
    }

    /// Resets the sandbox and keeps it for the next user (or terminates it).
    public func release(_ sandbox: Sandbox) async {
        if case .layers = sandbox.configuration.image {
            // Its writes anywhere in its image's writable layer cannot be undone: a new one.
            await sandbox.terminate()
            return
        }
        do {
            try await sandbox.reset()
            if !closed && idle.count < capacity && sandbox.isAlive {
                idle.append(sandbox)
                return
            }
        } catch {
            logger.warning("reset failed; terminating the sandbox", metadata: ["error": "\(error)"])
        }
        await sandbox.terminate()
    }

    /// Runs `body` with a pooled sandbox, and gives it back whatever happens.
    public func withSandbox<T: Sendable>(_ body: (Sandbox) async throws -> T) async throws -> T {
        let sandbox = try await acquire()
        do {
            let value = try await body(sandbox)
            await release(sandbox)
            return value
        } catch {
            await release(sandbox)
            throw error
        }
    }

    /// Terminates every idle sandbox; later releases terminate theirs.
    public func shutdown() async {
        closed = true
        let all = idle
        idle = []
        for sandbox in all { await sandbox.terminate() }
    }
}
