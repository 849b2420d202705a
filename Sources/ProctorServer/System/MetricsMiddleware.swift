import HTTPTypes
import Hummingbird

/// Counts answers by status class.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = ProctorContext
    let metrics: Metrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
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
