import Foundation
import SystemPackage

/// Writes a report whole or not at all: into a temporary file beside the target, flushed to
/// disk, then renamed over it. A run stopped half-way leaves the old file (or none).
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let target = FilePath(path)
        let folder = target.removingLastComponent()
        let name = target.lastComponent?.string ?? "report"
        let temporary = (folder.isEmpty ? FilePath(".") : folder).appending(
            ".\(name).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        do {
            let fd = try FileDescriptor.open(
                temporary, .writeOnly, options: [.create, .exclusiveCreate, .closeOnExec],
                permissions: [.ownerReadWrite, .groupRead, .otherRead])
            do {
                _ = try fd.writeAll(bytes)
                guard fsync(fd.rawValue) == 0 else { throw Errno(rawValue: errno) }
                try fd.close()
            } catch {
                try? fd.close()
                throw error
            }
            guard rename(temporary.string, target.string) == 0 else { throw Errno(rawValue: errno) }
        } catch let errno as Errno {
            unlink(temporary.string)
            throw ReportError("write \(path): \(errno)")
        }
    }

    public static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }
}

/// The one error type of the Reports layer.
public struct ReportError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Figures as reports print them.
enum Figures {
    static func seconds(_ s: Double) -> String { String(format: "%.3f", s) }
    static func points(_ p: Double) -> String {
        p == p.rounded() ? String(Int(p)) : String(format: "%.2f", p)
    }
    static func bytes(_ b: Int) -> String {
        if b >= 1 << 30 { return String(format: "%.1f GiB", Double(b) / Double(1 << 30)) }
        if b >= 1 << 20 { return String(format: "%.1f MiB", Double(b) / Double(1 << 20)) }
        if b >= 1 << 10 { return String(format: "%.0f KiB", Double(b) / 1024) }
        return "\(b) B"
    }
    static func iso8601(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: d)
    }
}
