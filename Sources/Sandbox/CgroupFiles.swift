import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// Small, allocation-light access to cgroup control files (and any other small file).
enum ControlFile {
    static func read(_ path: FilePath) -> String? {
        guard let fd = try? FileDescriptor.open(path, .readOnly, options: .closeOnExec) else { return nil }
        defer { try? fd.close() }
        return read(fd)
    }

    /// Reads a whole small file from offset 0 (pread, so a kept fd can be read again).
    static func read(_ fd: FileDescriptor) -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var total = 0
        while true {
            if total == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
            let n = buffer.withUnsafeMutableBytes { raw in
                try? fd.read(fromAbsoluteOffset: Int64(total), into: UnsafeMutableRawBufferPointer(rebasing: raw[total...]))
            }
            guard let n else { return total == 0 ? nil : String(decoding: buffer[..<total], as: UTF8.self) }
            if n == 0 { break }
            total += n
        }
        return String(decoding: buffer[..<total], as: UTF8.self)
    }

    static func write(_ path: FilePath, _ value: String) throws {
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.open(
                path, .writeOnly, options: [.closeOnExec, .create, .truncate], permissions: [.ownerReadWrite])
        } catch let errno as Errno {
            throw SandboxError(.setup, "open \(path)", errno: errno)
        }
        defer { try? fd.close() }
        // A control file takes a value in one write(2) (no partial writes to retry).
        let written = value.withCString { Glibc.write(fd.rawValue, $0, strlen($0)) }
        if written < 0 {
            throw SandboxError(.setup, "write \(value.trimmingSuffixNewline) to \(path)", errno: Errno(rawValue: errno))
        }
    }

    /// A value from a flat keyed file such as memory.events or cpu.stat ("key value" lines).
    static func keyed(_ text: String?, _ key: String) -> Int? {
        guard let text else { return nil }
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0] == key { return Int(parts[1]) }
        }
        return nil
    }
}

extension String {
    var trimmingSuffixNewline: String {
        var s = Substring(self)
        while let last = s.last, last == "\n" || last == " " { s = s.dropLast() }
        return String(s)
    }
}
