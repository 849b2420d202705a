/// Line by line: trailing whitespace of each line, and blank lines at the end, ignored.
/// The answer is read one line at a time; the output is matched against it as it comes,
/// runs of non-space bytes in bulk. A run of whitespace is matched tentatively: at the end
/// of the line it is trailing and dropped, before a non-space byte it must have matched.
public final class LineComparator: OutputComparator {
    private let expected: ByteReader
    @exclusivity(unchecked) private var pos = LazyCursor()
    @exclusivity(unchecked) private var difference: Difference?
    /// The current answer line without its trailing whitespace; nil past the answer's end.
    @exclusivity(unchecked) private var expectedLine: [UInt8]?
    @exclusivity(unchecked) private var expectedLineNumber = 0
    @exclusivity(unchecked) private var matched = 0
    /// In a whitespace run: `matched` where it began, and the column where it first
    /// stopped matching the answer (an error only if the line goes on).
    @exclusivity(unchecked) private var runStart: Int?
    @exclusivity(unchecked) private var runMismatch: (column: Int, byte: UInt8)?
    public var decided: Bool { difference != nil }

    public init(expected: ByteReader) {
        self.expected = expected
        loadLine()
    }

    private func loadLine() {
        var line = expectedLine ?? []
        expectedLine = nil
        guard expected.readLine(into: &line) else { return }
        while let last = line.last, isCSpace(last) { line.removeLast() }
        expectedLine = line
        expectedLineNumber += 1
        matched = 0
    }

    public func feed(_ chunk: [UInt8]) {
        guard difference == nil else { return }
        pos.begin(chunk)
        var i = 0
        let n = chunk.count
        while i < n {
            let b = chunk[i]
            if b == 0x0A {
                endLine(at: i)
                if difference != nil { return }
                i += 1
            } else if isCSpace(b) {
                space(b, at: i)
                i += 1
            } else {
                if let bad = runMismatch {
                    fail(at: i, "line \(pos.at(i).line) differs", column: bad.column, got: bad.byte)
                    return
                }
                runStart = nil
                var j = i + 1
                while j < n && !isCSpace(chunk[j]) { j += 1 }
                guard let line = expectedLine else {
                    fail(at: i, "extra output after the end of the answer")
                    return
                }
                let length = min(j - i, line.count - matched)
                if let m = ExactComparator.firstDifference(line[matched..<(matched + length)], chunk[i..<(i + length)]) {
                    matched += m
                    fail(at: i + m, "line \(pos.at(i).line) differs", got: chunk[i + m])
                    return
                }
                matched += length
                if length < j - i {
                    fail(at: i + length, "line \(pos.at(i).line) is longer than the answer's", got: chunk[i + length])
                    return
                }
                i = j
            }
        }
        pos.end()
    }

    private func space(_ b: UInt8, at i: Int) {
        if runStart == nil {
            runStart = matched
            runMismatch = nil
        }
        guard runMismatch == nil else { return }
        if let line = expectedLine, matched < line.count, line[matched] == b {
            matched += 1
        } else {
            runMismatch = (pos.at(i).column, b)
        }
    }

    private func endLine(at i: Int) {
        if let start = runStart { matched = start }
        runStart = nil
        runMismatch = nil
        if let line = expectedLine, matched < line.count {
            fail(at: i, "line \(pos.at(i).line) is shorter than the answer's")
            return
        }
        loadLine()
    }

    public func finish() -> Difference? {
        guard difference == nil else { return difference }
        if pos.at(0).column > 1 {
            endLine(at: 0)
            if difference != nil { return difference }
        }
        // Whatever the answer has left must be blank lines.
        while let line = expectedLine {
            if !line.isEmpty {
                fail(at: 0, "output ended before the answer (answer line \(expectedLineNumber))")
                return difference
            }
            loadLine()
        }
        return difference
    }

    private func fail(at i: Int, _ message: String, column: Int? = nil, got b: UInt8? = nil) {
        let c = pos.at(i)
        let exp = expectedLine.map { Array($0[max(0, matched - Excerpt.width / 2)..<min($0.count, matched + Excerpt.width / 2)]) }
        let got = c.prefix + (b.map { [$0] } ?? [])
        difference = Difference(
            line: c.line, column: column ?? c.column, expected: exp.map(Excerpt.render) ?? "(end of answer)",
            got: Excerpt.render(got), message: message)
    }
}
