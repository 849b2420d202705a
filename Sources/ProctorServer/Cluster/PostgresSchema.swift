import Logging
import PostgresNIO

/// The cluster's tables, as numbered migrations applied at start.
///
/// Each node runs `migrate` when it starts: in one transaction, under an advisory lock (so
/// that nodes starting together do not race), it applies the migrations past the highest
/// version in `schema_version` and records each. A database migrated by a newer Proctor (a
/// version this one does not know) is refused: this node would not know its tables.
/// Migrations are only ever added to the end; one that shipped is never edited.
enum PostgresSchema {
    /// Held for the migration's transaction (pg_advisory_xact_lock's key).
    static let lockKey = 7_411_001

    static let migrations: [(version: Int, statements: [String])] = [
        (
            1,
            [
                // Jobs: grading jobs and Judge0 submissions. A job is taken by setting
                // `status` to running with a lease (`lease_owner`, `lease_until`); it ends
                // once, by its lease's holder (`finished_by`).
                """
                CREATE TABLE job (
                    id text PRIMARY KEY,
                    seq bigint GENERATED ALWAYS AS IDENTITY,
                    kind text NOT NULL,
                    owner text NOT NULL,
                    status text NOT NULL,
                    request bytea NOT NULL,
                    created double precision NOT NULL,
                    started double precision,
                    finished double precision,
                    attempts bigint NOT NULL DEFAULT 0,
                    result bytea,
                    junit bytea,
                    error text,
                    callback_url text,
                    callback_state text,
                    lease_owner text,
                    lease_until timestamptz,
                    finished_by text
                )
                """,
                // What a claim scans: the jobs not ended, in order; ended ones drop out of it.
                "CREATE INDEX job_pending ON job (kind, seq) WHERE status IN ('queued', 'running')",
                """
                CREATE TABLE audit (
                    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    at double precision NOT NULL,
                    caller text NOT NULL,
                    endpoint text NOT NULL,
                    language text,
                    subject text NOT NULL,
                    verdict text NOT NULL,
                    status text,
                    exit_code bigint,
                    cpu_time double precision,
                    wall_time double precision,
                    memory_peak bigint,
                    node text
                )
                """,
                // The nodes, where each is reached (sandbox redirects) and when it was last seen.
                """
                CREATE TABLE node (
                    id text PRIMARY KEY,
                    url text NOT NULL,
                    owner text NOT NULL,
                    started timestamptz NOT NULL,
                    seen timestamptz NOT NULL
                )
                """,
                // The rate limit's token buckets, one per caller, shared by every node.
                """
                CREATE TABLE rate_bucket (
                    caller text PRIMARY KEY,
                    tokens double precision NOT NULL,
                    at timestamptz NOT NULL,
                    granted boolean NOT NULL
                )
                """,
            ]
        )
    ]

    struct TooNew: Error, CustomStringConvertible {
        var found: Int
        var known: Int
        var description: String {
            "the database's schema is version \(found), newer than this Proctor knows (\(known)): upgrade this node"
        }
    }

    /// Applies what is missing; returns the versions applied now.
    @discardableResult
    static func migrate(_ client: PostgresClient, logger: Logger) async throws -> [Int] {
        try await client.withTransaction(logger: logger) { c -> [Int] in
            try await c.query("SELECT pg_advisory_xact_lock(\(unescaped: String(lockKey)))", logger: logger)
            try await c.query(
                """
                CREATE TABLE IF NOT EXISTS schema_version (
                    version bigint PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now())
                """, logger: logger)
            var current = 0
            for try await v in try await c.query("SELECT COALESCE(MAX(version), 0) FROM schema_version", logger: logger)
                .decode(Int.self)
            {
                current = v
            }
            let known = migrations.last?.version ?? 0
            if current > known { throw TooNew(found: current, known: known) }
            var applied: [Int] = []
            for m in migrations where m.version > current {
                for statement in m.statements {
                    try await c.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await c.query("INSERT INTO schema_version (version) VALUES (\(m.version))", logger: logger)
                applied.append(m.version)
            }
            return applied
        }
    }
}
