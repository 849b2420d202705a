import Dispatch

/// Runs work that may block (fork and wait for a child, kill and wait for a cgroup to
/// empty, a file-system call, a name lookup) on threads of its own queue, never on
/// Swift's cooperative pool.
///
/// That pool has one thread per core: a few milliseconds of blocking there stall every
/// other task of the process, and a handful of calls blocked for good (a FIFO opened
/// without O_NONBLOCK) stop the HTTP server's health check and its shutdown.
public enum Blocking {
    private static let queue = DispatchQueue(label: "proctor.blocking", attributes: .concurrent)

    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    public static func run(_ body: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                body()
                continuation.resume()
            }
        }
    }
}
