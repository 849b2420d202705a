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

/// Short timeouts for requests to a server on its own port (URLSession's default waits 60 s
/// a request): a server that accepts and never answers fails its test in seconds instead of
/// holding the run.
let loopbackSession: URLSession = {
    let c = URLSessionConfiguration.ephemeral
    c.timeoutIntervalForRequest = 30
    c.timeoutIntervalForResource = 120
    return URLSession(configuration: c)
}()

/// A request as alice to a server on 127.0.0.1:`port`, with a JSON body when one is given.
func loopbackRequest(port: Int, _ method: String, _ path: String, _ body: Any?) throws -> URLRequest {
    var r = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
    r.httpMethod = method
    r.setValue("Bearer secret-a", forHTTPHeaderField: "Authorization")
    r.setValue("application/json", forHTTPHeaderField: "Content-Type")
    if let body { r.httpBody = try JSONSerialization.data(withJSONObject: body) }
    return r
}

/// A POST on its own connection (HummingbirdTesting's client sends one request at a time).
func post(port: Int, _ path: String, _ object: Any) async throws -> Int {
    let (_, response) = try await loopbackSession.data(for: loopbackRequest(port: port, "POST", path, object))
    return (response as? HTTPURLResponse)?.statusCode ?? 0
}

func body(_ object: Any) -> ByteBuffer {
    ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: object))
}
