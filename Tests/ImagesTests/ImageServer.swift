import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ProctorServer
import TestSupport
import Testing

/// The HTTP server over its own port (HummingbirdTesting's live setup) with the image tests'
/// store as its `--images`, and the two test tokens.
enum ImageServer {
    static let alice: HTTPFields = [.authorization: "Bearer secret-a", .contentType: "application/json"]
    static let bob: HTTPFields = [.authorization: "Bearer secret-b", .contentType: "application/json"]

    static func with<T: Sendable>(
        snapshots: Int = 16, snapshotBytes: Int = 8 << 30, _ body: @Sendable (any TestClientProtocol) async throws -> T
    ) async throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-image-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var c = ServerConfiguration()
        c.databasePath = folder.appendingPathComponent("db.sqlite").path
        c.tokens = ["secret-a": "alice", "secret-b": "bob"]
        c.port = 0
        c.workers = 2
        c.suitesDirectory = Host.repository.appendingPathComponent("Suites").path
        c.images = ImageHost.store.folder
        c.maxSnapshotsPerToken = snapshots
        c.maxSnapshotBytesPerToken = snapshotBytes
        let service = try ProctorService(configuration: c, logger: Logger(label: "test"))
        do {
            let value = try await buildApplication(service).test(.live) { try await body($0) }
            await service.shutdown()
            return value
        } catch {
            await service.shutdown()
            throw error
        }
    }

    static func body(_ object: Any) -> ByteBuffer {
        ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: object))
    }

    static func json(_ r: TestResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(r.body.readableBytesView))) as? [String: Any] ?? [:]
    }

    /// POST /sandboxes; the new sandbox's id.
    static func create(_ client: any TestClientProtocol, _ fields: [String: Any]) async throws -> String {
        try await client.execute(uri: "/sandboxes", method: .post, headers: alice, body: body(fields)) { r in
            #expect(r.status == .created, "\(String(buffer: r.body))")
            return try #require(json(r)["id"] as? String)
        }
    }

    /// A shell command in the sandbox: its stdout and exit code (from the NDJSON stream).
    static func sh(_ client: any TestClientProtocol, _ id: String, _ script: String) async throws -> (out: String, code: Int?) {
        try await client.execute(
            uri: "/sandboxes/\(id)/exec", method: .post, headers: alice, body: body(["argv": ["/bin/sh", "-c", script]])
        ) { r in
            let events = String(buffer: r.body).split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            let out = events.filter { $0["type"] as? String == "stdout" }.compactMap { $0["data"] as? String }.joined()
            return (out, events.last?["return_code"] as? Int)
        }
    }

    /// POST /sandboxes/{id}/snapshot: the status and the answer.
    static func snapshot(_ client: any TestClientProtocol, _ id: String, _ name: String, headers: HTTPFields = alice) async throws
        -> (HTTPResponse.Status, [String: Any], String)
    {
        try await client.execute(uri: "/sandboxes/\(id)/snapshot", method: .post, headers: headers, body: body(["name": name])) {
            ($0.status, json($0), String(buffer: $0.body))
        }
    }

    /// DELETE /images/{name}: the status.
    static func delete(_ client: any TestClientProtocol, _ name: String, headers: HTTPFields = alice) async throws
        -> HTTPResponse.Status
    {
        try await client.execute(uri: "/images/\(name)", method: .delete, headers: headers) { $0.status }
    }

    /// Removes a test's snapshot: its manifest and its own (top) layer.
    static func drop(_ name: String) {
        let store = ImageHost.store
        guard let manifest = try? store.manifest(named: name) else { return }
        try? store.remove(name)
        if let top = manifest.layers.last { try? FileManager.default.removeItem(atPath: store.layerPath(top.digest).string) }
    }
}
