import Foundation
import Grading
import Sandbox

/// A size in bytes, given as a number or as text with a unit ("256M").
struct ByteSize: Codable, Sendable {
    var bytes: Int
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Int.self) {
            bytes = n
        } else if let s = try? c.decode(String.self), let n = Units.bytes(s) {
            bytes = n
        } else {
            throw APIError.badRequest("a size is a number of bytes or text such as \"256M\"")
        }
    }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(bytes)
    }
}

/// A file sent with a program: UTF-8 text, or base64 with `"encoding": "base64"`.
struct FileUpload: Codable, Sendable {
    var path: String
    var content: String
    var encoding: String?

    func decoded(limit: Int) throws -> CodeRun.File {
        try Paths.check(path)
        let bytes: [UInt8]
        switch encoding ?? "utf8" {
        case "utf8", "utf-8", "text": bytes = Array(content.utf8)
        case "base64":
            guard let d = Data(base64Encoded: content) else { throw APIError.badRequest("file '\(path)': content is not base64") }
            bytes = Array(d)
        default: throw APIError.badRequest("file '\(path)': encoding is utf8 or base64")
        }
        if bytes.count > limit {
            throw APIError(.contentTooLarge, "too_large", "file '\(path)' is larger than \(limit) bytes")
        }
        return CodeRun.File(path: path, bytes: bytes)
    }
}

enum Paths {
    /// A sandbox path a caller names: relative to the workdir, or below it; never `..`.
    static func check(_ path: String) throws {
        if path.isEmpty || path.utf8.count > 1024 || path.contains("\u{0}")
            || path.split(separator: "/").contains(where: { $0 == ".." })
        {
            throw APIError.badRequest("bad path '\(path.prefix(100))': relative paths inside the sandbox only, no '..'")
        }
    }
}
