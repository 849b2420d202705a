import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Logging
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

/// What a kind of job does with its stored request: a result to store, or a failure message.
protocol JobHandler: Sendable {
    /// Runs the job; when its task is cancelled, stops what it started and returns soon.
    func run(_ job: JobRow) async -> JobOutcome
    /// What the callback URL is sent when the job ends.
    func callback(_ row: JobRow) -> (method: String, body: Data)
    /// What a job cancelled by `JobSystem.cancel` ends as.
    func cancelled(_ job: JobRow) -> JobOutcome
}

extension JobHandler {
    func cancelled(_ job: JobRow) -> JobOutcome {
        JobOutcome(status: .failed, error: "cancelled: the client went away")
    }

    /// By default: a POST of the job document (GET /jobs/{id}), report included.
    func callback(_ row: JobRow) -> (method: String, body: Data) {
        ("POST", Data(JSON.encode(JobDocument(row, includeResult: true))))
    }
}

struct JobOutcome: Sendable {
    var status: JobRow.Status
    var result: Data?
    var junit: Data?
    var error: String?
}

/// Accepted jobs, stored before they are acknowledged and run by lanes of workers: one
/// lane per kind (grading runs one job at a time, each test in parallel; Judge0
/// submissions run one per worker). Waiters (`wait=true`) are woken when a job ends.
final class JobSystem: Sendable {
    let store: Store
    let metrics: Metrics
    let logger: Logger
    private let lanes: [String: (lane: Lane, workers: Int, handler: any JobHandler)]
    private let waiters = Mutex<[String: [OneShot<Void>]]>([:])
    private struct Running {
        /// The task of each running job.
        var tasks: [String: Task<JobOutcome, Never>] = [:]
        /// Running jobs cancelled by `cancel`.
        var cancelled: Set<String> = []
        /// Set by `shutdown`: outcomes are no longer stored (the jobs were requeued).
        var closed = false
    }
    private let running = Mutex(Running())
    private let callbackTries: Int
    private let callbackBackoff: Double
    private let callbackTargets: CallbackTargets

    init(store: Store, metrics: Metrics, logger: Logger, callbackTries: Int, callbackBackoff: Double,
         callbackTargets: CallbackTargets, lanes: [String: (lane: Lane, workers: Int, handler: any JobHandler)]) {
        self.store = store
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

    /// Stores the jobs (committed before this returns), then queues them; 503 when the lane is full.
    func submit(_ jobs: [JobRow]) async throws {
        guard let kind = jobs.first?.kind, let lane = lanes[kind]?.lane else { return }
        guard lane.hasRoom(jobs.count) else {
            metrics.count("proctor_rejected_total", ["reason": "job_queue_full"])
            throw APIError.queueFull
        }
        try await store.insert(jobs)
        lane.push(jobs.map(\.id))
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
        if let row = try? await store.job(id), row.status == .done || row.status == .failed { return }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            shot.resume(.success(()))
        }
        defer { timer.cancel() }
        try? await withTaskCancellationHandler {
            try await shot.value()
        } onCancel: {
            shot.resume(.success(()))
        }
    }

    /// Runs the lanes until graceful shutdown: first what a dead server left (running jobs run again).
    func run() async {
        do {
            let recovered = try await store.recover()
            if !recovered.isEmpty { logger.info("recovered jobs", metadata: ["count": "\(recovered.count)"]) }
            for (kind, l) in lanes { l.lane.push(recovered.filter { $0.kind == kind }.map(\.id)) }
        } catch {
            logger.error("job recovery failed", metadata: ["error": "\(error)"])
        }
        await withTaskGroup(of: Void.self) { group in
            for (_, l) in lanes {
                for _ in 0..<l.workers {
                    // Workers and their jobs run off the cooperative pool: grading does
                    // blocking work inline (spawns, file writes into sandboxes).
                    group.addTask(executorPreference: OffPool.executor) { await self.work(l.lane, l.handler) }
                }
            }
        }
    }

    private func work(_ lane: Lane, _ handler: any JobHandler) async {
        while let id = await lane.next() {
            // Claimed only if still queued (or left running by a dead server): `cancel` may
            // have ended it meanwhile.
            guard let job = try? await store.job(id), (try? await store.markRunning(id)) == true else { continue }
            let started = ContinuousClock.now
            // Its own task, so that `cancel` and `shutdown` can cancel it.
            let task = Task(executorPreference: OffPool.executor) { await handler.run(job) }
            running.withLock { $0.tasks[id] = task }
            // On this task's cancellation (the lanes' task, at shutdown) cancel the job too.
            var outcome = await withTaskCancellationHandler { await task.value } onCancel: { task.cancel() }
            let (cancelled, closed) = running.withLock { r in
                r.tasks[id] = nil
                return (r.cancelled.remove(id) != nil, r.closed)
            }
            // Stopping: the job was put back in the queue; what a run cut short says is no result.
            if closed { continue }
            if cancelled { outcome = handler.cancelled(job) }
            do {
                try await store.finish(id, status: outcome.status, result: outcome.result, junit: outcome.junit, error: outcome.error)
            } catch {
                logger.error("job result not stored", metadata: ["job": "\(id)", "error": "\(error)"])
            }
            metrics.count("proctor_jobs_total", ["kind": job.kind, "outcome": cancelled ? "cancelled" : outcome.status.rawValue])
            metrics.observe("proctor_job_seconds", ["kind": job.kind], seconds: (ContinuousClock.now - started).seconds)
            wake(id)
            if let url = job.callbackURL { Task { await self.callback(id, url, handler) } }
        }
    }

    private func wake(_ id: String) {
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
        for id in tasks.keys { try? await store.requeue(id) }
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
               (200..<300).contains(response.status.code) {
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

/// GET /jobs/{id}: a job's status, and its JSON report once done.
struct JobDocument: Encodable {
    var id: String
    var kind: String
    var status: String
    var created_at: Double
    var started_at: Double?
    var finished_at: Double?
    var attempts: Int
    var error: String?
    var callback_state: String?
    var report: RawJSON?

    init(_ row: JobRow, includeResult: Bool) {
        id = row.id
        kind = row.kind
        status = row.status.rawValue
        created_at = row.created
        started_at = row.started
        finished_at = row.finished
        attempts = row.attempts
        error = row.error
        callback_state = row.callbackState
        report = includeResult ? row.result.map(RawJSON.init) : nil
    }
}

/// Already-encoded JSON embedded as a value.
struct RawJSON: Encodable {
    let data: Data
    func encode(to encoder: any Encoder) throws {
        let value = try JSONDecoder().decode(AnyJSON.self, from: data)
        try value.encode(to: encoder)
    }
}

/// Any JSON value (to re-embed a stored document).
enum AnyJSON: Codable {
    case null, bool(Bool), number(Double), int(Int), string(String), array([AnyJSON]), object([String: AnyJSON])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([AnyJSON].self) { self = .array(a) }
        else { self = .object(try c.decode([String: AnyJSON].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let d): try c.encode(d)
        case .int(let i): try c.encode(i)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}
