struct SandboxCreateRequest: Codable, Sendable {
    struct LimitsBody: Codable, Sendable {
        var memory: ByteSize?
        var cpus: Double?
        var processes: Int?
        var workdir_size: ByteSize?
        var tmp_size: ByteSize?
    }
    /// "host" (the host's system folders, read-only; the default), or an image of the
    /// server's store (GET /images).
    var image: String?
    var limits: LimitsBody?
    var network: Bool?
    /// Seconds.
    var lifetime: Double?
    var idle_timeout: Double?
    var environment: [String: String]?
}

struct SandboxInfo: Codable, Sendable {
    var id: String
    var image: String
    var created_at: Double
    var expires_at: Double
    var idle_timeout: Double
    var network: Bool
}

struct SandboxExecRequest: Codable, Sendable {
    var argv: [String]
    var stdin: String?
    var stdin_base64: String?
    var cwd: String?
    var environment: [String: String]?
    /// Seconds of wall clock and CPU (default 60, capped at the server's maximum).
    var timeout: Double?
}

struct FileEntryBody: Codable, Sendable {
    var name: String
    var type: String
    var size: Int
    var mode: UInt32
    var modified: Double
}
