import Foundation
import Logging
import TestSupport
import Testing

@testable import ProctorServer

/// The job queue's own cost per job, without sandboxes: jobs that do nothing, submitted in
/// batches of 20 (Judge0's batch) and run by two workers, through SQLite's lanes and
/// through PostgreSQL's claims and leases. A benchmark, not a test: PROCTOR_BENCH=1 runs it
/// (Benchmarks/cluster/run.sh does, and records the figures).
@Suite(
    "benchmark: the job queue's cost per job, SQLite and PostgreSQL",
    .enabled(if: ProcessInfo.processInfo.environment["PROCTOR_BENCH"] == "1", "a benchmark: PROCTOR_BENCH=1 runs it"),
    .needsPostgres, .serialized)
struct QueueCostBenchmarks {
    struct Nothing: JobHandler {
        func run(_ job: JobRow) async -> JobOutcome { JobOutcome(status: .done, result: Data("{}".utf8)) }
    }

    static let jobs = Int(ProcessInfo.processInfo.environment["PROCTOR_BENCH_JOBS"] ?? "") ?? 2000

    /// Seconds from the first submission until every job has ended.
    static func measure(_ backend: JobSystem.Backend, nodes: [JobSystem.Backend] = []) async throws -> Double {
        let systems = ([backend] + nodes).map { b in
            JobSystem(
                backend: b, metrics: Metrics(), logger: Logger(label: "bench"), callbackTries: 1, callbackBackoff: 0,
                callbackTargets: CallbackTargets(), lanes: ["test": (Lane(name: "test", capacity: 1_000_000), 2, Nothing())])
        }
        let runners = systems.map { s in Task { await s.run() } }
        try await Task.sleep(for: .milliseconds(300))
        let start = ContinuousClock.now
        for b in stride(from: 0, to: jobs, by: 20) {
            try await systems[0].submit(
                (b..<min(b + 20, jobs)).map {
                    JobRow(id: "job-\($0)", kind: "test", owner: "alice", request: Data("{}".utf8), callbackURL: nil)
                })
        }
        for i in 0..<jobs { await systems[0].wait("job-\(i)", timeout: .seconds(120)) }
        let seconds = (ContinuousClock.now - start).seconds
        for (s, r) in zip(systems, runners) {
            await s.shutdown()
            r.cancel()
            await r.value
        }
        for i in stride(from: 0, to: jobs, by: 97) { #expect(try await systems[0].store.job("job-\(i)")?.status == .done) }
        return seconds
    }

    @Test("queue cost per job: SQLite, PostgreSQL with one node, PostgreSQL with three")
    func queueCost() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let sqlite = try await Self.measure(.local(try Store(path: folder.appendingPathComponent("db.sqlite").path)))

        let server = try PostgresServer.shared()
        func stores(_ n: Int) async throws -> [PostgresStore] {
            let database = try server.createDatabase()
            var out: [PostgresStore] = []
            for i in 0..<n {
                let s = try PostgresStore(
                    url: server.url(database), node: PostgresStoreTests.node("bench\(i)"), connections: 4,
                    logger: Logger(label: "bench"))
                try await s.start()
                out.append(s)
            }
            return out
        }
        let one = try await stores(1)
        let postgres = try await Self.measure(.cluster(one[0]))
        let three = try await stores(3)
        let postgres3 = try await Self.measure(.cluster(three[0]), nodes: three.dropFirst().map { .cluster($0) })
        for s in one + three { s.stop() }
        func line(_ name: String, _ seconds: Double) -> String {
            String(
                format: "%@: %d jobs in %.2f s: %.2f ms per job, %.0f jobs/s", name, Self.jobs, seconds,
                seconds * 1000 / Double(Self.jobs), Double(Self.jobs) / seconds)
        }
        let report = [
            line("SQLite (one server)", sqlite), line("PostgreSQL, one node", postgres),
            line("PostgreSQL, three nodes in one process", postgres3),
            "PostgreSQL fsync: \(ProcessInfo.processInfo.environment["PROCTOR_PG_FSYNC"] ?? "off")",
        ].joined(separator: "\n")
        print(report)
        if let out = ProcessInfo.processInfo.environment["PROCTOR_BENCH_OUT"] {
            try Data((report + "\n").utf8).write(to: URL(fileURLWithPath: out))
        }
    }
}
