import Hummingbird

/// /health, /metrics, /openapi.json.
struct SystemController {
    let service: ProctorService

    func addRoutes(to router: Router<ProctorContext>) {
        router.get("/health") { _, _ in
            JSON.response(["status": "ok"])
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(string: service.metrics.render())))
        }
        router.get("/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
    }
}
