/// The chunk being fed and how far the cursor has been moved through it: comparators
/// move the cursor only when they need a position, and once at the end of each chunk.
struct LazyCursor {
    var cursor = Cursor()
    var chunk: [UInt8] = []
    var synced = 0

    mutating func begin(_ chunk: [UInt8]) {
        self.chunk = chunk
        synced = 0
    }

    /// The cursor at index `i` of the current chunk.
    mutating func at(_ i: Int) -> Cursor {
        if i > synced {
            cursor.advance(chunk[synced..<i])
            synced = i
        }
        return cursor
    }

    mutating func end() {
        _ = at(chunk.count)
        chunk = []
        synced = 0
    }
}
