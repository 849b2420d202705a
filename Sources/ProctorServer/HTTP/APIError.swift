import Foundation
import HTTPTypes
import Hummingbird

/// An error the API answers with: a status and a JSON body `{"error": {"code", "message"}}`.
/// Messages are written for the caller; they never carry host paths.
public struct APIError: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var h = headers
        h[.contentType] = "application/json"
        let body = JSON.encode(ErrorBody(error: .init(code: code, message: message)))
        return Response(status: status, headers: h, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    struct ErrorBody: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
        }
        var error: Detail
    }

    static func badRequest(_ message: String) -> APIError { APIError(.badRequest, "bad_request", message) }
    static func notFound(_ message: String) -> APIError { APIError(.notFound, "not_found", message) }
    /// Nobody reads it: the client closed its connection (nginx's 499, for the log and metrics).
    static let clientGone = APIError(
        .init(code: 499, reasonPhrase: "Client Closed Request"), "client_closed_request",
        "the client closed the connection before the answer")
    static let queueFull = APIError(
        .serviceUnavailable, "queue_full", "the server is at capacity; try again shortly",
        headers: [.retryAfter: "1"])
}

/// Turns every error into a JSON answer: API errors as they are, Hummingbird's HTTP errors
/// with their status, anything else as a 500 whose detail stays in the server's log.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch is ClientGone {
            throw APIError.clientGone
        } catch is CancellationError {
            // The client went away, or the server is stopping (SIGTERM past its grace).
            throw APIError.clientGone
        } catch is OffPool.TimedOut {
            throw APIError(.serviceUnavailable, "timeout", "the sandbox's file system did not answer in time")
        } catch let error as HTTPError {
            let code = error.status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_")
            throw APIError(error.status, code, error.body ?? error.status.reasonPhrase, headers: error.headers)
        } catch let error as any HTTPResponseError {
            throw APIError(error.status, "error", error.status.reasonPhrase)
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)"])
            throw APIError(.internalServerError, "internal", "internal error")
        }
    }
}
