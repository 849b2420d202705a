import Foundation
import Grading
import Sandbox
import SystemPackage

/// Everything `proctor serve` is told: where to listen, who may call, how much work it takes on.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// API tokens: token -> the caller's name (audit log, limits). Empty: nobody gets in.
    public var tokens: [String: String] = [:]
    /// SQLite database (jobs, submissions, results, audit log), or a PostgreSQL URL
    /// (`postgres://user:password@host:port/database`) that several nodes share.
    public var databasePath = "proctor.sqlite"
    /// With PostgreSQL: this node's name, where it is reached, how jobs are leased.
    public var cluster = ClusterSettings()
    /// Folder of suites that POST /grade may name.
    public var suitesDirectory = "Suites"
    /// The image store: images that sandboxes, /execute and suites may name, and where
    /// snapshots go ($PROCTOR_IMAGES, else /var/lib/proctor/images; `--images`).
    public var images = ImageStoreFolder()
    /// Runs at once (one per core by default), and how many more may wait before 503.
    public var workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
    public var queueCapacity = 64
    /// Grading and Judge0 jobs waiting in the job queue before 503.
    public var jobQueueCapacity = 1000
    /// Request bodies and files (bytes).
    public var maxBodySize = 4 << 20
    public var maxFileSize = 1 << 20
    public var maxFiles = 32
    /// POST /grade with `suite_upload`: files, and their total bytes.
    public var maxSuiteFiles = 1000
    public var maxSuiteUploadSize = 16 << 20
    /// What an uploaded suite may ask for at most (CPU 10 s, wall 20 s, 1 GiB memory,
    /// 64 MiB output, 256 processes, 100 problems, 1,000 tests, 64 MiB per file); a suite
    /// that asks for more is refused with a 400 naming its line and the cap.
    public var suiteCaps = SuiteCaps()
    /// Per token: requests per second (token bucket) and burst.
    public var rateLimit: Double = 50
    public var rateBurst: Double = 100
    /// Per token: live sandboxes of the sandbox API.
    public var maxSandboxesPerToken = 8
    /// Per token: snapshots kept in the image store (POST /sandboxes/{id}/snapshot), and the
    /// bytes of their own layers; a token frees room with DELETE /images/{name}. Without
    /// them one token could fill the server's disk a sandbox's writable layer at a time.
    public var maxSnapshotsPerToken = 16
    public var maxSnapshotBytesPerToken = 8 << 30
    /// Limits of /execute.
    public var maxTimeout: Double = 60
    public var defaultTimeout: Double = 5
    public var defaultMemory = 256 << 20
    public var maxMemory = 1 << 30
    /// Sandbox API: lifetime and idle timeout defaults and caps (seconds).
    public var sandboxLifetime: Double = 600
    public var maxSandboxLifetime: Double = 3600
    public var sandboxIdleTimeout: Double = 120
    /// Slow clients (seconds): a connection with nothing read for `idleTimeout` while a request
    /// is being read (or between requests) is closed; a request body must arrive whole within
    /// `bodyTimeout` (408 past it), so a body trickled a byte at a time cannot hold a request
    /// open for long. An answer being streamed is never cut by either.
    public var idleTimeout: Double = 30
    public var bodyTimeout: Double = 60
    /// A sandbox file call (read, write, list, stat, remove) that has not returned by then
    /// answers 503: it is blocked in the kernel (see `OffPool`).
    public var fileCallTimeout: Double = 10
    /// SIGTERM: how long requests still running may take to finish before they are cancelled.
    public var shutdownGrace: Double = 1
    /// Callbacks: tries and the pause before the first retry (doubled each time).
    public var callbackTries = 5
    public var callbackBackoff: Double = 0.5
    /// Where callbacks may go: public addresses only, unless the operator says otherwise.
    public var callbackTargets = CallbackTargets()
    public var languages = LanguageTable()
    /// Builds kept for programs sent again (bytes of their files).
    public var buildCacheBytes = 256 << 20

    public init() {}

    /// True when the database is a PostgreSQL URL: this server is a node of a cluster.
    public var isCluster: Bool { databasePath.hasPrefix("postgres://") || databasePath.hasPrefix("postgresql://") }

    /// Tokens from a file (one per line: `name:token`, or just `token`; # comments) and from
    /// PROCTOR_TOKENS (`name:token,...`) or PROCTOR_TOKEN.
    public static func loadTokens(file: String?, environment: [String: String]) throws -> [String: String] {
        var tokens: [String: String] = [:]
        func add(_ line: Substring) {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.isEmpty || t.hasPrefix("#") { return }
            if let colon = t.firstIndex(of: ":") {
                tokens[String(t[t.index(after: colon)...])] = String(t[..<colon])
            } else {
                tokens[t] = "token-\(tokens.count + 1)"
            }
        }
        if let file {
            let text = String(decoding: try HostFile.read(FilePath(file), limit: 1 << 20), as: UTF8.self)
            for line in text.split(separator: "\n") { add(line) }
        }
        if let list = environment["PROCTOR_TOKENS"] {
            for item in list.split(separator: ",") { add(item) }
        }
        if let one = environment["PROCTOR_TOKEN"] { add(Substring(one)) }
        return tokens
    }
}
