import Foundation

/// Byte-for-byte comparison.
public final class ExactComparator: OutputComparator {
    private let expected: ByteReader
    @exclusivity(unchecked) private var cursor = Cursor()
    @exclusivity(unchecked) private var found: (line: Int, column: Int, message: String, expected: [UInt8])?
    /// Output from the difference on, kept for the excerpt.
    @exclusivity(unchecked) private var gotTail: [UInt8] = []
    @exclusivity(unchecked) private var difference: Difference?
    public var decided: Bool { found != nil && gotTail.count >= Excerpt.width / 2 }

    public init(expected: ByteReader) {
        self.expected = expected
    }

    public func feed(_ chunk: [UInt8]) {
        guard found == nil else {
            gotTail += chunk.prefix(Excerpt.width / 2 - gotTail.count)
            return
        }
        var k = 0
        while k < chunk.count {
            guard let block = expected.block(max: chunk.count - k) else {
                cursor.advance(chunk[..<k])
                mismatch("extra output after the end of the answer", expected: [])
                gotTail = Array(chunk[k...].prefix(Excerpt.width / 2))
                return
            }
            let got = chunk[k..<(k + block.count)]
            if let m = Self.firstDifference(block, got) {
                cursor.advance(chunk[..<(k + m)])
                mismatch(
                    "output differs from the answer", expected: Array(block[(block.startIndex + m)...].prefix(Excerpt.width / 2)))
                gotTail = Array(chunk[(k + m)...].prefix(Excerpt.width / 2))
                return
            }
            k += block.count
        }
        cursor.advance(chunk[...])
    }

    /// Where two equally long byte runs first differ (memcmp first: they rarely do).
    static func firstDifference(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Int? {
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb -> Int? in
                if pa.count == 0 || memcmp(pa.baseAddress!, pb.baseAddress!, pa.count) == 0 { return nil }
                for i in 0..<pa.count where pa[i] != pb[i] { return i }
                return nil
            }
        }
    }

    public func finish() -> Difference? {
        if found == nil, let e = expected.next() {
            mismatch("output ended before the answer", expected: [e] + expected.lookahead(Excerpt.width / 2 - 1))
        }
        guard let found else { return nil }
        return Difference(
            line: found.line, column: found.column, expected: Excerpt.render(cursor.prefix + found.expected),
            got: Excerpt.render(cursor.prefix + gotTail), message: found.message)
    }

    private func mismatch(_ message: String, expected exp: [UInt8]) {
        var exp = exp
        if !exp.isEmpty && exp.count < Excerpt.width / 2 { exp += expected.lookahead(Excerpt.width / 2 - exp.count) }
        found = (cursor.line, cursor.column, message, exp)
    }
}
