import Hummingbird
import Logging
import ServiceLifecycle

/// The router: every controller adds its routes; JSON errors and token auth wrap them all.
public func buildRouter(_ service: ProctorService) -> Router<ProctorContext> {
    let router = Router(context: ProctorContext.self)
    router.add(middleware: JSONErrorMiddleware())
    router.add(middleware: MetricsMiddleware(metrics: service.metrics))
    let c = service.configuration
    var limiter: any RateLimiting = RateLimiter(rate: c.rateLimit, burst: c.rateBurst)
    if case .cluster(let pg) = service.jobs.backend {
        limiter = PostgresRateLimiter(store: pg, rate: c.rateLimit, burst: c.rateBurst)
    }
    router.add(middleware: TokenAuthMiddleware(tokens: c.tokens, limiter: limiter))
    SystemController(service: service).addRoutes(to: router)
    ExecuteController(service: service).addRoutes(to: router)
    SandboxController(service: service).addRoutes(to: router)
    ImageController(service: service).addRoutes(to: router)
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
        server: .http1(
            configuration: .init(
                additionalChannelHandlers: [ClientWatchHandler()],
                idleTimeout: .milliseconds(Int64(c.idleTimeout * 1000)))),
        configuration: .init(address: .hostname(c.host, port: c.port), serverName: "proctor"),
        logger: service.logger
    )
    app.addServices(ShutdownService(service: service))
    return app
}

/// `proctor serve`: opens the store (a cluster's: migrates it and registers the node),
/// recovers jobs, serves until SIGTERM/SIGINT.
///
/// On SIGTERM: sandboxes are terminated and running jobs requeued at once
/// (`EarlyStopService`); requests still running get `shutdownGrace` seconds to finish,
/// then they are cancelled (their executions killed); the process exits 0.
public func runServer(_ configuration: ServerConfiguration, logger: Logger) async throws {
    let service = try ProctorService(configuration: configuration, logger: logger)
    defer { service.close() }
    try await service.start()
    let app = buildApplication(service)
    var group = ServiceGroupConfiguration(
        services: [app, EarlyStopService(service: service)],
        gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    group.maximumGracefulShutdownDuration = .milliseconds(Int64(configuration.shutdownGrace * 1000))
    // Past this, service-lifecycle ends the process (fatalError): a last resort, never reached
    // while every handler honours cancellation.
    group.maximumCancellationDuration = .seconds(10)
    try await ServiceGroup(configuration: group).run()
}
