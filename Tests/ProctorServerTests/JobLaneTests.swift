import Foundation
import Logging
import Synchronization
import Testing

@testable import ProctorServer

/// The job lanes without sandboxes: a handler that only counts and sleeps.
@Suite("job lanes: order, workers, capacity")
struct JobLaneTests {
    /// Records when each job starts and how many run at once.
    final class Recorder: JobHandler, Sendable {
        struct State {
            var started: [String] = []
            var running = 0
            var most = 0
            /// While set, a started job waits here instead of finishing after `pause`, so a
            /// test's count of what waits does not race a busy machine's clock.
            var held = false
        }
        let state = Mutex(State())
        let pause: Duration

        init(pause: Duration, held: Bool = false) {
            self.pause = pause
            state.withLock { $0.held = held }
        }

        func release() { state.withLock { $0.held = false } }

        func run(_ job: JobRow) async -> JobOutcome {
            state.withLock { s in
                s.started.append(job.id)
                s.running += 1
                s.most = max(s.most, s.running)
            }
            while state.withLock({ $0.held }) && !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(10))
            }
            try? await Task.sleep(for: pause)
            state.withLock { $0.running -= 1 }
            return JobOutcome(status: .done, result: Data("{}".utf8))
        }
    }

    /// A job system with one lane, "test", of `workers` and `capacity`, its handler `recorder`,
    /// running (shut down after `body`). `run` is given time to recover what the store holds
    /// (nothing here) before `body` submits: recovery queues again whatever it finds queued.
    static func withJobs(
        workers: Int, capacity: Int, _ recorder: Recorder,
        _ body: (JobSystem, Lane, Metrics) async throws -> Void
    ) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-lane-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try Store(path: folder.appendingPathComponent("db.sqlite").path)
        let metrics = Metrics()
        let lane = Lane(name: "test", capacity: capacity)
        let jobs = JobSystem(
            store: store, metrics: metrics, logger: Logger(label: "test"), callbackTries: 1, callbackBackoff: 0,
            callbackTargets: CallbackTargets(), lanes: ["test": (lane, workers, recorder)])
        let runner = Task { await jobs.run() }
        try await Task.sleep(for: .milliseconds(200))
        do {
            try await body(jobs, lane, metrics)
        } catch {
            await jobs.shutdown()
            runner.cancel()
            await runner.value
            throw error
        }
        await jobs.shutdown()
        runner.cancel()
        await runner.value
    }

    static func started(_ recorder: Recorder, _ id: String) async throws {
        for _ in 0..<3000 where !recorder.state.withLock({ $0.started.contains(id) }) {
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    static func rows(_ ids: some Sequence<Int>) -> [JobRow] {
        ids.map { JobRow(id: "job-\($0)", kind: "test", owner: "alice", request: Data("{}".utf8), callbackURL: nil) }
    }

    @Test("jobs are taken in the order they came, at most `workers` at a time, and all finish")
    func orderAndWorkers() async throws {
        let recorder = Recorder(pause: .milliseconds(150))
        try await Self.withJobs(workers: 2, capacity: 100, recorder) { jobs, _, _ in
            try await jobs.submit(Self.rows(0..<7))
            for i in 0..<7 { await jobs.wait("job-\(i)", timeout: .seconds(30)) }
            let state = recorder.state.withLock { $0 }
            // First come, first taken: two jobs taken together may start in either order.
            #expect(state.started.sorted() == (0..<7).map { "job-\($0)" })
            for (position, id) in state.started.enumerated() {
                #expect(abs(position - Int(id.dropFirst(4))!) < 2, "\(state.started)")
            }
            #expect(state.most == 2)
            for i in 0..<7 { #expect(try await jobs.store.job("job-\(i)")?.status == .done) }
        }
    }

    @Test("past `capacity` waiting jobs, a submission is refused (503); the depth gauge counts what waits")
    func capacity() async throws {
        // job-0 is held running until the queue's count has been checked: a clock-timed pause
        // lost that race on a loaded CI machine.
        let recorder = Recorder(pause: .milliseconds(20), held: true)
        try await Self.withJobs(workers: 1, capacity: 3, recorder) { jobs, lane, metrics in
            try await jobs.submit(Self.rows(0..<1))
            try await Self.started(recorder, "job-0")
            try await jobs.submit(Self.rows(1..<4))
            #expect(lane.depth == 3)
            #expect(metric(metrics.render(), "proctor_job_queue_depth_test") == 3)
            await #expect(throws: APIError.self) { try await jobs.submit(Self.rows(4..<5)) }
            recorder.release()
            for i in 0..<4 { await jobs.wait("job-\(i)", timeout: .seconds(30)) }
            #expect(lane.depth == 0)
            try await jobs.submit(Self.rows(4..<5))
            await jobs.wait("job-4", timeout: .seconds(30))
            #expect(recorder.state.withLock { $0.started } == (0..<5).map { "job-\($0)" })
            #expect(recorder.state.withLock { $0.most } == 1)
        }
    }

    @Test("submissions at once never take more than `capacity` places between them")
    func capacityUnderConcurrentSubmissions() async throws {
        let recorder = Recorder(pause: .milliseconds(1), held: true)
        try await Self.withJobs(workers: 1, capacity: 3, recorder) { jobs, lane, _ in
            try await jobs.submit(Self.rows(0..<1))
            try await Self.started(recorder, "job-0")
            let accepted = await withTaskGroup(of: Bool.self) { group in
                for i in 1...20 {
                    group.addTask { (try? await jobs.submit(Self.rows(i..<(i + 1)))) != nil }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(accepted == 3)
            #expect(lane.depth == 3)
            recorder.release()
        }
    }

    @Test("after shutdown the lane starts nothing more; what waited stays queued in the store")
    func shutdownLeavesQueued() async throws {
        let recorder = Recorder(pause: .seconds(20))
        try await Self.withJobs(workers: 1, capacity: 100, recorder) { jobs, _, _ in
            try await jobs.submit(Self.rows(0..<3))
            try await Self.started(recorder, "job-0")
            await jobs.shutdown()
            // (Its 20 s pause was cut short: shutdown cancels the running jobs.)
            #expect(recorder.state.withLock { $0.started } == ["job-0"])
            // The running job went back to the queue (or, stopped in the instant between its
            // start and its registration, stays marked running, which the next start's recovery
            // queues too); the others never left it.
            #expect([.queued, .running].contains(try await jobs.store.job("job-0")?.status))
            for i in 1..<3 { #expect(try await jobs.store.job("job-\(i)")?.status == .queued) }
        }
    }
}
