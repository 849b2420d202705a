import Foundation
import Logging
import TestSupport
import Testing

@testable import ProctorServer

/// The cluster's queue against a real PostgreSQL server: claims, leases, finishing once,
/// capacity, the shared rate limit, migrations.
@Suite("PostgreSQL store: claim, lease, finish once", .needsPostgres, .serialized)
struct PostgresStoreTests {
    static func node(_ id: String, lease: Double = 30) -> ClusterNode {
        var c = ServerConfiguration()
        c.port = 1
        c.cluster.nodeID = id
        c.cluster.lease = lease
        return ClusterNode(c)
    }

    /// Stores of `nodes` on one fresh database, started (migrated); stopped after `body`.
    static func withStores(
        _ nodes: [ClusterNode], _ body: ([PostgresStore], PostgresServer, String) async throws -> Void
    ) async throws {
        let server = try PostgresServer.shared()
        let database = try server.createDatabase()
        let stores = try nodes.map {
            try PostgresStore(url: server.url(database), node: $0, connections: 4, logger: Logger(label: "test"))
        }
        defer { for s in stores { s.stop() } }
        for s in stores { try await s.start() }
        try await body(stores, server, database)
    }

    static func rows(_ n: Int, kind: String = "test") -> [JobRow] {
        (0..<n).map { JobRow(id: "job-\($0)", kind: kind, owner: "alice", request: Data("{}".utf8), callbackURL: nil) }
    }

