import CompressNIO
import Foundation
import Grading
import NIOCore
import SystemPackage

/// JSON lines, plain or gzip (by its magic bytes, whatever the name says).
public enum JSONLines {
    public static func read(_ path: String) throws -> [String] {
        var bytes = try HostFile.read(FilePath(path), limit: 4 << 30)
        if bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B {
            var buffer = ByteBuffer(bytes: bytes)
            do {
                var out = try buffer.decompress(with: .gzip())
                bytes = out.readBytes(length: out.readableBytes) ?? []
            } catch {
                throw FormatsError(.io, "\(path): not valid gzip: \(error)", underlyingError: error)
            }
        }
        return String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    static func object(_ line: String, _ path: String, _ n: Int) throws -> [String: Any] {
        guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8), options: [.fragmentsAllowed]) as? [String: Any]
        else {
            throw FormatsError(.invalidDataset, "\(path):\(n): not a JSON object")
        }
        return o
    }
}
