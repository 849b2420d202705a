import Dispatch
import Sandbox

/// Blocking work of request handlers, kept off Swift's cooperative pool.
///
/// That pool has one thread per core (two on the build machines). A handler that makes a
/// blocking call on it (open(2) of a FIFO a sandboxed program made, a spawn, a wait) holds
/// one of those threads; a handful of such requests stop every task of the process:
/// `/health`, graceful shutdown on SIGTERM, everything. So every sandbox file-system call
/// goes through `OffPool.run` (on `Blocking`'s threads), and async library calls that do
/// blocking work inline (exec's spawn, a pooled sandbox's setup) run with
/// `OffPool.executor` as their task executor.
enum OffPool {
    /// Thrown when a call outlived its `timeout`.
    struct TimedOut: Error {}

    /// Runs `body` via `Blocking.run` and waits for it; but the waiting ends when the task is
    /// cancelled (the client went away, the server is stopping) or after `timeout`. A call
    /// that blocks for good then strands one thread of `Blocking`'s queue, never the request,
    /// the cooperative pool or the server's shutdown.
    static func run<T: Sendable>(timeout: Duration? = nil, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        let shot = OneShot<T>()
        Task {
            do {
                shot.resume(.success(try await Blocking.run(body)))
            } catch {
                shot.resume(.failure(error))
            }
        }
        let timer = timeout.map { timeout in
            Task {
                try await Task.sleep(for: timeout)
                shot.resume(.failure(TimedOut()))
            }
        }
        defer { timer?.cancel() }
        return try await withTaskCancellationHandler {
            try await shot.value()
        } onCancel: {
            shot.resume(.failure(CancellationError()))
        }
    }

    /// A task executor on threads of its own: `withTaskExecutorPreference(OffPool.executor)`
    /// runs the synchronous stretches of an async call there instead of on the cooperative pool.
    static let executor = QueueTaskExecutor(label: "proctor.server.offpool")
}

/// A task executor that runs jobs on a concurrent dispatch queue.
final class QueueTaskExecutor: TaskExecutor {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label, attributes: .concurrent)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
