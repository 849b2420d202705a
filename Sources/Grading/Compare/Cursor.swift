/// Line and column of the next output byte, and the tail of the current line (for excerpts).
struct Cursor {
    var line = 1
    var column = 1
    var offset = 0
    var lineTail: [UInt8] = []

    mutating func advance(_ b: UInt8) {
        offset += 1
        if b == 0x0A {
            line += 1
            column = 1
            lineTail.removeAll(keepingCapacity: true)
        } else {
            column += 1
            lineTail.append(b)
            if lineTail.count > 2 * Excerpt.width { lineTail.removeFirst(lineTail.count - Excerpt.width) }
        }
    }

    /// Advances over many bytes at once (comparators keep the cursor lazily, in bulk).
    mutating func advance(_ bytes: ArraySlice<UInt8>) {
        guard !bytes.isEmpty else { return }
        offset += bytes.count
        guard let lastNewline = bytes.lastIndex(of: 0x0A) else {
            column += bytes.count
            lineTail.append(contentsOf: bytes.suffix(Excerpt.width))
            if lineTail.count > 2 * Excerpt.width { lineTail.removeFirst(lineTail.count - Excerpt.width) }
            return
        }
        var newlines = 0
        bytes.withUnsafeBufferPointer { p in
            for b in p where b == 0x0A { newlines += 1 }
        }
        line += newlines
        let rest = bytes[(lastNewline + 1)...]
        column = rest.count + 1
        lineTail = Array(rest.suffix(Excerpt.width))
    }

    var prefix: [UInt8] { Array(lineTail.suffix(Excerpt.width / 2)) }
}
