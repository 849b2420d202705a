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
public final class Store: Sendable {
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

    func insert(_ j: JobRow) throws {
        try db.write { db in
            let seq = try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) + 1 FROM job") ?? 1
            try db.execute(sql: """
                INSERT INTO job (id, seq, kind, owner, status, request, created, attempts, callback_url)
                VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)
                """, arguments: [j.id, seq, j.kind, j.owner, j.status.rawValue, j.request, j.created, j.callbackURL])
        }
    }

    func insert(_ jobs: [JobRow]) throws {
        try db.write { db in
            var seq = try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) + 1 FROM job") ?? 1
            for j in jobs {
                try db.execute(sql: """
                    INSERT INTO job (id, seq, kind, owner, status, request, created, attempts, callback_url)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)
                    """, arguments: [j.id, seq, j.kind, j.owner, j.status.rawValue, j.request, j.created, j.callbackURL])
                seq += 1
            }
        }
    }

    /// At start: jobs a dead server had accepted or was running go back to the queue, in order.
    func recover() throws -> [JobRow] {
        try db.write { db in
            try db.execute(sql: "UPDATE job SET status = 'queued' WHERE status = 'running'")
            return try Row.fetchAll(db, sql: "SELECT * FROM job WHERE status = 'queued' ORDER BY seq").map(JobRow.init(row:))
        }
    }

    func markRunning(_ id: String) throws {
        try db.write { db in
            try db.execute(sql: "UPDATE job SET status = 'running', started = ?, attempts = attempts + 1 WHERE id = ?",
                           arguments: [Date().timeIntervalSince1970, id])
        }
    }

    func requeue(_ id: String) throws {
        try db.write { db in
            try db.execute(sql: "UPDATE job SET status = 'queued' WHERE id = ? AND status = 'running'", arguments: [id])
        }
    }

    func finish(_ id: String, status: JobRow.Status, result: Data?, junit: Data?, error: String?) throws {
        try db.write { db in
            try db.execute(sql: """
                UPDATE job SET status = ?, finished = ?, result = ?, junit = ?, error = ? WHERE id = ?
                """, arguments: [status.rawValue, Date().timeIntervalSince1970, result, junit, error, id])
        }
    }

    func setCallbackState(_ id: String, _ state: String) throws {
        try db.write { db in
            try db.execute(sql: "UPDATE job SET callback_state = ? WHERE id = ?", arguments: [state, id])
        }
    }

    func job(_ id: String) throws -> JobRow? {
        try db.read { db in try Row.fetchOne(db, sql: "SELECT * FROM job WHERE id = ?", arguments: [id]).map(JobRow.init(row:)) }
    }

    func audit(_ e: AuditEntry) {
        do {
            try db.write { db in
                try db.execute(sql: """
                    INSERT INTO audit (at, caller, endpoint, language, subject, verdict, status, exit_code, cpu_time, wall_time, memory_peak)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [e.at, e.caller, e.endpoint, e.language, e.subject, e.verdict, e.status, e.exitCode,
                                     e.cpuTime, e.wallTime, e.memoryPeak])
            }
        } catch {
            // The audit log must not break a run; the failure shows in the server's log.
            FileHandle.standardError.write(Data("proctor serve: audit write failed: \(error)\n".utf8))
        }
    }

    /// The latest audit lines, newest first, as text (for tests and tools).
    public func auditEntries(limit: Int = 100) throws -> [[String: String]] {
        let rows = try db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit ORDER BY id DESC LIMIT ?", arguments: [limit])
        }
        var out: [[String: String]] = []
        for row in rows {
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
            out.append(line)
        }
        return out
    }
}
