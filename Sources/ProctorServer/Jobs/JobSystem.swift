import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Sandbox
import Synchronization

/// Accepted jobs, stored before they are acknowledged and run by lanes of workers: one
/// lane per kind (grading runs one job at a time, each test in parallel; Judge0
/// submissions run one per worker). Waiters (`wait=true`) are woken when a job ends.
///
/// With SQLite (`.local`) a lane is a queue in memory, fed by `submit` and by recovery at
/// start. With PostgreSQL (`.cluster`) the queue is the database's: each lane's dispatcher
/// claims jobs from it with a lease (ClusterDispatch.swift), so any node may run any job.
final class JobSystem: Sendable {
    enum Backend: Sendable {
        case local(Store)
        case cluster(PostgresStore)
    }
    let store: any JobStore
    let backend: Backend
    let metrics: Metrics
    let logger: Logger
    let lanes: [String: (lane: Lane, workers: Int, handler: any JobHandler)]
    /// A cluster's dispatchers wait on these between claims.
    let bells: [String: Bell]
    let waiters = Mutex<[String: [OneShot<Void>]]>([:])
    struct Running {
        /// The task of each running job.
        var tasks: [String: Task<JobOutcome, Never>] = [:]
        /// Running jobs cancelled by `cancel`.
        var cancelled: Set<String> = []
        /// Set by `shutdown`: outcomes are no longer stored (the jobs were requeued).
        var closed = false
    }
    let running = Mutex(Running())
    private let callbackTries: Int
    private let callbackBackoff: Double
    private let callbackTargets: CallbackTargets

    convenience init(
        store: Store, metrics: Metrics, logger: Logger, callbackTries: Int, callbackBackoff: Double,
        callbackTargets: CallbackTargets, lanes: [String: (lane: Lane, workers: Int, handler: any JobHandler)]
    ) {
        self.init(
            backend: .local(store), metrics: metrics, logger: logger, callbackTries: callbackTries,
            callbackBackoff: callbackBackoff, callbackTargets: callbackTargets, lanes: lanes)
    }

    init(
        backend: Backend, metrics: Metrics, logger: Logger, callbackTries: Int, callbackBackoff: Double,
        callbackTargets: CallbackTargets, lanes: [String: (lane: Lane, workers: Int, handler: any JobHandler)]
    ) {
        self.backend = backend
        switch backend {
        case .local(let s): store = s
        case .cluster(let s): store = s
        }
        bells = lanes.mapValues { _ in Bell() }
        self.metrics = metrics
        self.logger = logger
        self.lanes = lanes
        self.callbackTries = callbackTries
        self.callbackBackoff = callbackBackoff
        self.callbackTargets = callbackTargets
        for (kind, l) in lanes {
            let lane = l.lane
            metrics.gauge("proctor_job_queue_depth_\(kind)") { Double(lane.depth) }
        }
    }

    /// Stores the jobs (committed before this returns), then queues them; 503 when the lane
    /// is full (in a cluster: when the cluster's queue of that kind is).
    func submit(_ jobs: [JobRow]) async throws {
        guard let kind = jobs.first?.kind, let lane = lanes[kind]?.lane else { return }
        switch backend {
        case .cluster(let pg):
            guard try await pg.insert(jobs, capacity: lane.capacity) else { throw full() }
        case .local(let local):
            guard lane.reserve(jobs.count) else { throw full() }
            do {
                try await local.insert(jobs)
            } catch {
                lane.unreserve(jobs.count)
                throw error
            }
            lane.push(jobs.map(\.id), reserved: true)
        }
    }

    private func full() -> APIError {
        metrics.count("proctor_rejected_total", ["reason": "job_queue_full"])
        return APIError.queueFull
    }

    /// Waits until the job has finished, `timeout` passed, the task is cancelled or the
    /// server stops.
    func wait(_ id: String, timeout: Duration) async {
        if running.withLock({ $0.closed }) { return }
        let shot = OneShot<Void>()
        waiters.withLock { $0[id, default: []].append(shot) }
        defer {
            waiters.withLock { w in
                w[id]?.removeAll { $0 === shot }
                if w[id]?.isEmpty == true { w[id] = nil }
            }
        }
        // Registered first, then checked: a job that ends in between wakes this waiter.
        if await ended(id) { return }
        // In a cluster the job may end on another node: its NOTIFY wakes this waiter, and
        // should that be missed (the listening connection dropped), a look every `poll`.
        var look: Duration?
        if case .cluster(let pg) = backend { look = .milliseconds(Int64(pg.node.poll * 1000)) }
        let timer = Task {
            let deadline = ContinuousClock.now + timeout
            if let look = look {
                while ContinuousClock.now < deadline, !Task.isCancelled {
                    try? await Task.sleep(for: min(look, deadline - ContinuousClock.now))
                    if await ended(id) { break }
                }
            } else {
                try? await Task.sleep(for: timeout)
            }
            shot.resume(.success(()))
        }
        defer { timer.cancel() }
        try? await withTaskCancellationHandler {
            try await shot.value()
        } onCancel: {
            shot.resume(.success(()))
        }
    }

