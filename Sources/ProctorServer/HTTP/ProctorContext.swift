import Hummingbird
import NIOCore

/// The request context: Hummingbird's core storage plus the caller the token named.
public struct ProctorContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The caller's name (from the token file), set by `TokenAuthMiddleware`.
    public var caller: String?
    /// The connection (to watch for the client going away: `clientWatch()`).
    let channel: (any Channel)?

    public init(source: Source) {
        coreContext = .init(source: source)
        caller = nil
        channel = source.channel
    }

    /// The caller, or 401 (only routes behind the auth middleware call this).
    func requireCaller() throws -> String {
        guard let caller else { throw APIError(.unauthorized, "unauthorized", "an API token is required") }
        return caller
    }
}