    @Test("two nodes claiming at once never get the same job, and between them get every one, in order")
    func claimsAreExclusive() async throws {
        try await Self.withStores([Self.node("a"), Self.node("b")]) { stores, _, _ in
            for batch in 0..<10 {
                #expect(
                    try await stores[0].insert(
                        (0..<20).map {
                            JobRow(
                                id: "job-\(batch * 20 + $0)", kind: "test", owner: "alice", request: Data("{}".utf8),
                                callbackURL: nil)
                        }, capacity: 1000))
            }
            // Each node claims three at a time, as fast as it can, until nothing is left.
            let taken = try await withThrowingTaskGroup(of: [String].self) { group in
                for store in stores {
                    group.addTask {
                        var mine: [String] = []
                        while true {
                            let claimed = try await store.claim(kind: "test", limit: 3)
                            if claimed.isEmpty { break }
                            #expect(claimed.allSatisfy { $0.status == .running && $0.attempts == 1 })
                            mine += claimed.map(\.id)
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: [[String]]()) { $0.append($1) }
            }
            let all = taken.flatMap { $0 }
            #expect(all.count == 200)
            #expect(Set(all).count == 200, "a job was claimed twice")
            #expect(taken.allSatisfy { !$0.isEmpty }, "both nodes took work: \(taken.map(\.count))")
            // Each node's own claims come in the order the jobs were queued.
            for mine in taken {
                let numbers = mine.map { Int($0.dropFirst(4))! }
                #expect(numbers == numbers.sorted())
            }
        }
    }

    @Test("an expired lease is taken by another node (one more attempt); the old holder's late finish is refused")
    func expiredLeaseIsRetaken() async throws {
        try await Self.withStores([Self.node("a", lease: 1), Self.node("b", lease: 1)]) { stores, server, database in
            let (a, b) = (stores[0], stores[1])
            #expect(try await a.insert(Self.rows(1), capacity: 10))
            #expect(try await a.claim(kind: "test", limit: 5).map(\.id) == ["job-0"])
            // While a holds the lease, b gets nothing.
            #expect(try await b.claim(kind: "test", limit: 5).isEmpty)
            #expect(try await a.renew() == ["job-0"])
            try await Task.sleep(for: .milliseconds(1600))
            // a stalled past its lease: b takes the job over.
            let retaken = try await b.claim(kind: "test", limit: 5)
            #expect(retaken.map(\.id) == ["job-0"])
            #expect(retaken.first?.attempts == 2)
            #expect(try await a.renew().isEmpty, "a no longer holds the lease")
            #expect(try await a.finish("job-0", status: .done, result: Data("\"a\"".utf8), junit: nil, error: nil) == false)
            #expect(try await b.finish("job-0", status: .done, result: Data("\"b\"".utf8), junit: nil, error: nil))
            // Finished once: a second finish, by anyone, is refused.
            #expect(try await b.finish("job-0", status: .done, result: Data("\"again\"".utf8), junit: nil, error: nil) == false)
            let row = try #require(try await a.job("job-0"))
            #expect(row.status == .done && row.attempts == 2 && row.result == Data("\"b\"".utf8))
            let by = try server.psql(database, "SELECT finished_by FROM job WHERE id = 'job-0'")
            #expect(by.hasPrefix("b/"), "\(by)")
        }
    }

    @Test("a graceful stop puts the node's jobs back; a restarted node takes back its previous run's leases at once")
    func releaseAndRestart() async throws {
        try await Self.withStores([Self.node("a"), Self.node("b")]) { stores, server, database in
            let (a, b) = (stores[0], stores[1])
            #expect(try await a.insert(Self.rows(4), capacity: 10))
            #expect(try await a.claim(kind: "test", limit: 2).count == 2)
            try await a.release()
            #expect(try await b.claim(kind: "test", limit: 10).count == 4)
            // b "dies" holding four leases of 30 s; b started again (a new run, same name)
            // takes them back without waiting for the leases to run out.
            let again = try PostgresStore(
                url: server.url(database), node: Self.node("b"), connections: 2, logger: Logger(label: "test"))
            defer { again.stop() }
            try await again.start()
            let back = try await again.claim(kind: "test", limit: 10)
            // job-0 and job-1: a's run, b's, this one; job-2 and job-3: b's and this one.
            #expect(back.map(\.id) == ["job-0", "job-1", "job-2", "job-3"])
            #expect(back.map(\.attempts) == [3, 3, 2, 2])
            // The dead run's late finish is refused.
            #expect(try await b.finish(back[0].id, status: .done, result: nil, junit: nil, error: nil) == false)
        }
    }

    @Test("capacity counts the jobs queued in the whole cluster; cancelling a queued job ends it once")
    func capacityAndCancel() async throws {
        try await Self.withStores([Self.node("a"), Self.node("b")]) { stores, _, _ in
            let (a, b) = (stores[0], stores[1])
            try #require(try await a.insert(Self.rows(3), capacity: 4))
            let more = [JobRow(id: "job-x", kind: "test", owner: "alice", request: Data("{}".utf8), callbackURL: nil)]
            #expect(try await b.insert(more, capacity: 4))
            let over = [JobRow(id: "job-y", kind: "test", owner: "alice", request: Data("{}".utf8), callbackURL: nil)]
            #expect(try await b.insert(over, capacity: 4) == false, "five queued in the cluster: over the capacity of four")
            #expect(try await b.job("job-y") == nil)
            #expect(try await b.queued(kind: "test") == 4)
            #expect(try await b.finishIfQueued("job-0", status: .failed, result: nil, error: "cancelled"))
            #expect(try await a.finishIfQueued("job-0", status: .failed, result: nil, error: "cancelled") == false)
            #expect(try await a.claim(kind: "test", limit: 10).map(\.id).sorted() == ["job-1", "job-2", "job-x"])
        }
    }

    @Test("the rate limit's bucket is shared: a burst of five is five across both nodes")
    func sharedRateLimit() async throws {
        try await Self.withStores([Self.node("a"), Self.node("b")]) { stores, _, _ in
            var granted = 0
            for i in 0..<10 {
                if try await stores[i % 2].takeRate("alice", rate: 0.01, burst: 5) == nil { granted += 1 }
            }
            #expect(granted == 5)
            let wait = try await stores[0].takeRate("alice", rate: 0.01, burst: 5)
            #expect((wait ?? 0) > 10, "a refusal says how long to wait: \(String(describing: wait))")
            #expect(try await stores[1].takeRate("bob", rate: 0.01, burst: 5) == nil, "another caller has a bucket of its own")
        }
    }

    @Test("migrations: versioned, applied once by nodes starting together; a newer schema is refused")
    func migrations() async throws {
        let server = try PostgresServer.shared()
        let database = try server.createDatabase()
        let stores = try (0..<4).map {
            try PostgresStore(
                url: server.url(database), node: Self.node("n\($0)"), connections: 2, logger: Logger(label: "test"))
        }
        defer { for s in stores { s.stop() } }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for s in stores { group.addTask { try await s.start() } }
            try await group.waitForAll()
        }
        let versions = try server.psql(database, "SELECT version FROM schema_version ORDER BY version")
        #expect(versions.split(separator: "\n").map(String.init) == PostgresSchema.migrations.map { "\($0.version)" })
        _ = try server.psql(database, "INSERT INTO schema_version (version) VALUES (999)")
        let late = try PostgresStore(
            url: server.url(database), node: Self.node("late"), connections: 2, logger: Logger(label: "test"))
        defer { late.stop() }
        await #expect(throws: PostgresSchema.TooNew.self) { try await late.start() }
    }
}
