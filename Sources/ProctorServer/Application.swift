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
///
/// HTTP/1 with a `ClientWatchHandler` on every connection (so long handlers learn that
/// their client went away) and an idle timeout for slow clients (`idleTimeout`).
public func buildApplication(_ service: ProctorService) -> some ApplicationProtocol {
    let c = service.configuration
    var app = Application(
        router: buildRouter(service),
        server: .http1(configuration: .init(additionalChannelHandlers: [ClientWatchHandler()],
                                            idleTimeout: .milliseconds(Int64(c.idleTimeout * 1000)))),
        configuration: .init(address: .hostname(c.host, port: c.port), serverName: "proctor"),
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

/// Stops the work early in a graceful shutdown: the application's own service group stops
/// the HTTP server first, which waits for the requests in flight, and those (a streamed
/// exec of `sleep 1000`, a Judge0 `wait=true`) end only when their sandboxes and jobs do.
/// Placed after the application in `runServer`'s group, this service is told first.
struct EarlyStopService: Service {
    let service: ProctorService

    func run() async throws {
        try? await gracefulShutdown()
        await service.shutdown()
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
///
/// On SIGTERM: sandboxes are terminated and running jobs requeued at once
/// (`EarlyStopService`); requests still running get `shutdownGrace` seconds to finish,
/// then they are cancelled (their executions killed); the process exits 0.
public func runServer(_ configuration: ServerConfiguration, logger: Logger) async throws {
    let service = try ProctorService(configuration: configuration, logger: logger)
    let app = buildApplication(service)
    var group = ServiceGroupConfiguration(services: [app, EarlyStopService(service: service)],
                                          gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    group.maximumGracefulShutdownDuration = .milliseconds(Int64(configuration.shutdownGrace * 1000))
    // Past this, service-lifecycle ends the process (fatalError): a last resort, never reached
    // while every handler honours cancellation.
    group.maximumCancellationDuration = .seconds(10)
    try await ServiceGroup(configuration: group).run()
}
