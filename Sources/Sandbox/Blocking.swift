import Dispatch

/// Runs a call that may block (a file-system call, a spawn, a wait) on a thread of its own
/// queue, so that it never holds one of the cooperative pool's few threads.
///
/// Swift's cooperative pool has one thread per core: a handful of blocked calls on it
/// stop every task of the process, the HTTP server's health check included. Anything that
/// can wait on the kernel for an unbounded time goes through here.
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
