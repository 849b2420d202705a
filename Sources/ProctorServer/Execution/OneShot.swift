import Synchronization

/// A value delivered once, by whichever of several parties comes first (the work, a timer,
/// a cancellation); later deliveries are dropped. `value()` may start before or after it.
///
/// Kept hand-built because structured concurrency cannot express its first use: a task
/// group waits for all its children before it returns, so racing `Blocking.run` (an open(2)
/// that may block for good) against a timeout in a group would wait for the blocked call
/// all the same. Here the waiter is answered by whoever comes first and walks away. The job
/// and client-watch waiters reuse it: an event one side fires and the other awaits, with
/// cancellation; an AsyncStream would not do for those, since cancelling one waiter's
/// iteration finishes the stream for every other.
final class OneShot<T: Sendable>: Sendable {
    private enum State {
        case empty
        case waiting(CheckedContinuation<T, any Error>)
        case early(Result<T, any Error>)
        case done
    }
    private let state = Mutex<State>(.empty)

    func resume(_ result: Result<T, any Error>) {
        let waiter = state.withLock { s -> CheckedContinuation<T, any Error>? in
            switch s {
            case .empty:
                s = .early(result)
                return nil
            case .waiting(let c):
                s = .done
                return c
            case .early, .done:
                return nil
            }
        }
        waiter?.resume(with: result)
    }

    /// Waits for the value (once: a second call would wait forever).
    func value() async throws -> T {
        try await withCheckedThrowingContinuation { c in
            let ready = state.withLock { s -> Result<T, any Error>? in
                switch s {
                case .early(let r):
                    s = .done
                    return r
                case .empty:
                    s = .waiting(c)
                    return nil
                case .waiting, .done:
                    return .failure(CancellationError())
                }
            }
            if let ready { c.resume(with: ready) }
        }
    }
}
