import Foundation

/// How a node of a cluster (`--database postgres://...`) takes part: its name, the URL
/// other nodes send its sandboxes' callers to, and the lease that holds a job it runs.
///
/// A job a node runs is leased to it for `lease` seconds and renewed every `lease / 3`
/// while it runs; a node that dies (SIGKILL, power) stops renewing, and once the lease has
/// run out another node takes the job and runs it again. Idle nodes are woken by
/// PostgreSQL's NOTIFY when a job is queued, and look anyway every `poll` seconds.
public struct ClusterSettings: Sendable, Hashable {
    /// The node's name: letters, digits, '-' and '_' (it is part of its sandboxes' ids).
    /// Default: the host's name and the port.
    public var nodeID: String?
    /// Where other nodes redirect the callers of this node's sandboxes (307): the URL
    /// clients reach this node at. Default: http://HOST:PORT as listened on.
    public var advertiseURL: String?
    public var lease: Double = 30
    public var poll: Double = 1
    /// Connections to PostgreSQL this node opens at most (its pool; one more listens).
    public var connections = 8

    public init() {}

    /// Whether a node name is 1 to 40 ASCII letters, digits, '-' and '_'.
    public static func validNodeID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 40
            && id.unicodeScalars.allSatisfy {
                ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "-" || $0 == "_"
            }
    }
}

/// This node, as the cluster knows it: `id` (stable across restarts; in sandbox ids),
/// `owner` (this run of it: leases are held by a run, so a restarted node never takes a
/// dead run's lease for its own), `url` (advertised).
struct ClusterNode: Sendable {
    let id: String
    let owner: String
    let url: String
    let lease: Double
    let poll: Double

    init(_ configuration: ServerConfiguration) {
        let c = configuration.cluster
        let host = ProcessInfo.processInfo.hostName.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "-" }
        id = c.nodeID ?? String(String(host).prefix(30)) + "-\(configuration.port)"
        owner = id + "/" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        url = c.advertiseURL ?? "http://\(configuration.host):\(configuration.port)"
        lease = max(1, c.lease)
        poll = max(0.05, c.poll)
    }

    /// The node a sandbox id names (`sb-UUID.NODE`), nil for a single server's (`sb-UUID`).
    static func node(ofSandbox id: String) -> String? {
        guard let dot = id.firstIndex(of: ".") else { return nil }
        return String(id[id.index(after: dot)...])
    }
}
