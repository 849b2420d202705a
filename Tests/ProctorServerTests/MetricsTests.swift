import Foundation
import Hummingbird
import HummingbirdTesting
import ProctorServer
import Testing

@Suite("GET /metrics")
struct MetricsTests {
    static func scrape(_ client: any TestClientProtocol) async throws -> String {
        try await client.execute(uri: "/metrics", method: .get, headers: alice) { r in
            #expect(r.status == .ok)
            #expect(r.headers[.contentType]?.hasPrefix("text/plain") == true)
            return r.text
        }
    }

    @Test("Prometheus text: counters with HELP and TYPE, scrape-time gauges; each server counts for itself")
    func format() async throws {
        try await withApp { first, _ in
            try await withApp { second, _ in
                for _ in 0..<3 {
                    try await first.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
                }
                try await first.execute(uri: "/jobs/nope", method: .get, headers: alice) { #expect($0.status == .notFound) }
                let text = try await Self.scrape(first)
                #expect(text.contains("# HELP proctor_http_requests_total HTTP requests, by status class.\n"))
                #expect(text.contains("# TYPE proctor_http_requests_total counter\n"))
                #expect(metric(text, #"proctor_http_requests_total{code="2xx"}"#) == 3)
                #expect(metric(text, #"proctor_http_requests_total{code="4xx"}"#) == 1)
                #expect(text.contains("# TYPE proctor_execute_running gauge\n"))
                #expect(metric(text, "proctor_execute_running") == 0)
                #expect(metric(text, "proctor_sandboxes_live") == 0)
                // The other server, in the same process, saw none of that.
                let other = try await Self.scrape(second)
                #expect(metric(other, #"proctor_http_requests_total{code="4xx"}"#) == nil)
                #expect(metric(other, #"proctor_http_requests_total{code="2xx"}"#) == nil)
            }
        }
    }
}
