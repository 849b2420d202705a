import Foundation
import GRDB

/// A job as stored: grading jobs and Judge0 submissions alike. `request` and `result` are
/// the JSON the API took and gives back.
public struct JobRow: Sendable {
    public enum Status: String, Sendable, Codable {
        case queued, running, done, failed
    }
    public var id: String
    public var kind: String
    public var owner: String
    public var status: Status
    public var request: Data
    public var created: Double
    public var started: Double?
    public var finished: Double?
    public var attempts: Int = 0
    public var result: Data?
    public var junit: Data?
    public var error: String?
    public var callbackURL: String?
    public var callbackState: String?

    init(id: String, kind: String, owner: String, request: Data, callbackURL: String?) {
        self.id = id
        self.kind = kind
        self.owner = owner
        status = .queued
        self.request = request
        created = Date().timeIntervalSince1970
        self.callbackURL = callbackURL
    }

    init(row: Row) {
        id = row["id"]
        kind = row["kind"]
        owner = row["owner"]
        status = Status(rawValue: row["status"]) ?? .failed
        request = row["request"]
        created = row["created"]
        started = row["started"]
        finished = row["finished"]
        attempts = row["attempts"]
        result = row["result"]
        junit = row["junit"]
        error = row["error"]
        callbackURL = row["callback_url"]
        callbackState = row["callback_state"]
    }
}

/// One line of the audit log: who ran what, when, and what came of it.
public struct AuditEntry: Sendable {
    public var at = Date().timeIntervalSince1970
    public var caller: String
    public var endpoint: String
    public var language: String?
    public var subject: String
    public var verdict: String
    public var status: String?
    public var exitCode: Int?
    public var cpuTime: Double?
    public var wallTime: Double?
    public var memoryPeak: Int?
}

/// SQLite through GRDB: jobs, submissions, results and the audit log. Every accepted job is
/// committed before the API answers, so a SIGKILL loses none.
public final class Store: JobStore {
    let db: DatabaseQueue

