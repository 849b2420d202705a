import Foundation
import Hummingbird
import HummingbirdTesting
import ProctorServer
import Testing

/// The OpenAPI document is written by hand beside the router; this keeps the two one truth.
@Suite("OpenAPI document and router")
struct OpenAPIRoutesTests {
    /// A route as OpenAPI names it: `:id` captures are already `{id}`; the one recursive
    /// wildcard (a sandbox file's path) is `{path}`.
    static func operation(_ method: String, _ path: String) -> String {
        "\(method.uppercased()) " + path.replacingOccurrences(of: "**", with: "{path}")
    }

    @Test("every (method, path) the router serves is documented, and every documented operation is served")
    func routesMatchDocument() async throws {
        let (served, documented) = try await withApp { client, service in
            let served = Set(buildRouter(service).routes.map { Self.operation($0.method.rawValue, $0.path.description) })
            let text = try await client.execute(uri: "/openapi.json", method: .get, headers: alice) { $0.text }
            let doc = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            let paths = try #require(doc["paths"] as? [String: [String: Any]])
            let methods: Set = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]
            let documented = Set(
                paths.flatMap { path, item in
                    item.keys.filter(methods.contains).map { Self.operation($0, path) }
                })
            return (served, documented)
        }
        #expect(served.count > 20)
        #expect(served.subtracting(documented).sorted() == [], "served but not in the OpenAPI document")
        #expect(documented.subtracting(served).sorted() == [], "in the OpenAPI document but not served")
    }
}
