import Foundation
import Logging
import PostgresNIO
import Synchronization

/// PostgreSQL through PostgresNIO: the store that the nodes of a cluster share.
///
/// Jobs are not handed to a node in memory, as SQLite's lanes do: a node claims queued jobs
/// from the table (`claim`, FOR UPDATE SKIP LOCKED, so two nodes never take the same one),
/// each with a lease that it renews while the job runs (`renew`), and records the result
/// only while it still holds that lease (`finish`). A job whose node died is taken again
/// once its lease has run out; a result comes from one run only. Inserting, finishing and
/// releasing a job send a NOTIFY on `channel`, which wakes the other nodes.
public final class PostgresStore: JobStore {
    static let channel = "proctor"
    /// Held while jobs are inserted (with the kind's hash as second key): the capacity check
    /// and the insert are one step across the cluster.
    static let queueLockKey = 7_411_002
    static let columns =
        "id, kind, owner, status, request, created, started, finished, attempts, result, junit, error, callback_url, callback_state"

    let client: PostgresClient
    let connection: PostgresConnection.Configuration
    let node: ClusterNode
    let logger: Logger
    private let runner: Mutex<Task<Void, Never>?> = Mutex(nil)

    struct BadURL: Error, CustomStringConvertible {
        var description: String
    }

    init(url: String, node: ClusterNode, connections: Int, logger: Logger) throws {
        guard let u = URLComponents(string: url), u.scheme == "postgres" || u.scheme == "postgresql", let host = u.host,
            !host.isEmpty
        else {
            throw BadURL(description: "not a PostgreSQL URL (postgres://user:password@host:port/database)")
        }
        // URLComponents decodes percent-escapes in these (a password may hold any character).
        let user = u.user ?? "postgres"
        let password = u.password
        let database = String(u.path.drop { $0 == "/" })
        let sslmode = u.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        var tls = PostgresConnection.Configuration.TLS.disable
        var clientTLS = PostgresClient.Configuration.TLS.disable
        switch sslmode {
        case "disable":
            break
        case "prefer", "allow":
            tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            clientTLS = .prefer(.makeClientConfiguration())
        case "require", "verify-ca", "verify-full":
            tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            clientTLS = .require(.makeClientConfiguration())
        default:
            throw BadURL(description: "sslmode '\(sslmode)' is not one of disable, prefer, require")
        }
        var config = PostgresClient.Configuration(
            host: host, port: u.port ?? 5432, username: user, password: password,
            database: database.isEmpty ? nil : database, tls: clientTLS)
        config.options.maximumConnections = max(2, connections)
        self.client = PostgresClient(configuration: config, backgroundLogger: logger)
        self.connection = PostgresConnection.Configuration(
            host: host, port: u.port ?? 5432, username: user, password: password,
            database: database.isEmpty ? nil : database, tls: tls)
        self.node = node
        self.logger = logger
        // The pool serves only while `run` runs; started here, ahead of the first query.
        let client = self.client
        runner.withLock { $0 = Task { await client.run() } }
    }

    /// Applies the migrations and registers this node; at the
    /// same time takes back at once what a previous run of this node held (its leases
    /// would otherwise wait out their timeout). Call once, before anything else.
    func start() async throws {
        do {
            let applied = try await PostgresSchema.migrate(client, logger: logger)
            if !applied.isEmpty { logger.info("database migrated", metadata: ["versions": "\(applied)"]) }
        } catch let e as PostgresTransactionError {
            throw e.closureError ?? e.commitError ?? e.beginError ?? e
        }
        try await client.query(
            """
            INSERT INTO node (id, url, owner, started, seen) VALUES (\(node.id), \(node.url), \(node.owner), now(), now())
            ON CONFLICT (id) DO UPDATE SET url = EXCLUDED.url, owner = EXCLUDED.owner, started = now(), seen = now()
            """, logger: logger)
        let back = try await client.query(
            """
            WITH r AS (
                UPDATE job SET status = 'queued', lease_owner = NULL, lease_until = NULL
                WHERE status = 'running' AND split_part(lease_owner, '/', 1) = \(node.id) AND lease_owner <> \(node.owner)
                RETURNING kind)
            SELECT pg_notify(\(Self.channel), 'queued:' || kind) FROM (SELECT DISTINCT kind FROM r) k
            """, logger: logger
        ).collect()
        if !back.isEmpty { logger.info("took back the jobs a previous run of this node held") }
    }