    private func ended(_ id: String) async -> Bool {
        guard let row = try? await store.job(id) else { return false }
        return row.status == .done || row.status == .failed
    }

    /// Runs the lanes until graceful shutdown: first what a dead server left (running jobs
    /// run again). In a cluster: the dispatchers that claim jobs from the database.
    func run() async {
        let local: Store
        switch backend {
        case .cluster(let pg): return await runCluster(pg)
        case .local(let store): local = store
        }
        do {
            let recovered = try await local.recover()
            if !recovered.isEmpty { logger.info("recovered jobs", metadata: ["count": "\(recovered.count)"]) }
            for (kind, l) in lanes { l.lane.push(recovered.filter { $0.kind == kind }.map(\.id)) }
        } catch {
            logger.error("job recovery failed", metadata: ["error": "\(error)"])
        }
        await withTaskGroup(of: Void.self) { group in
            for (_, l) in lanes {
                // Dispatchers and jobs run off the cooperative pool (as the workers did): grading
                // does blocking work inline (spawns, file writes into sandboxes), and a stalled
                // pool must not hold back the start of a job.
                group.addTask(executorPreference: OffPool.executor) { await self.dispatch(l.lane, workers: l.workers, l.handler) }
            }
        }
    }

    /// Starts the lane's jobs in order, at most `workers` at a time, until the lane closes.
    private func dispatch(_ lane: Lane, workers: Int, _ handler: any JobHandler) async {
        await withTaskGroup(of: Void.self) { group in
            var busy = 0
            var ids = lane.makeIterator()
            while true {
                if busy == workers {
                    await group.next()
                    busy -= 1
                }
                guard let id = await lane.next(&ids) else { break }
                group.addTask(executorPreference: OffPool.executor) { await self.work(id, handler) }
                busy += 1
            }
        }
    }

    private func work(_ id: String, _ handler: any JobHandler) async {
        guard case .local(let local) = backend else { return }
        // Claimed only if still queued (or left running by a dead server): `cancel` may
        // have ended it meanwhile.
        guard let job = try? await local.job(id), (try? await local.markRunning(id)) == true else { return }
        await execute(job, handler) { outcome in
            try await local.finish(id, status: outcome.status, result: outcome.result, junit: outcome.junit, error: outcome.error)
            return true
        }
    }

    /// Runs a job this node has claimed and stores its outcome with `record`, which says
    /// false when it may not (in a cluster: this node lost the job's lease, and another
    /// node runs it again): then the outcome is dropped, and nobody woken.
    func execute(_ job: JobRow, _ handler: any JobHandler, record: (JobOutcome) async throws -> Bool) async {
        let id = job.id
        let started = ContinuousClock.now
        // Its own task, so that `cancel` and `shutdown` can cancel it.
        let task = Task(executorPreference: OffPool.executor) { await handler.run(job) }
        running.withLock { $0.tasks[id] = task }
        // On this task's cancellation (the lanes' task, at shutdown) cancel the job too.
        var outcome = await withTaskCancellationHandler {
            await task.value
        } onCancel: {
            task.cancel()
        }
        let (cancelled, closed) = running.withLock { r in
            r.tasks[id] = nil
            return (r.cancelled.remove(id) != nil, r.closed)
        }
        // Stopping: the job was put back in the queue; what a run cut short says is no result.
        if closed { return }
        if cancelled { outcome = handler.cancelled(job) }
        do {
            guard try await record(outcome) else {
                logger.warning("job outcome dropped: its lease went to another node", metadata: ["job": "\(id)"])
                metrics.count("proctor_jobs_total", ["kind": job.kind, "outcome": "lease_lost"])
                return
            }
        } catch {
            logger.error("job result not stored", metadata: ["job": "\(id)", "error": "\(error)"])
        }
        metrics.count("proctor_jobs_total", ["kind": job.kind, "outcome": cancelled ? "cancelled" : outcome.status.rawValue])
        metrics.observe("proctor_job_seconds", ["kind": job.kind], seconds: (ContinuousClock.now - started).seconds)
        wake(id)
        if let url = job.callbackURL { Task { await self.callback(id, url, handler) } }
    }