    public init(path: String) throws {
        var config = Configuration()
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        db = try DatabaseQueue(path: path, configuration: config)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "job") { t in
                t.column("id", .text).primaryKey()
                t.column("seq", .integer).notNull()
                t.column("kind", .text).notNull()
                t.column("owner", .text).notNull()
                t.column("status", .text).notNull().indexed()
                t.column("request", .blob).notNull()
                t.column("created", .double).notNull()
                t.column("started", .double)
                t.column("finished", .double)
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("result", .blob)
                t.column("junit", .blob)
                t.column("error", .text)
                t.column("callback_url", .text)
                t.column("callback_state", .text)
            }
            try db.create(table: "audit") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("at", .double).notNull()
                t.column("caller", .text).notNull()
                t.column("endpoint", .text).notNull()
                t.column("language", .text)
                t.column("subject", .text).notNull()
                t.column("verdict", .text).notNull()
                t.column("status", .text)
                t.column("exit_code", .integer)
                t.column("cpu_time", .double)
                t.column("wall_time", .double)
                t.column("memory_peak", .integer)
            }
        }
        try migrator.migrate(db)
    }

    // MARK: the statements (each in one transaction)

    static func insert(_ jobs: [JobRow], _ db: Database) throws {
        var seq = try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) + 1 FROM job") ?? 1
        for j in jobs {
            try db.execute(
                sql: """
                    INSERT INTO job (id, seq, kind, owner, status, request, created, attempts, callback_url)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)
                    """, arguments: [j.id, seq, j.kind, j.owner, j.status.rawValue, j.request, j.created, j.callbackURL])
            seq += 1
        }
    }

    /// At start: jobs a dead server had accepted or was running go back to the queue, in order.
    static func recover(_ db: Database) throws -> [JobRow] {
        try db.execute(sql: "UPDATE job SET status = 'queued' WHERE status = 'running'")
        return try Row.fetchAll(db, sql: "SELECT * FROM job WHERE status = 'queued' ORDER BY seq").map(JobRow.init(row:))
    }

    /// Claims a queued job (or one a dead server left running) for a run: one more attempt.
    /// False when it is no longer there to run (it ended meanwhile: cancelled).
    static func markRunning(_ id: String, _ db: Database) throws -> Bool {
        try db.execute(
            sql: """
                UPDATE job SET status = 'running', started = ?, attempts = attempts + 1
                WHERE id = ? AND status IN ('queued', 'running')
                """, arguments: [Date().timeIntervalSince1970, id])
        return db.changesCount > 0
    }

    /// Ends a job that no worker has claimed yet; false if one has (or it had ended).
    static func finishIfQueued(_ id: String, _ status: JobRow.Status, _ result: Data?, _ error: String?, _ db: Database) throws
        -> Bool
    {
        try db.execute(
            sql: """
                UPDATE job SET status = ?, finished = ?, result = ?, error = ? WHERE id = ? AND status = 'queued'
                """, arguments: [status.rawValue, Date().timeIntervalSince1970, result, error, id])
        return db.changesCount > 0
    }

    static func requeue(_ id: String, _ db: Database) throws {
        try db.execute(sql: "UPDATE job SET status = 'queued' WHERE id = ? AND status = 'running'", arguments: [id])
    }

    static func finish(_ id: String, _ status: JobRow.Status, _ result: Data?, _ junit: Data?, _ error: String?, _ db: Database)
        throws
    {
        try db.execute(
            sql: """
                UPDATE job SET status = ?, finished = ?, result = ?, junit = ?, error = ? WHERE id = ?
                """, arguments: [status.rawValue, Date().timeIntervalSince1970, result, junit, error, id])
    }

    static func setCallbackState(_ id: String, _ state: String, _ db: Database) throws {
        try db.execute(sql: "UPDATE job SET callback_state = ? WHERE id = ?", arguments: [state, id])
    }

    static func job(_ id: String, _ db: Database) throws -> JobRow? {
        try Row.fetchOne(db, sql: "SELECT * FROM job WHERE id = ?", arguments: [id]).map(JobRow.init(row:))
    }

    static func audit(_ e: AuditEntry, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO audit (at, caller, endpoint, language, subject, verdict, status, exit_code, cpu_time, wall_time, memory_peak)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                e.at, e.caller, e.endpoint, e.language, e.subject, e.verdict, e.status, e.exitCode,
                e.cpuTime, e.wallTime, e.memoryPeak,
            ])
    }

    // MARK: async: what request handlers and job workers call

    // GRDB's async reads and writes suspend the caller instead of blocking its thread: with
    // `synchronous = FULL` each commit waits for fsync, which on a busy disk takes up to
    // seconds, and a blocked cooperative thread stalls every request of the server (a stale
    // "running" answered seconds late, /health late). They throw CancellationError in a
    // cancelled task.

    func insert(_ jobs: [JobRow]) async throws {
        try await db.write { db in try Self.insert(jobs, db) }
    }

    func recover() async throws -> [JobRow] {
        try await db.write { db in try Self.recover(db) }
    }

    func markRunning(_ id: String) async throws -> Bool {
        try await db.write { db in try Self.markRunning(id, db) }
    }

    public func finishIfQueued(_ id: String, status: JobRow.Status, result: Data?, error: String?) async throws -> Bool {
        try await db.write { db in try Self.finishIfQueued(id, status, result, error, db) }
    }

    func requeue(_ id: String) async throws {
        try await db.write { db in try Self.requeue(id, db) }
    }

    func finish(_ id: String, status: JobRow.Status, result: Data?, junit: Data?, error: String?) async throws {
        try await db.write { db in try Self.finish(id, status, result, junit, error, db) }
    }

    public func setCallbackState(_ id: String, _ state: String) async throws {
        try await db.write { db in try Self.setCallbackState(id, state, db) }
    }

    public func job(_ id: String) async throws -> JobRow? {
        try await db.read { db in try Self.job(id, db) }
    }

    /// Never fails a run: a failed write shows in the server's log.
    public func audit(_ e: AuditEntry) async {
        do {
            try await db.write { db in try Self.audit(e, db) }
        } catch {
            FileHandle.standardError.write(Data("proctor serve: audit write failed: \(error)\n".utf8))
        }
    }

    /// The latest audit lines, newest first, as text (for tests and tools).
    public func auditEntries(limit: Int) async throws -> [[String: String]] {
        try await db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit ORDER BY id DESC LIMIT ?", arguments: [limit]).map { row in
                var line: [String: String] = [:]
                for column in row.columnNames {
                    let value: DatabaseValue = row[column]
                    if value.isNull { continue }
                    if let text = String.fromDatabaseValue(value) {
                        line[column] = text
                    } else if let number = Double.fromDatabaseValue(value) {
                        line[column] = "\(number)"
                    }
                }
                return line
            }
        }
    }
}
