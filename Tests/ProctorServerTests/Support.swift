import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import ProctorServer
import TestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Runs blocking work (a child process waited for) on a thread of its own, never on the
/// two threads of Swift's cooperative pool that the in-process server also needs.
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { c in
        Thread.detachNewThread { c.resume(with: Result { try work() }) }
    }
}

/// A configuration for one test: its own database and the two test tokens.
func testConfiguration(_ edit: (inout ServerConfiguration) -> Void = { _ in }) -> ServerConfiguration {
    var c = ServerConfiguration()
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-server-test-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    c.databasePath = folder.appendingPathComponent("db.sqlite").path
    c.tokens = ["secret-a": "alice", "secret-b": "bob"]
    c.port = 0
    c.suitesDirectory = Host.repository.appendingPathComponent("Suites").path
    edit(&c)
    return c
}

/// Runs `body` against an in-process application (HummingbirdTesting's router client).
func withApp<T: Sendable>(
    _ configuration: ServerConfiguration = testConfiguration(), _ setup: TestingSetup = .router,
    _ body: @Sendable (any TestClientProtocol, ProctorService) async throws -> T
) async throws -> T {
    let service = try ProctorService(configuration: configuration, logger: Logger(label: "test"))
    let app = buildApplication(service)
    let folder = URL(fileURLWithPath: configuration.databasePath).deletingLastPathComponent()
    defer { try? FileManager.default.removeItem(at: folder) }
    do {
        let value = try await app.test(setup) { client in try await body(client, service) }
        await service.shutdown()
        return value
    } catch {
        await service.shutdown()
        throw error
    }
}

let alice: HTTPFields = [.authorization: "Bearer secret-a", .contentType: "application/json"]
let bob: HTTPFields = [.authorization: "Bearer secret-b", .contentType: "application/json"]

extension TestResponse {
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }
    var text: String { String(buffer: body) }
}

/// A POST on its own connection (HummingbirdTesting's client sends one request at a time).
func post(port: Int, _ path: String, _ object: Any) async throws -> Int {
    var r = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
    r.httpMethod = "POST"
    r.setValue("Bearer secret-a", forHTTPHeaderField: "Authorization")
    r.setValue("application/json", forHTTPHeaderField: "Content-Type")
    r.httpBody = try JSONSerialization.data(withJSONObject: object)
    let (_, response) = try await URLSession.shared.data(for: r)
    return (response as? HTTPURLResponse)?.statusCode ?? 0
}

func body(_ object: Any) -> ByteBuffer {
    ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: object))
}
