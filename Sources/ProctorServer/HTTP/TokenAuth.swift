import Foundation
import HTTPTypes
import Hummingbird
import Sandbox
import Synchronization

/// Bearer tokens (`Authorization: Bearer T`, or Judge0's `X-Auth-Token: T`). Every route needs
/// one but /health and the playground page; then the caller's rate limit applies.
struct TokenAuthMiddleware: RouterMiddleware {
    typealias Context = ProctorContext
    let tokens: [String: String]
    let limiter: any RateLimiting
    static let open: Set<String> = ["/health", "/"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        if request.method == .get && Self.open.contains(request.uri.path) {
            return try await next(request, context)
        }
        var token: String?
        if let auth = request.headers[.authorization], auth.lowercased().hasPrefix("bearer ") {
            token = String(auth.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        } else if let name = HTTPField.Name("X-Auth-Token"), let t = request.headers[name] {
            token = t
        }
        guard let token, let caller = tokens[token] else {
            throw APIError(
                .unauthorized, "unauthorized", token == nil ? "an API token is required" : "the API token is not valid",
                headers: [.wwwAuthenticate: "Bearer"])
        }
        if let wait = await limiter.take(caller) {
            throw APIError(
                .tooManyRequests, "rate_limited", "too many requests for this token",
                headers: [.retryAfter: String(max(1, Int(wait.rounded(.up))))])
        }
        var context = context
        context.caller = caller
        return try await next(request, context)
    }
}

/// Takes one request from a caller's allowance: nil when it may go, else the seconds until it could.
protocol RateLimiting: Sendable {
    func take(_ key: String) async -> Double?
}

/// A token bucket per caller: `rate` requests a second, bursts up to `burst`. This server's
/// own; a cluster's nodes share theirs in PostgreSQL (`PostgresRateLimiter`).
final class RateLimiter: RateLimiting {
    private struct Bucket {
        var tokens: Double
        var at: ContinuousClock.Instant
    }
    private let rate: Double
    private let burst: Double
    private let buckets = Mutex<[String: Bucket]>([:])

    init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = burst
    }

    /// Nil when the request may go; else the seconds until it could.
    func take(_ key: String) -> Double? {
        let now = ContinuousClock.now
        return buckets.withLock { b -> Double? in
            var bucket = b[key] ?? Bucket(tokens: burst, at: now)
            let elapsed = now - bucket.at
            let seconds = elapsed.seconds
            bucket.tokens = min(burst, bucket.tokens + seconds * rate)
            bucket.at = now
            defer { b[key] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return (1 - bucket.tokens) / rate
        }
    }
}

/// A cluster's rate limit: the token buckets are rows in PostgreSQL, so a caller's `rate`
/// holds across every node, however its requests are spread. One statement per request
/// (about a millisecond on loopback). While the database does not answer, this node's own
/// bucket stands in: the limit then holds per node.
struct PostgresRateLimiter: RateLimiting {
    let store: PostgresStore
    let rate: Double
    let burst: Double
    let fallback: RateLimiter

    init(store: PostgresStore, rate: Double, burst: Double) {
        self.store = store
        self.rate = rate
        self.burst = burst
        fallback = RateLimiter(rate: rate, burst: burst)
    }

    func take(_ key: String) async -> Double? {
        do {
            return try await store.takeRate(key, rate: rate, burst: burst)
        } catch {
            return fallback.take(key)
        }
    }
}
