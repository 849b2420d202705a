import Foundation
import Logging
import Sandbox
import Synchronization

/// Live sandboxes of the sandbox API, by id, each owned by the token that made it; reclaimed
/// past their lifetime or idle timeout by a reaper that ticks every half second.
///
/// A sandbox lives on the node that made it; in a cluster its id says which
/// (`sb-UUID.NODE`), so that another node can send its callers there. The cap per owner
/// is this node's (each node's sandboxes use that node's memory and processes).
final class SandboxRegistry: Sendable {
    struct Entry: Sendable {
        var sandbox: Sandbox?
        var owner: String
        var created: ContinuousClock.Instant
        var lastUsed: ContinuousClock.Instant
        var lifetime: Duration
        var idleTimeout: Duration
        var busy = 0
        var createdAt: Double
        /// The image it started from ("host": the host's system folders).
        var image = "host"
    }
    private let entries = Mutex<[String: Entry]>([:])
    let perOwner: Int
    /// This node's name in a cluster (the ids' suffix), nil for a single server.
    let node: String?
    let logger: Logger

    init(perOwner: Int, node: String? = nil, logger: Logger) {
        self.perOwner = perOwner
        self.node = node
        self.logger = logger
    }

    var count: Int { entries.withLock { $0.count } }

    /// Makes a sandbox for `owner` unless the owner is at its cap (429).
    func create(
        owner: String, configuration: SandboxConfiguration, image: String = "host", lifetime: Duration, idleTimeout: Duration
    ) async throws -> (
        String, Entry
    ) {
        let id = "sb-" + UUID().uuidString.lowercased() + (node.map { "." + $0 } ?? "")
        let now = ContinuousClock.now
        let reserved = entries.withLock { e -> Bool in
            guard e.values.filter({ $0.owner == owner }).count < perOwner else { return false }
            e[id] = Entry(
                sandbox: nil, owner: owner, created: now, lastUsed: now, lifetime: lifetime, idleTimeout: idleTimeout,
                busy: 1, createdAt: Date().timeIntervalSince1970, image: image)
            return true
        }
        guard reserved else {
            throw APIError(.tooManyRequests, "sandbox_limit", "this token already has \(perOwner) live sandboxes")
        }
        do {
            let sandbox = try await Sandbox.create(configuration, logger: logger)
            let entry = entries.withLock { e -> Entry? in
                e[id]?.sandbox = sandbox
                e[id]?.busy = 0
                return e[id]
            }
            guard let entry else {
                await sandbox.terminate()
                throw APIError.notFound("the sandbox was deleted while it was being made")
            }
            return (id, entry)
        } catch let e as APIError {
            throw e
        } catch {
            _ = entries.withLock { $0.removeValue(forKey: id) }
            logger.error("sandbox create failed", metadata: ["error": "\(error)"])
            throw APIError(.internalServerError, "sandbox_error", "the sandbox could not be made")
        }
    }

    /// The owner's sandbox, marked in use until `release`; 404 for anyone else's.
    func acquire(_ id: String, owner: String) throws -> Sandbox {
        try entries.withLock { e in
            guard var entry = e[id], entry.owner == owner, let sandbox = entry.sandbox, !sandbox.isTerminated else {
                throw APIError.notFound("no sandbox '\(id.prefix(64))'")
            }
            entry.busy += 1
            entry.lastUsed = .now
            e[id] = entry
            return sandbox
        }
    }

    func release(_ id: String) {
        entries.withLock { e in
            e[id]?.busy -= 1
            e[id]?.lastUsed = .now
        }
    }

    func info(_ id: String, owner: String) throws -> Entry {
        try entries.withLock { e in
            guard let entry = e[id], entry.owner == owner else { throw APIError.notFound("no sandbox '\(id.prefix(64))'") }
            return entry
        }
    }

    /// The layer folders (their names: a digest's hex) that live sandboxes are mounted on:
    /// a deleted image's layer is removed only when none is.
    func layerFoldersInUse() -> Set<String> {
        entries.withLock { e in
            var folders: Set<String> = []
            for entry in e.values {
                if case .layers(let paths)? = entry.sandbox?.configuration.image {
                    for p in paths { if let name = p.lastComponent?.string { folders.insert(name) } }
                }
            }
            return folders
        }
    }

    func list(owner: String) -> [(String, Entry)] {
        entries.withLock { e in
            e.filter { $0.value.owner == owner }.map { ($0.key, $0.value) }.sorted { $0.1.createdAt < $1.1.createdAt }
        }
    }

    func remove(_ id: String, owner: String) async throws {
        let entry = try entries.withLock { e -> Entry in
            guard let entry = e[id], entry.owner == owner else { throw APIError.notFound("no sandbox '\(id.prefix(64))'") }
            e[id] = nil
            return entry
        }
        await entry.sandbox?.terminate()
    }

    /// Terminates sandboxes past their lifetime, or idle (no exec or file call running) past their idle timeout.
    func reap() async -> Int {
        let now = ContinuousClock.now
        let expired = entries.withLock { e -> [Sandbox] in
            var out: [Sandbox] = []
            for (id, entry) in e where entry.sandbox != nil {
                let old = now - entry.created > entry.lifetime
                let idle = entry.busy == 0 && now - entry.lastUsed > entry.idleTimeout
                let dead = entry.sandbox?.isTerminated ?? false
                if old || idle || dead {
                    out.append(entry.sandbox!)
                    e[id] = nil
                }
            }
            return out
        }
        for s in expired { await s.terminate() }
        return expired.count
    }

    func terminateAll() async {
        let all = entries.withLock { e -> [Sandbox] in
            defer { e = [:] }
            return e.values.compactMap(\.sandbox)
        }
        for s in all { await s.terminate() }
    }
}
