import Foundation
import TestSupport
import Testing

/// Three real `proctor serve` processes on loopback ports sharing one PostgreSQL database:
/// submissions spread over them, one node SIGKILLed mid-run, every submission finished
/// once with the right verdict; the node started again takes work; sandboxes answered
/// with a redirect by the nodes they do not live on.
@Suite(
    "a cluster: three proctor serve nodes on one PostgreSQL", .needsRoot, .needsPostgres, .serialized, .timeLimit(.minutes(10)))
struct ClusterTests {
    /// One node: its process (replaced when restarted), port, name.
    struct Node {
        var server: ServeProcessTests.Server
        let id: String
        var port: Int { server.port }
        var pid: Int32 { server.process.processIdentifier }
    }

    static func start(_ id: String, port: Int, database: String, folder: URL, lease: String = "3s") throws -> Node {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Host.proctor)
        p.arguments = [
            "serve", "--port", "\(port)", "--database", database, "--node-id", id,
            "--advertise-url", "http://127.0.0.1:\(port)", "--lease", lease, "--poll", "500ms", "--workers", "2",
            "--rate", "5000", "--burst", "5000", "--suites", Host.repository.appendingPathComponent("Suites").path,
        ]
        var env = ProcessInfo.processInfo.environment
        env["PROCTOR_TOKENS"] = "alice:secret-a"
        p.environment = env
        p.standardOutput = FileHandle.nullDevice
        // Each node's log in the test's folder (appended to across a restart).
        let log = folder.appendingPathComponent("\(id).log")
        if !FileManager.default.fileExists(atPath: log.path) {
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        p.standardError = handle
        try p.run()
        return Node(server: ServeProcessTests.Server(process: p, port: port), id: id)
    }

