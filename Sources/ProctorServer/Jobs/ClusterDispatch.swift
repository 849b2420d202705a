import Logging
import Synchronization

/// A cluster's dispatch: each lane claims jobs from PostgreSQL as its workers come free; a
/// heartbeat renews the leases of the jobs running here; a listener turns NOTIFY into a
/// ring of the lane's bell (a job was queued) or a waiter's wake-up (a job ended, maybe on
/// another node).
extension JobSystem {
    func runCluster(_ pg: PostgresStore) async {
        await withDiscardingTaskGroup { group in
            group.addTask { await pg.listen { payload in self.notified(payload) } }
            group.addTask { await self.heartbeat(pg) }
            for (kind, l) in lanes {
                // Off the cooperative pool, as the local lanes' dispatchers (JobSystem.run).
                group.addTask(executorPreference: OffPool.executor) {
                    await self.claim(pg, kind: kind, workers: l.workers, l.handler)
                }
            }
        }
    }

    var isClosed: Bool { running.withLock { $0.closed } }

    /// `queued:KIND` (or `queued:*`): a lane may have work; `done:ID`: a job ended.
    func notified(_ payload: String) {
        if payload.hasPrefix("queued:") {
            let kind = String(payload.dropFirst(7))
            for (k, bell) in bells where kind == "*" || k == kind { bell.ring() }
        } else if payload.hasPrefix("done:") {
            wake(String(payload.dropFirst(5)))
        }
    }

    /// Claims as many jobs as there are free workers, runs them, and claims again when one
    /// ends, when the bell rings, or every `poll` seconds (how jobs whose node died are
    /// found once their leases have run out: nobody rings for those).
    private func claim(_ pg: PostgresStore, kind: String, workers: Int, _ handler: any JobHandler) async {
        guard let bell = bells[kind] else { return }
        let busy = Busy()
        let poll = Duration.milliseconds(Int64(pg.node.poll * 1000))
        var failing = false
        await withDiscardingTaskGroup { group in
            while !isClosed && !Task.isCancelled {
                let free = workers - busy.count
                var claimed: [JobRow] = []
                if free > 0 {
                    do {
                        claimed = try await pg.claim(kind: kind, limit: free)
                        failing = false
                    } catch {
                        if !failing { logger.error("claiming jobs failed", metadata: ["error": "\(String(reflecting: error))"]) }
                        failing = true
                    }
                }
                for job in claimed {
                    busy.add(1)
                    group.addTask(executorPreference: OffPool.executor) {
                        await self.execute(job, handler) { outcome in
                            try await pg.finish(
                                job.id, status: outcome.status, result: outcome.result, junit: outcome.junit,
                                error: outcome.error)
                        }
                        busy.add(-1)
                        bell.ring()
                    }
                }
                // All it asked for: there may be more waiting.
                if free > 0 && claimed.count == free { continue }
                await bell.wait(timeout: poll)
            }
        }
    }

    /// Every third of a lease: renews this node's leases (and its row in `node`), stops the
    /// jobs whose lease another node took meanwhile (this node stalled past it: their
    /// outcomes would be dropped), and refreshes the queue-depth gauges.
    private func heartbeat(_ pg: PostgresStore) async {
        let every = Duration.milliseconds(Int64(pg.node.lease * 1000 / 3))
        var failing = false
        while !isClosed && !Task.isCancelled {
            // Taken before the renewal: a job claimed after it started is not in `held`.
            let before = Set(running.withLock { $0.tasks.keys })
            do {
                let held = try await pg.renew()
                let lost = running.withLock { r in before.subtracting(held).compactMap { r.tasks[$0] } }
                if !lost.isEmpty { logger.warning("leases lost to other nodes", metadata: ["jobs": "\(lost.count)"]) }
                for task in lost { task.cancel() }
                for (kind, l) in lanes {
                    let queued = try await pg.queued(kind: kind)
                    l.lane.show(depth: queued)
                }
                failing = false
            } catch {
                if !failing { logger.error("lease renewal failed", metadata: ["error": "\(String(reflecting: error))"]) }
                failing = true
            }
            try? await Task.sleep(for: every)
        }
    }
}

/// Jobs a cluster lane is running now.
private final class Busy: Sendable {
    private let n = Atomic<Int>(0)
    var count: Int { n.load(ordering: .relaxed) }
    func add(_ d: Int) { n.add(d, ordering: .relaxed) }
}