    func stop() {
        runner.withLock { $0?.cancel() }
    }

    // MARK: jobs: insert, claim, renew, finish, release

    /// Stores the jobs (committed before this returns) and wakes the nodes; false, and nothing
    /// stored, when more than `capacity` jobs of their kind would then be waiting.
    func insert(_ jobs: [JobRow], capacity: Int) async throws -> Bool {
        guard let kind = jobs.first?.kind else { return true }
        return try await transaction { c -> Bool in
            try await c.query(
                "SELECT pg_advisory_xact_lock(\(unescaped: String(Self.queueLockKey)), hashtext(\(kind)))", logger: self.logger)
            var waiting = 0
            for try await n in try await c.query(
                "SELECT count(*) FROM job WHERE kind = \(kind) AND status = 'queued'", logger: self.logger
            ).decode(Int.self) {
                waiting = n
            }
            if waiting + jobs.count > capacity { return false }
            for j in jobs {
                try await c.query(
                    """
                    INSERT INTO job (id, kind, owner, status, request, created, attempts, callback_url)
                    VALUES (\(j.id), \(j.kind), \(j.owner), 'queued', \(j.request), \(j.created), 0, \(j.callbackURL))
                    """, logger: self.logger)
            }
            try await c.query("SELECT pg_notify(\(Self.channel), \("queued:" + kind))", logger: self.logger)
            return true
        }
    }

