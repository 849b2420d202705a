import Foundation
import HTTPTypes
import Hummingbird

/// JSON in and out, with the API's own settings.
enum JSON {
    static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? e.encode(value)) ?? Data("{}".utf8))
    }

    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var h = headers
        h[.contentType] = "application/json"
        return Response(status: status, headers: h, body: .init(byteBuffer: ByteBuffer(bytes: encode(value))))
    }

    /// Reads a body of at most `limit` bytes and decodes it; 413 past the limit, 400 on bad JSON
    /// (with the decoder's path to the field, never a host path).
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int, timeout: Double = 60) async throws -> T {
        let bytes = try await body(request, limit: limit, timeout: timeout)
        return try decode(type, from: bytes)
    }

    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw APIError.badRequest("missing field '\(path(ctx.codingPath + [key]))'")
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw APIError.badRequest("wrong type at '\(path(ctx.codingPath))': \(ctx.debugDescription)")
        } catch let DecodingError.valueNotFound(_, ctx) {
            throw APIError.badRequest("missing value at '\(path(ctx.codingPath))'")
        } catch let DecodingError.dataCorrupted(ctx) {
            throw APIError.badRequest(
                ctx.codingPath.isEmpty
                    ? "the body is not valid JSON"
                    : "bad value at '\(path(ctx.codingPath))': \(ctx.debugDescription)")
        } catch let e as APIError {
            throw e
        } catch {
            throw APIError.badRequest("the body is not valid JSON")
        }
    }

    /// The body, at most `limit` bytes (413 past it), whole within `timeout` seconds (408 past
    /// it: a body trickled a byte at a time must not hold a request, and its connection, open
    /// for ever; the connection is closed after that answer).
    static func body(_ request: Request, limit: Int, timeout: Double = 60) async throws -> [UInt8] {
        do {
            let buffer = try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
                group.addTask { try await request.body.collect(upTo: limit) }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(Int64(timeout * 1000)))
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let buffer = first else {
                    throw APIError(.requestTimeout, "body_timeout", "the body did not arrive within \(Int(timeout)) seconds")
                }
                return buffer
            }
            return Array(buffer.readableBytesView)
        } catch let e as HTTPError where e.status == .contentTooLarge {
            throw APIError(.contentTooLarge, "too_large", "the body is larger than \(limit) bytes")
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
