import ServiceLifecycle

/// The background work: job lanes and the sandbox reaper, until graceful shutdown (SIGTERM,
/// SIGINT); then running jobs go back to the queue and every sandbox is released.
struct ShutdownService: Service {
    let service: ProctorService

    func run() async throws {
        let jobs = Task { await service.jobs.run() }
        let reaper = Task {
            while !Task.isCancelled {
                let n = await service.sandboxes.reap()
                if n > 0 { service.metrics.count("proctor_sandboxes_reclaimed_total", by: n) }
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
