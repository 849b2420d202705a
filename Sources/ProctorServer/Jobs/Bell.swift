import Synchronization

/// Wakes one waiter, the dispatcher of a lane in a cluster: rung when a job may be there to
/// take (a NOTIFY, a job of this node ended, shutdown). A ring with nobody waiting is kept,
/// so the next `wait` returns at once: a ring between a claim that found nothing and the
/// wait that follows it is not lost.
final class Bell: Sendable {
    private struct State {
        var rung = false
        var waiter: CheckedContinuation<Void, Never>?
    }
    private let state = Mutex(State())

    func ring() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard let w = s.waiter else {
                s.rung = true
                return nil
            }
            s.waiter = nil
            return w
        }
        waiter?.resume()
    }

    /// Returns when rung (or rung since the last wait), or after `timeout`. One waiter at a time.
    func wait(timeout: Duration) async {
        let timer = Task {
            try? await Task.sleep(for: timeout)
            self.ring()
        }
        defer { timer.cancel() }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if s.rung {
                    s.rung = false
                    return true
                }
                s.waiter = c
                return false
            }
            if now { c.resume() }
        }
    }
}
