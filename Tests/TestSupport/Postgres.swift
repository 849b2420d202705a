import Foundation
import Testing

/// A real PostgreSQL server for the cluster tests, of this test process's own: Debian's
/// binaries (the postgresql package, which scripts/setup.sh installs), a cluster made by
/// initdb in a temporary folder owned by the postgres user (initdb and the server refuse to
/// run as root), listening on 127.0.0.1 at a free port with trust authentication (a
/// loopback server that lives as long as the tests). Started at first use, stopped when
/// the test process exits; each test takes a database of its own (`createDatabase`).
public final class PostgresServer: Sendable {
    /// The newest /usr/lib/postgresql/N/bin that has initdb, pg_ctl and psql.
    public static let binaries: String? = {
        let base = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
        return versions.compactMap(Int.init).sorted().reversed().map { "\(base)/\($0)/bin" }.first { bin in
            ["initdb", "pg_ctl", "psql"].allSatisfy { FileManager.default.isExecutableFile(atPath: "\(bin)/\($0)") }
        }
    }()
    static let runuser = ["/usr/sbin/runuser", "/sbin/runuser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Why the cluster tests cannot run here, or nil when they can.
    public static let missing: String? = {
        if binaries == nil { return "PostgreSQL's server is not installed (Debian's postgresql package)" }
        if !Host.isRoot || runuser == nil { return "needs root and runuser to run PostgreSQL as the postgres user" }
        if getpwnam("postgres") == nil { return "there is no postgres user" }
        return nil
    }()

    public let port: Int
    public let folder: String
    let bin: String

    /// The server of this test process (started on first use).
    public static func shared() throws -> PostgresServer {
        try started.get()
    }

    private static let started: Result<PostgresServer, any Error> = Result {
        let server = try PostgresServer()
        atexit { try? PostgresServer.shared().stop() }
        return server
    }

    private init() throws {
        guard let bin = Self.binaries, Self.missing == nil else { throw Failure(Self.missing ?? "no PostgreSQL") }
        self.bin = bin
        Self.stopOrphans(bin)
        port = Net.freePort()
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-pg-\(getpid())-\(port)").path
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder + "/socket", withIntermediateDirectories: true)
        let pw = getpwnam("postgres")!.pointee
        for path in [folder, folder + "/socket"] { chown(path, pw.pw_uid, pw.pw_gid) }
        try asPostgres(["initdb", "-D", folder + "/data", "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"])
        // fsync off: a test's server need not survive a power cut, and the lease logic does
        // not depend on it. PROCTOR_PG_FSYNC=on for the benchmark (Benchmarks/cluster).
        let fsync = ProcessInfo.processInfo.environment["PROCTOR_PG_FSYNC"] == "on" ? "on" : "off"
        try startDaemon(
            "pg_ctl -D \(folder)/data -l \(folder)/server.log -w -t 60 -o '-c listen_addresses=127.0.0.1 -p \(port) "
                + "-k \(folder)/socket -c max_connections=200 -c fsync=\(fsync)' start")
    }

    /// Runs `command` (a pg_ctl that leaves the server running) as postgres, through
    /// system(3) and with every descriptor past stderr closed first. Not Foundation's
    /// Process: it learns that a child ended when a socket the child inherited closes, and
    /// the server, inheriting it in turn, would hold it open for good (waitUntilExit hung).
    /// Nor any other descriptor of this process (a pipe another test reads to its end).
    private func startDaemon(_ command: String) throws {
        guard let runuser = Self.runuser else { throw Failure("no runuser") }
        let out = folder + "/pg_ctl.out"
        let script = folder + "/start.sh"
        try """
        for f in /proc/$$/fd/*; do n=${f##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-"; done 2>/dev/null
        exec \(runuser) -u postgres -- \(bin)/\(command) >\(out) 2>&1 </dev/null

        """.write(toFile: script, atomically: true, encoding: .utf8)
        let status = system("/bin/bash " + script)
        guard status == 0 else {
            let log = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
            throw Failure("pg_ctl start failed (\(status)): \(log.suffix(2000))")
        }
    }

    /// A URL for `proctor serve --database` (PostgreSQL's user, no TLS: loopback).
    public func url(_ database: String) -> String {
        "postgres://postgres@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    /// A new, empty database; its name.
    public func createDatabase() throws -> String {
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        _ = try psql("postgres", "CREATE DATABASE \(name)")
        return name
    }

    /// Runs SQL with psql; its rows, one a line, columns split by '|'.
    public func psql(_ database: String, _ sql: String) throws -> String {
        let (status, output) = try Host.run([
            bin + "/psql", "-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1",
            "-X", "-A", "-t", "-q", "-c", sql,
        ])
        guard status == 0 else { throw Failure("psql failed (\(status)): \(output)") }
        return output
    }

    /// Stops the servers of earlier test processes that are gone (one killed, or one whose
    /// exit did not run `stop`): their folders are named for their pid.
    static func stopOrphans(_ bin: String) {
        let tmp = FileManager.default.temporaryDirectory.path
        guard let runuser, let names = try? FileManager.default.contentsOfDirectory(atPath: tmp) else { return }
        for name in names where name.hasPrefix("proctor-pg-") {
            guard let part = name.split(separator: "-").dropFirst(2).first, let pid = Int32(part), kill(pid, 0) != 0,
                errno == ESRCH
            else { continue }
            _ = system("\(runuser) -u postgres -- \(bin)/pg_ctl -D \(tmp)/\(name)/data -m immediate -w stop >/dev/null 2>&1")
            try? FileManager.default.removeItem(atPath: tmp + "/" + name)
        }
    }

    /// At the test process's exit: system(3) too (Foundation's Process is no help in atexit).
    func stop() {
        guard let runuser = Self.runuser else { return }
        // Bounded: the test process's buffered output is written only after its atexit handlers.
        _ = system(
            "/usr/bin/timeout 30 \(runuser) -u postgres -- \(bin)/pg_ctl -D \(folder)/data -m immediate -w stop >/dev/null 2>&1")
        try? FileManager.default.removeItem(atPath: folder)
    }

    private func asPostgres(_ argv: [String]) throws {
        guard let runuser = Self.runuser else { throw Failure("no runuser") }
        let (status, output) = try Host.run([runuser, "-u", "postgres", "--", bin + "/" + argv[0]] + argv.dropFirst())
        guard status == 0 else { throw Failure("\(argv[0]) failed (\(status)): \(output.suffix(2000))") }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}

extension Trait where Self == ConditionTrait {
    /// A real PostgreSQL server: Debian's postgresql package, and root to run it as postgres.
    public static var needsPostgres: Self {
        .enabled(if: PostgresServer.missing == nil, Comment(rawValue: PostgresServer.missing ?? "PostgreSQL is here"))
    }
}

/// Loopback ports.
public enum Net {
    /// A TCP port on 127.0.0.1 that nothing listens on now (the kernel's pick).
    public static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