    /// Nodes named `names` on `database`, up, their logs in a new folder.
    static func cluster(_ names: [String], database: String, lease: String = "3s") async throws -> (folder: URL, nodes: [Node]) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-cluster-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let nodes = try names.map {
            try Self.start($0, port: Net.freePort(), database: database, folder: folder, lease: lease)
        }
        for n in nodes { try await n.server.waitUp() }
        return (folder, nodes)
    }

    static func stop(_ nodes: [Node], _ folder: URL) {
        for n in nodes {
            kill(n.pid, SIGKILL)
            n.server.process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: folder)
    }

    /// `count` Judge0 submissions of a one-line Bash program, in batches of 20 spread over
    /// `nodes` in turn: submission i prints i*7; every tenth expects something else (Wrong
    /// Answer), the rest their output (Accepted). Their tokens, in order.
    static func submit(_ count: Int, from first: Int, to nodes: [Node]) async throws -> [String] {
        var tokens: [String] = []
        for (b, start) in stride(from: first, to: first + count, by: 20).enumerated() {
            let batch = (start..<min(start + 20, first + count)).map { i -> [String: Any] in
                ["source_code": "echo $((\(i) * 7))", "language_id": 46, "expected_output": Self.expected(i)]
            }
            let node = nodes[b % nodes.count]
            let (code, answer) = try await node.server.call(
                "POST", "/submissions/batch?base64_encoded=false", ["submissions": batch])
            try #require(code == 201, "batch \(b) on \(node.id): \(code) \(String(describing: answer))")
            let items = try #require(answer as? [[String: Any]])
            tokens += try items.map { try #require($0["token"] as? String) }
        }
        return tokens
    }

    static func expected(_ i: Int) -> String { i % 10 == 0 ? "not \(i * 7)" : "\(i * 7)" }
    static func verdict(_ i: Int) -> Int { i % 10 == 0 ? 4 : 3 }

    /// Waits until `sql` (one number) says `done(n)`, at most `seconds`; the last number.
    static func until(
        _ pg: PostgresServer, _ database: String, _ sql: String, seconds: Double, _ done: (Int) -> Bool
    ) async throws -> Int {
        let deadline = Date().addingTimeInterval(seconds)
        var n = 0
        while Date() < deadline {
            n = Int(try pg.psql(database, sql).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            if done(n) { return n }
            try await Task.sleep(for: .milliseconds(200))
        }
        return n
    }

    @Test(
        "1,000 submissions over three nodes, one SIGKILLed mid-run: each finished exactly once with the right verdict; the node restarted takes work again"
    )
    func killOneOfThree() async throws {
        let pg = try PostgresServer.shared()
        let database = try pg.createDatabase()
        let url = pg.url(database)
        let cluster = try await Self.cluster(["n1", "n2", "n3"], database: url)
        let folder = cluster.folder
        var nodes = cluster.nodes
        defer { Self.stop(nodes, folder) }
        func logs() -> String {
            nodes.map { n in
                "--- \(n.id):\n"
                    + ((try? String(contentsOf: folder.appendingPathComponent("\(n.id).log"), encoding: .utf8)) ?? "").suffix(
                        3000)
            }.joined(separator: "\n")
        }

        let started = Date()
        let count = 1000
        let tokens = try await Self.submit(count, from: 0, to: nodes)
        #expect(tokens.count == count)
        let submitted = Date().timeIntervalSince(started)

        // Kill n2 once a quarter is done, while it holds running jobs.
        let killedOwner = try pg.psql(database, "SELECT owner FROM node WHERE id = 'n2'").trimmingCharacters(
            in: .whitespacesAndNewlines)
        let busy = try await Self.until(
            pg, database,
            """
            SELECT CASE WHEN count(*) FILTER (WHERE status = 'done') >= \(count / 4)
                THEN count(*) FILTER (WHERE status = 'running' AND lease_owner = '\(killedOwner)') ELSE 0 END FROM job
            """, seconds: 120
        ) { $0 > 0 }
        try #require(busy > 0, "n2 never held a running job after a quarter was done\n\(logs())")
        kill(nodes[1].pid, SIGKILL)
        let killed = nodes[1].server.process
        try await offPool { killed.waitUntilExit() }
        let killedAt = Date().timeIntervalSince(started)
        let held = try pg.psql(database, "SELECT id FROM job WHERE status = 'running' AND lease_owner = '\(killedOwner)'")
            .split(separator: "\n").map(String.init)
        #expect(!held.isEmpty, "n2 died holding jobs")

        // Everything finishes: the two nodes left take n2's jobs once their leases run out.
        let done = try await Self.until(
            pg, database, "SELECT count(*) FROM job WHERE status IN ('done', 'failed')", seconds: 150
        ) { $0 == count }
        let seconds = Date().timeIntervalSince(started)
        try #require(done == count, "\(done) of \(count) finished\n\(logs())")

        // The database's own rows: one result each, from one run, with the right verdict.
        let rows = try pg.psql(
            database,
            """
            SELECT id, status, attempts, COALESCE(finished_by, ''), convert_from(result, 'UTF8')::json->>'status_id'
            FROM job
            """
        ).split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows.count == count)
        let byID = Dictionary(uniqueKeysWithValues: rows.map { ($0[0], $0) })
        var wrong: [String] = []
        for (i, token) in tokens.enumerated() {
            guard let row = byID[token] else {
                wrong.append("\(i): missing")
                continue
            }
            if row[1] != "done" || row[4] != "\(Self.verdict(i))" || row[3].isEmpty { wrong.append("\(i): \(row)") }
        }
        #expect(wrong.isEmpty, "\(wrong.count) wrong: \(wrong.prefix(10))")
        for id in held {
            let row = try #require(byID[id])
            #expect(Int(row[2])! >= 2, "a job n2 held ran again: \(row)")
            #expect(row[3] != killedOwner, "and its result is the second run's: \(row)")
        }
        // Runs that reached the audit log: at least one per job, never more than its attempts.
        let audits = try pg.psql(
            database,
            """
            SELECT j.id, j.attempts, count(a.id) FROM job j
            LEFT JOIN audit a ON a.endpoint = 'judge0' AND split_part(a.subject, ' ', 2) = j.id
            GROUP BY j.id, j.attempts HAVING count(a.id) < 1 OR count(a.id) > j.attempts
            """)
        #expect(audits.isEmpty, "jobs whose runs in the audit log are not between 1 and their attempts: \(audits.prefix(500))")
        let attempts =
            Int(try pg.psql(database, "SELECT sum(attempts) FROM job").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        print(
            "cluster: \(count) submissions over 3 nodes: submitted in \(String(format: "%.1f", submitted)) s, n2 killed at "
                + "\(String(format: "%.1f", killedAt)) s holding \(held.count), all done in \(String(format: "%.1f", seconds)) s "
                + "(\(String(format: "%.0f", Double(count) / seconds))/s); \(attempts - count) runs repeated")

        // Any node answers for any submission: each asked of a node it was not sent to.
        let alive = [nodes[0], nodes[2]]
        for i in stride(from: 0, to: count, by: 37) {
            let (code, answer) = try await alive[i % 2].server.call("GET", "/submissions/\(tokens[i])?base64_encoded=false")
            let status = ((answer as? [String: Any])?["status"] as? [String: Any])?["id"] as? Int
            #expect(code == 200 && status == Self.verdict(i), "submission \(i): \(code) \(String(describing: answer))")
        }

        // n2 started again (a new run, the same name and port) rejoins and takes work.
        nodes[1] = try Self.start("n2", port: nodes[1].port, database: url, folder: folder)
        try await nodes[1].server.waitUp()
        let restartedOwner = try pg.psql(database, "SELECT owner FROM node WHERE id = 'n2'").trimmingCharacters(
            in: .whitespacesAndNewlines)
        #expect(restartedOwner != killedOwner)
        let more = try await Self.submit(120, from: count, to: nodes)
        let all = try await Self.until(
            pg, database, "SELECT count(*) FROM job WHERE status IN ('done', 'failed')", seconds: 120
        ) { $0 == count + more.count }
        #expect(all == count + more.count, "\(logs())")
        let byRestarted = try await Self.until(
            pg, database, "SELECT count(*) FROM job WHERE finished_by = '\(restartedOwner)'", seconds: 1
        ) { $0 > 0 }
        #expect(byRestarted > 0, "the restarted n2 ran none of the \(more.count) new submissions")
        for (k, token) in more.enumerated() where k % 11 == 0 {
            let (_, answer) = try await nodes[1].server.call("GET", "/submissions/\(token)?base64_encoded=false")
            let status = ((answer as? [String: Any])?["status"] as? [String: Any])?["id"] as? Int
            #expect(status == Self.verdict(count + k))
        }
    }

    @Test("SIGTERM: the node exits 0 at once and its running jobs go back to the queue (taken well before their lease ends)")
    func sigterm() async throws {
        let pg = try PostgresServer.shared()
        let database = try pg.createDatabase()
        // Leases of a minute: the jobs of the stopped node finish long before one would end.
        let (folder, nodes) = try await Self.cluster(["t1", "t2"], database: pg.url(database), lease: "60s")
        defer { Self.stop(nodes, folder) }
        let batch = (0..<20).map { i -> [String: Any] in
            ["source_code": "sleep 0.5; echo $((\(i) * 7))", "language_id": 46, "expected_output": Self.expected(i)]
        }
        let (code, _) = try await nodes[0].server.call("POST", "/submissions/batch?base64_encoded=false", ["submissions": batch])
        #expect(code == 201)
        let owner = try pg.psql(database, "SELECT owner FROM node WHERE id = 't1'").trimmingCharacters(
            in: .whitespacesAndNewlines)
        let held = try await Self.until(
            pg, database, "SELECT count(*) FROM job WHERE status = 'running' AND lease_owner = '\(owner)'", seconds: 30
        ) { $0 > 0 }
        try #require(held > 0, "t1 never ran a job")
        let start = Date()
        kill(nodes[0].pid, SIGTERM)
        let stopped = nodes[0].server.process
        try await offPool { stopped.waitUntilExit() }
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(
            stopped.terminationReason == .exit && stopped.terminationStatus == 0, "t1 exited with \(stopped.terminationStatus)")
        let done = try await Self.until(
            pg, database, "SELECT count(*) FROM job WHERE status = 'done'", seconds: 40
        ) { $0 == batch.count }
        #expect(done == batch.count, "the jobs t1 held were run by t2 before their leases ended")
        #expect(Date().timeIntervalSince(start) < 45)
        let wrong = try pg.psql(
            database, "SELECT id FROM job WHERE convert_from(result, 'UTF8')::json->>'status_id' NOT IN ('3', '4')")
        #expect(wrong.isEmpty)
    }

    @Test("wait=true answers with the result whichever node ran the submission (its end is NOTIFYed to all)")
    func waitAcrossNodes() async throws {
        let pg = try PostgresServer.shared()
        let database = try pg.createDatabase()
        let (folder, nodes) = try await Self.cluster(["w1", "w2"], database: pg.url(database))
        defer { Self.stop(nodes, folder) }
        try await withThrowingTaskGroup(of: (Int, Int, Int?).self) { group in
            for i in 0..<8 {
                group.addTask {
                    let (code, answer) = try await nodes[i % 2].server.call(
                        "POST", "/submissions?base64_encoded=false&wait=true",
                        ["source_code": "echo $((\(i) * 7))", "language_id": 46, "expected_output": Self.expected(i)])
                    return (i, code, ((answer as? [String: Any])?["status"] as? [String: Any])?["id"] as? Int)
                }
            }
            for try await (i, code, status) in group {
                #expect(code == 201 && status == Self.verdict(i), "\(i): \(code), status \(String(describing: status))")
            }
        }
        let runners = try pg.psql(database, "SELECT count(DISTINCT split_part(finished_by, '/', 1)) FROM job")
        print("wait=true over two nodes: ran on \(runners.trimmingCharacters(in: .whitespacesAndNewlines)) node(s)")
    }

    @Test("a sandbox lives on the node that made it: the others answer 307 to its advertised URL; an unknown node's, 404")
    func sandboxRedirect() async throws {
        let pg = try PostgresServer.shared()
        let database = try pg.createDatabase()
        let (folder, nodes) = try await Self.cluster(["a", "b"], database: pg.url(database))
        defer { Self.stop(nodes, folder) }
        let (code, made) = try await nodes[0].server.call("POST", "/sandboxes", ["lifetime": 60])
        #expect(code == 201)
        let id = try #require((made as? [String: Any])?["id"] as? String)
        #expect(id.hasSuffix(".a"))
        let port = nodes[1].port
        let elsewhere = try await offPool { try RawConnection.exchange(port: port, "GET", "/sandboxes/\(id)/files?path=.") }
        #expect(elsewhere.hasPrefix("HTTP/1.1 307"), "\(elsewhere.prefix(400))")
        #expect(
            elsewhere.lowercased().contains("location: http://127.0.0.1:\(nodes[0].port)/sandboxes/\(id)/files?path=."),
            "\(elsewhere.prefix(400))")
        let (here, _) = try await nodes[0].server.call("GET", "/sandboxes/\(id)")
        #expect(here == 200)
        let unknown = "sb-" + UUID().uuidString.lowercased() + ".nowhere"
        let gone = try await offPool { try RawConnection.exchange(port: port, "GET", "/sandboxes/\(unknown)") }
        #expect(gone.hasPrefix("HTTP/1.1 404"), "\(gone.prefix(400))")
        let (deleted, _) = try await nodes[0].server.call("DELETE", "/sandboxes/\(id)")
        #expect(deleted == 204)
    }
}
