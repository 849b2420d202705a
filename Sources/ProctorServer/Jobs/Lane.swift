import Synchronization

/// The job ids of one kind waiting to run, first in first out: an AsyncStream (unbounded, so
/// that pushing never waits) read by the lane's dispatcher in `JobSystem`, which starts
/// each job as one of its `workers` becomes free. `capacity` bounds what may wait (503 past
/// it), counted here because a stream does not tell its length.
final class Lane: Sendable {
    let name: String
    let capacity: Int
    private let ids: AsyncStream<String>
    private let input: AsyncStream<String>.Continuation
    private let waiting = Atomic<Int>(0)
    private let closed = Atomic<Bool>(false)

    init(name: String, capacity: Int) {
        self.name = name
        self.capacity = capacity
        (ids, input) = AsyncStream.makeStream(of: String.self)
    }

    var depth: Int { waiting.load(ordering: .relaxed) }

    /// Takes room for `n` more if there is, in one step: a check and a later count would let
    /// two submissions at once both pass and exceed `capacity`. What is reserved is then
    /// either `push`ed (`reserved: true`) or given back with `unreserve`.
    func reserve(_ n: Int) -> Bool {
        var seen = waiting.load(ordering: .relaxed)
        while seen + n <= capacity {
            let (done, now) = waiting.compareExchange(expected: seen, desired: seen + n, ordering: .relaxed)
            if done { return true }
            seen = now
        }
        return false
    }

    func unreserve(_ n: Int) { waiting.subtract(n, ordering: .relaxed) }

    /// In a cluster the lane holds no ids (the queue is the database's): its depth is the
    /// cluster's count of queued jobs, set by the heartbeat.
    func show(depth: Int) { waiting.store(depth, ordering: .relaxed) }

    /// Queues `ids`; recovery at start pushes without a reservation (capacity bounds new
    /// submissions, not what the store already holds).
    func push(_ ids: [String], reserved: Bool = false) {
        if !reserved { waiting.add(ids.count, ordering: .relaxed) }
        for id in ids { input.yield(id) }
    }

    /// The lane's ids in order, for its one dispatcher; it ends at `close` (or when the
    /// dispatcher's task is cancelled). Ids still waiting then are dropped here: they stay
    /// queued in the store, and run at the next start.
    func makeIterator() -> AsyncStream<String>.Iterator { ids.makeAsyncIterator() }

    /// The next id, or nil once closed.
    func next(_ iterator: inout AsyncStream<String>.Iterator) async -> String? {
        guard let id = await iterator.next(), !closed.load(ordering: .relaxed) else { return nil }
        waiting.subtract(1, ordering: .relaxed)
        return id
    }

    func close() {
        closed.store(true, ordering: .relaxed)
        input.finish()
    }
}
