import Synchronization

/// A bounded admission gate: `slots` runs at once, at most `capacity` more waiting; past
/// that `enter` answers 503 at once, so the queue never grows without bound.
///
/// Hand-built (a Mutex and continuations) because no library type does all of it: an async
/// semaphore with a FIFO queue whose length is bounded (a refusal, not a wait, past it),
/// that admitted work may pass over the bound, and that a cancelled waiter leaves at once.
/// swift-async-algorithms' AsyncChannel gives back-pressure between one sender and its
/// receivers, not slots; a task group bounds concurrency only for the tasks it owns, and
/// these runs belong to separate requests.
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
