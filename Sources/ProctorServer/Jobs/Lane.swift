import Synchronization

/// A FIFO of job ids that workers wait on; `capacity` bounds what may wait (503 past it).
final class Lane: Sendable {
    private struct State {
        var pending: [String] = []
        var idle: [CheckedContinuation<String?, Never>] = []
        var closed = false
    }
    let name: String
    let capacity: Int
    private let state = Mutex(State())

    init(name: String, capacity: Int) {
        self.name = name
        self.capacity = capacity
    }

    var depth: Int { state.withLock { $0.pending.count } }

    /// Room for `n` more?
    func hasRoom(_ n: Int) -> Bool { state.withLock { $0.pending.count + n <= capacity } }

    func push(_ ids: [String]) {
        var wake: [(CheckedContinuation<String?, Never>, String)] = []
        state.withLock { s in
            s.pending.append(contentsOf: ids)
            while !s.idle.isEmpty && !s.pending.isEmpty { wake.append((s.idle.removeFirst(), s.pending.removeFirst())) }
        }
        for (c, id) in wake { c.resume(returning: id) }
    }

    /// The next id, or nil once closed.
    func next() async -> String? {
        await withCheckedContinuation { c in
            let now = state.withLock { s -> String?? in
                if s.closed { return .some(nil) }
                if !s.pending.isEmpty { return .some(s.pending.removeFirst()) }
                s.idle.append(c)
                return nil
            }
            if let now { c.resume(returning: now) }
        }
    }

    func close() {
        let idle = state.withLock { s -> [CheckedContinuation<String?, Never>] in
            s.closed = true
            defer { s.idle = [] }
            return s.idle
        }
        for c in idle { c.resume(returning: nil) }
    }
}
