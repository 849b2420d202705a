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

    /// Room for `n` more?
    func hasRoom(_ n: Int) -> Bool { depth + n <= capacity }

    func push(_ ids: [String]) {
        waiting.add(ids.count, ordering: .relaxed)
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
