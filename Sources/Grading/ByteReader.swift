import SystemPackage

/// Pulls bytes one at a time from memory or from a file read in 64 KiB blocks: how a
/// comparator reads the expected answer without loading a large one whole.
public final class ByteReader {
    private var buffer: [UInt8]
    private var index = 0
    private let file: FileDescriptor?
    private var atEnd = false

    public init(bytes: [UInt8]) {
        buffer = bytes
        file = nil
        atEnd = true
    }

    public convenience init(_ text: String) {
        self.init(bytes: Array(text.utf8))
    }

    /// Opens a host file; it is closed at the end of the reader's life.
    public init(file path: FilePath) throws {
        file = try FileDescriptor.open(path, .readOnly, options: .closeOnExec)
        buffer = []
    }

    deinit {
        try? file?.close()
    }

    private func refill() -> Bool {
        guard !atEnd, let file else { return false }
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        let n = (try? chunk.withUnsafeMutableBytes { try file.read(into: $0) }) ?? 0
        if n <= 0 {
            atEnd = true
            return false
        }
        buffer = Array(chunk[..<n])
        index = 0
        return true
    }

    /// The next byte without taking it, or nil at the end.
    public func peek() -> UInt8? {
        if index < buffer.count { return buffer[index] }
        return refill() ? buffer[index] : nil
    }

    /// Takes the next byte, or nil at the end.
    public func next() -> UInt8? {
        guard let b = peek() else { return nil }
        index += 1
        return b
    }

    /// Up to `count` bytes from here, without taking them (for an excerpt).
    func lookahead(_ count: Int) -> [UInt8] {
        var out = Array(buffer[index..<min(buffer.count, index + count)])
        if out.count < count, file != nil {
            // Only excerpts use this, after a verdict: taking the bytes is harmless.
            index = buffer.count
            while out.count < count, let b = next() { out.append(b) }
        }
        return out
    }
}