    func wake(_ id: String) {
        let waiting = waiters.withLock { $0.removeValue(forKey: id) } ?? []
        for w in waiting { w.resume(.success(())) }
    }

    /// Cancels a job whose client went away (a Judge0 `wait=true` that hung up): a running
    /// job's task is cancelled (its execution killed), a queued one ends at once; both end as
    /// their handler's `cancelled` outcome. Nothing while shutting down: jobs are requeued then.
    /// (Call it from a task that is not cancelled: the store's async calls would refuse.)
    func cancel(_ id: String) async {
        let task = running.withLock { r -> Task<JobOutcome, Never>?? in
            if r.closed { return .some(nil) }
            guard let t = r.tasks[id] else { return nil }
            r.cancelled.insert(id)
            return t
        }
        if let task {
            task?.cancel()
            return
        }
        guard let row = try? await store.job(id), let handler = lanes[row.kind]?.handler else { return }
        let outcome = handler.cancelled(row)
        if (try? await store.finishIfQueued(id, status: outcome.status, result: outcome.result, error: outcome.error)) == true {
            metrics.count("proctor_jobs_total", ["kind": row.kind, "outcome": "cancelled"])
            wake(id)
        }
    }

    /// Stops taking jobs; jobs still running are put back in the queue (they run again at
    /// the next start) — a graceful shutdown never loses one — and their tasks cancelled
    /// (their executions killed); whoever waits for a job is answered now. Idempotent.
    func shutdown() async {
        for (_, l) in lanes { l.lane.close() }
        let tasks = running.withLock { r -> [String: Task<JobOutcome, Never>] in
            r.closed = true
            return r.tasks
        }
        switch backend {
        case .local(let local):
            for id in tasks.keys { try? await local.requeue(id) }
        case .cluster(let pg):
            for bell in bells.values { bell.ring() }
            try? await pg.release()
        }
        for task in tasks.values { task.cancel() }
        let all = waiters.withLock { w -> [OneShot<Void>] in
            defer { w = [:] }
            return w.values.flatMap { $0 }
        }
        for w in all { w.resume(.success(())) }
    }

    /// Sends the finished job to its callback URL (what the handler says: the job document,
    /// or Judge0's submission); retries with a doubling pause.
    func callback(_ id: String, _ url: String, _ handler: any JobHandler) async {
        guard URL(string: url) != nil, let row = try? await store.job(id) else { return }
        let (method, body) = handler.callback(row)
        var pause = callbackBackoff
        for attempt in 1...max(1, callbackTries) {
            // AsyncHTTPClient (on the server's NIO), not URLSession: FoundationNetworking
            // links libcurl and its two dozen libraries into every `proctor` command.
            // Checked again before each attempt: what the host resolves to may have changed.
            let target: CallbackTargets.Target
            do {
                target = try await callbackTargets.check(url)
            } catch {
                try? await store.setCallbackState(id, "refused: \(error)")
                metrics.count("proctor_callbacks_total", ["outcome": "refused"])
                return
            }
            var request = HTTPClientRequest(url: target.url)
            request.method = HTTPMethod(rawValue: method)
            request.body = .bytes(ByteBuffer(bytes: Array(body)))
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "X-Proctor-Job", value: id)
            if let host = target.hostHeader { request.headers.replaceOrAdd(name: "Host", value: host) }
            if let response = try? await CallbackTargets.client.execute(request, timeout: .seconds(10)),
                (200..<300).contains(response.status.code)
            {
                try? await store.setCallbackState(id, "delivered after \(attempt) attempt(s)")
                metrics.count("proctor_callbacks_total", ["outcome": "delivered"])
                return
            }
            try? await store.setCallbackState(id, "attempt \(attempt) failed")
            if attempt < callbackTries {
                try? await Task.sleep(for: .milliseconds(Int64(pause * 1000)))
                pause *= 2
            }
        }
        try? await store.setCallbackState(id, "failed after \(callbackTries) attempts")
        metrics.count("proctor_callbacks_total", ["outcome": "failed"])
    }
}
