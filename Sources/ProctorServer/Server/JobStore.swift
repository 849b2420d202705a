import Foundation

/// What the server keeps, as the controllers and handlers see it: jobs (grading jobs and
/// Judge0 submissions), their results, the audit log. Two stores: `Store` (SQLite, one
/// machine, the default) and `PostgresStore` (one database that any number of nodes share).
/// How jobs are taken to run differs between them, and lives in `JobSystem`: SQLite's lanes
/// in memory, PostgreSQL's leases in the database.
public protocol JobStore: Sendable {
    func job(_ id: String) async throws -> JobRow?
    /// Ends a job that no worker has claimed yet; false if one has (or it had ended).
    func finishIfQueued(_ id: String, status: JobRow.Status, result: Data?, error: String?) async throws -> Bool
    func setCallbackState(_ id: String, _ state: String) async throws
    /// Never fails a run: a failed write shows in the server's log.
    func audit(_ e: AuditEntry) async
    /// The latest audit lines, newest first, as text (for tests and tools).
    func auditEntries(limit: Int) async throws -> [[String: String]]
}

extension JobStore {
    public func auditEntries() async throws -> [[String: String]] { try await auditEntries(limit: 100) }
}