    /// Takes up to `limit` jobs of `kind` to run here, first come first taken: queued ones,
    /// and running ones whose lease ran out (their node died). Each gets a lease and one
    /// more attempt. Rows another node is taking at this moment are skipped, not waited for.
    func claim(kind: String, limit: Int) async throws -> [JobRow] {
        guard limit > 0 else { return [] }
        let rows = try await client.query(
            """
            UPDATE job SET status = 'running', lease_owner = \(node.owner),
                lease_until = now() + make_interval(secs => \(node.lease)),
                started = \(Date().timeIntervalSince1970), attempts = attempts + 1
            WHERE id IN (
                SELECT id FROM job
                WHERE kind = \(kind) AND (status = 'queued' OR (status = 'running' AND lease_until < now()))
                ORDER BY seq LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING seq, \(unescaped: Self.columns)
            """, logger: logger
        ).collect()
        return try rows.map { r in (try r.makeRandomAccess()["seq"].decode(Int.self), try JobRow(postgres: r)) }
            .sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// Extends the leases this run holds; returns the ids it still holds (a job missing
    /// from them was taken by another node after this one stalled past its lease).
    func renew() async throws -> Set<String> {
        try await client.query("UPDATE node SET seen = now(), url = \(node.url) WHERE id = \(node.id)", logger: logger)
        var held: Set<String> = []
        for try await id in try await client.query(
            """
            UPDATE job SET lease_until = now() + make_interval(secs => \(node.lease))
            WHERE status = 'running' AND lease_owner = \(node.owner) RETURNING id
            """, logger: logger
        ).decode(String.self) {
            held.insert(id)
        }
        return held
    }

    /// Records a job's result, once: only while this run holds its lease. False when it no
    /// longer does (the lease ran out and another node took the job): the result is dropped.
    func finish(_ id: String, status: JobRow.Status, result: Data?, junit: Data?, error: String?) async throws -> Bool {
        let ended = try await client.query(
            """
            WITH f AS (
                UPDATE job SET status = \(status.rawValue), finished = \(Date().timeIntervalSince1970), result = \(result),
                    junit = \(junit), error = \(error), lease_owner = NULL, lease_until = NULL, finished_by = \(node.owner)
                WHERE id = \(id) AND status = 'running' AND lease_owner = \(node.owner)
                RETURNING id)
            SELECT pg_notify(\(Self.channel), 'done:' || id) FROM f
            """, logger: logger
        ).collect()
        return !ended.isEmpty
    }

    /// Graceful shutdown: the jobs this run holds go back to the queue, and the other nodes
    /// are woken to take them.
    func release() async throws {
        _ = try await client.query(
            """
            WITH r AS (
                UPDATE job SET status = 'queued', lease_owner = NULL, lease_until = NULL
                WHERE status = 'running' AND lease_owner = \(node.owner) RETURNING kind)
            SELECT pg_notify(\(Self.channel), 'queued:' || kind) FROM (SELECT DISTINCT kind FROM r) k
            """, logger: logger
        ).collect()
    }

    /// Jobs of `kind` waiting in the whole cluster (the queue-depth gauge).
    func queued(kind: String) async throws -> Int {
        var n = 0
        for try await c in try await client.query(
            "SELECT count(*) FROM job WHERE kind = \(kind) AND status = 'queued'", logger: logger
        ).decode(Int.self) {
            n = c
        }
        return n
    }

    /// The advertised URL of a node seen within the last lease (nil: unknown, or dead).
    func url(ofNode id: String) async throws -> String? {
        for try await url in try await client.query(
            "SELECT url FROM node WHERE id = \(id) AND seen > now() - make_interval(secs => \(node.lease))", logger: logger
        ).decode(String.self) {
            return url
        }
        return nil
    }

    // MARK: JobStore

    public func job(_ id: String) async throws -> JobRow? {
        for try await row in try await client.query(
            "SELECT \(unescaped: Self.columns) FROM job WHERE id = \(id)", logger: logger)
        {
            return try JobRow(postgres: row)
        }
        return nil
    }

    public func finishIfQueued(_ id: String, status: JobRow.Status, result: Data?, error: String?) async throws -> Bool {
        let ended = try await client.query(
            """
            WITH f AS (
                UPDATE job SET status = \(status.rawValue), finished = \(Date().timeIntervalSince1970), result = \(result),
                    error = \(error), finished_by = \(node.owner)
                WHERE id = \(id) AND status = 'queued'
                RETURNING id)
            SELECT pg_notify(\(Self.channel), 'done:' || id) FROM f
            """, logger: logger
        ).collect()
        return !ended.isEmpty
    }

    public func setCallbackState(_ id: String, _ state: String) async throws {
        try await client.query("UPDATE job SET callback_state = \(state) WHERE id = \(id)", logger: logger)
    }

    public func audit(_ e: AuditEntry) async {
        do {
            try await client.query(
                """
                INSERT INTO audit (at, caller, endpoint, language, subject, verdict, status, exit_code, cpu_time, wall_time,
                    memory_peak, node)
                VALUES (\(e.at), \(e.caller), \(e.endpoint), \(e.language), \(e.subject), \(e.verdict), \(e.status),
                    \(e.exitCode), \(e.cpuTime), \(e.wallTime), \(e.memoryPeak), \(node.id))
                """, logger: logger)
        } catch {
            logger.error("audit write failed", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    public func auditEntries(limit: Int) async throws -> [[String: String]] {
        let names = [
            "id", "at", "caller", "endpoint", "language", "subject", "verdict", "status", "exit_code", "cpu_time",
            "wall_time", "memory_peak", "node",
        ]
        let select = names.map { "\($0)::text" }.joined(separator: ", ")
        var out: [[String: String]] = []
        for try await row in try await client.query(
            "SELECT \(unescaped: select) FROM audit ORDER BY id DESC LIMIT \(limit)", logger: logger)
        {
            var line: [String: String] = [:]
            for (name, cell) in zip(names, row) {
                if let value = try cell.decode(String?.self) { line[name] = value }
            }
            out.append(line)
        }
        return out
    }

    // MARK: rate limits

    /// Takes one request from the caller's bucket, shared by every node (one statement: the
    /// row's lock orders concurrent requests). Nil when the request may go; else the
    /// seconds until it could.
    func takeRate(_ caller: String, rate: Double, burst: Double) async throws -> Double? {
        let refill = "LEAST(\(burst), b.tokens + EXTRACT(EPOCH FROM now() - b.at)::float8 * \(rate))"
        for try await (granted, tokens) in try await client.query(
            """
            INSERT INTO rate_bucket AS b (caller, tokens, at, granted) VALUES (\(caller), \(burst - 1), now(), true)
            ON CONFLICT (caller) DO UPDATE SET
                tokens = \(unescaped: refill) - CASE WHEN \(unescaped: refill) >= 1 THEN 1 ELSE 0 END,
                granted = \(unescaped: refill) >= 1,
                at = now()
            RETURNING granted, tokens
            """, logger: logger
        ).decode((Bool, Double).self) {
            return granted ? nil : (1 - tokens) / max(rate, 0.001)
        }
        return nil
    }

    // MARK: notifications

    /// Listens on `channel` until the task is cancelled, passing each payload to `receive`
    /// (`queued:KIND`, `done:ID`); reconnects after a pause when the connection drops. Its
    /// own connection, outside the pool: a listening connection stays taken.
    func listen(_ receive: @escaping @Sendable (String) -> Void) async {
        var attempt = 0
        while !Task.isCancelled {
            do {
                let c = try await PostgresConnection.connect(configuration: connection, id: 0, logger: logger)
                attempt = 0
                do {
                    try await withTaskCancellationHandler {
                        try await c.listen(on: Self.channel) { notifications in
                            // A notification missed while the connection was down is made
                            // up for by the poll; so is one missed now.
                            receive("queued:*")
                            for try await n in notifications { receive(n.payload) }
                        }
                    } onCancel: {
                        c.close().whenComplete { _ in }
                    }
                } catch {
                    if !Task.isCancelled {
                        logger.warning("listening stopped", metadata: ["error": "\(String(reflecting: error))"])
                    }
                }
                // Closed before it goes (PostgresNIO asserts that a connection is).
                c.close().whenComplete { _ in }
                try? await c.closeFuture.get()
            } catch {
                if Task.isCancelled { return }
                attempt += 1
                if attempt == 1 { logger.warning("listen failed", metadata: ["error": "\(String(reflecting: error))"]) }
            }
            try? await Task.sleep(for: .seconds(min(5, attempt + 1)))
        }
    }

    /// Runs `body` in a transaction; a thrown error comes out as itself (not PostgresNIO's
    /// wrapper), after the rollback.
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger) { c in try await body(c) }
        } catch let e as PostgresTransactionError {
            throw e.closureError ?? e.commitError ?? e.beginError ?? e
        }
    }
}

extension JobRow {
    init(postgres row: PostgresRow) throws {
        let r = row.makeRandomAccess()
        self.init(
            id: try r["id"].decode(String.self), kind: try r["kind"].decode(String.self),
            owner: try r["owner"].decode(String.self), request: try r["request"].decode(Data.self),
            callbackURL: try r["callback_url"].decode(String?.self))
        status = Status(rawValue: try r["status"].decode(String.self)) ?? .failed
        created = try r["created"].decode(Double.self)
        started = try r["started"].decode(Double?.self)
        finished = try r["finished"].decode(Double?.self)
        attempts = try r["attempts"].decode(Int.self)
        result = try r["result"].decode(Data?.self)
        junit = try r["junit"].decode(Data?.self)
        error = try r["error"].decode(String?.self)
        callbackState = try r["callback_state"].decode(String?.self)
    }
}
