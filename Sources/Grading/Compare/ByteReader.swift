import SystemPackage

/// Pulls bytes one at a time from memory or from a file read in 64 KiB blocks: how a
/// comparator reads the expected answer without loading a large one whole.
public final class ByteReader {
    // Touched for every byte: no dynamic exclusivity checks (one task uses a reader).
    @exclusivity(unchecked) private var buffer: [UInt8]
    @exclusivity(unchecked) private var index = 0
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

    /// Reads an open file (taken: closed at the end of the reader's life).
    public init(descriptor: FileDescriptor) {
        file = descriptor
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

    /// Skips C whitespace; returns how many newlines it skipped.
    func skipSpaces() -> Int {
        var newlines = 0
        while true {
            if index >= buffer.count && !refill() { return newlines }
            var i = index
            let n = buffer.count
            while i < n, isCSpace(buffer[i]) {
                if buffer[i] == 0x0A { newlines += 1 }
                i += 1
            }
            index = i
            if i < n { return newlines }
        }
    }

    /// Replaces `token` with the next run of non-space bytes (empty at the end or at a space).
    func readToken(into token: inout [UInt8]) {
        token.removeAll(keepingCapacity: true)
        while true {
            if index >= buffer.count && !refill() { return }
            var i = index
            let n = buffer.count
            while i < n, !isCSpace(buffer[i]) { i += 1 }
            token.append(contentsOf: buffer[index..<i])
            index = i
            if i < n { return }
        }
    }

    /// Replaces `line` with the bytes up to the next newline, which is taken too; false at the end.
    func readLine(into line: inout [UInt8]) -> Bool {
        line.removeAll(keepingCapacity: true)
        if index >= buffer.count && !refill() { return false }
        while true {
            if index >= buffer.count && !refill() { return true }
            let n = buffer.count
            let end = buffer[index..<n].firstIndex(of: 0x0A) ?? n
            line.append(contentsOf: buffer[index..<end])
            index = end
            if end < n {
                index += 1
                return true
            }
        }
    }

    /// Takes up to `max` bytes at once (fewer at a block boundary), or nil at the end.
    public func block(max: Int) -> ArraySlice<UInt8>? {
        if index >= buffer.count && !refill() { return nil }
        let end = Swift.min(buffer.count, index + max)
        defer { index = end }
        return buffer[index..<end]
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
