import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle

/// The router: every controller adds its routes; JSON errors and token auth wrap them all.
public func buildRouter(_ service: ProctorService) -> Router<ProctorContext> {
    let router = Router(context: ProctorContext.self)
    router.add(middleware: JSONErrorMiddleware())
    router.add(middleware: MetricsMiddleware(metrics: service.metrics))
    router.add(middleware: TokenAuthMiddleware(tokens: service.configuration.tokens,
                                               limiter: RateLimiter(rate: service.configuration.rateLimit,
                                                                    burst: service.configuration.rateBurst)))
    SystemController(service: service).addRoutes(to: router)
    ExecuteController(service: service).addRoutes(to: router)
    SandboxController(service: service).addRoutes(to: router)
    GradeController(service: service).addRoutes(to: router)
    Judge0Controller(service: service).addRoutes(to: router)
    PlaygroundController(service: service).addRoutes(to: router)
    return router
}

/// The application `proctor serve` runs (and tests drive in-process).
public func buildApplication(_ service: ProctorService) -> some ApplicationProtocol {
    var app = Application(
        router: buildRouter(service),
        configuration: .init(address: .hostname(service.configuration.host, port: service.configuration.port),
                             serverName: "proctor"),
        logger: service.logger
    )
    app.addServices(ShutdownService(service: service))
    return app
}

/// The background work: job lanes and the sandbox reaper, until graceful shutdown (SIGTERM,
/// SIGINT); then running jobs go back to the queue and every sandbox is released.
struct ShutdownService: Service {
    let service: ProctorService

    func run() async throws {
        let jobs = Task { await service.jobs.run() }
        let reaper = Task {
            while !Task.isCancelled {
                let n = await service.sandboxes.reap()
                if n > 0 { service.metrics.count("proctor_sandboxes_reclaimed_total", by: Double(n)) }
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
        try? await gracefulShutdown()
        reaper.cancel()
        await service.shutdown()
        jobs.cancel()
    }
}

/// Counts answers by status class.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = ProctorContext
    let metrics: Metrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            let r = try await next(request, context)
            metrics.count("proctor_http_requests_total", ["code": "\(r.status.code / 100)xx"])
            return r
        } catch let e as any HTTPResponseError {
            metrics.count("proctor_http_requests_total", ["code": "\(e.status.code / 100)xx"])
            throw e
        }
    }
}

/// /health, /metrics, /openapi.json.
struct SystemController {
    let service: ProctorService

    func addRoutes(to router: Router<ProctorContext>) {
        router.get("/health") { _, _ in
            JSON.response(["status": "ok"])
        }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: .init(byteBuffer: ByteBuffer(string: service.metrics.render())))
        }
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
    }
}

/// `proctor serve`: opens the store, recovers jobs, serves until SIGTERM/SIGINT.
public func runServer(_ configuration: ServerConfiguration, logger: Logger) async throws {
    let service = try ProctorService(configuration: configuration, logger: logger)
    let app = buildApplication(service)
    try await app.runService()
}
