import Foundation

/// Where the output first differs from the answer, for a report.
public struct Difference: Sendable, Hashable, Codable {
    /// 1-based line and column (in bytes) of the output where it differs.
    public var line: Int
    public var column: Int
    /// Short excerpts around the difference, control characters and invalid UTF-8 escaped.
    public var expected: String
    public var got: String
    /// One or two lines saying what differs.
    public var message: String

    public init(line: Int, column: Int, expected: String, got: String, message: String) {
        self.line = line
        self.column = column
        self.expected = expected
        self.got = got
        self.message = message
    }
}

/// The flags of the Kattis default output validator.
public struct TokenFlags: Sendable, Hashable, Codable {
    public var caseSensitive = false
    public var spaceChangeSensitive = false
    /// A negative tolerance is off (as in the validator: both default to -1).
    public var floatAbsoluteTolerance: Double = -1
    public var floatRelativeTolerance: Double = -1

    public init(caseSensitive: Bool = false, spaceChangeSensitive: Bool = false,
                floatAbsoluteTolerance: Double = -1, floatRelativeTolerance: Double = -1) {
        self.caseSensitive = caseSensitive
        self.spaceChangeSensitive = spaceChangeSensitive
        self.floatAbsoluteTolerance = floatAbsoluteTolerance
        self.floatRelativeTolerance = floatRelativeTolerance
    }

    /// `float_tolerance E`: both tolerances E.
    public static func floatTolerance(_ e: Double) -> TokenFlags {
        TokenFlags(floatAbsoluteTolerance: e, floatRelativeTolerance: e)
    }

    var usesFloats: Bool { floatAbsoluteTolerance >= 0 || floatRelativeTolerance >= 0 }

    /// Parses validator flags as Kattis writes them in `validator_flags`.
    public init(arguments: [String]) throws {
        var i = 0
        func value() throws -> Double {
            i += 1
            guard i < arguments.count, let v = KattisFloat.parse(Array(arguments[i].utf8)) else {
                throw CompareError("\(arguments[i - 1]) needs a finite number")
            }
            return v
        }
        while i < arguments.count {
            switch arguments[i] {
            case "case_sensitive": caseSensitive = true
            case "space_change_sensitive": spaceChangeSensitive = true
            case "float_absolute_tolerance": floatAbsoluteTolerance = try value()
            case "float_relative_tolerance": floatRelativeTolerance = try value()
            case "float_tolerance":
                floatRelativeTolerance = try value()
                floatAbsoluteTolerance = floatRelativeTolerance
            default: throw CompareError("unknown validator flag \(arguments[i])")
            }
            i += 1
        }
    }
}

public struct CompareError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// How output is judged against the answer, without a checker program.
public enum CompareMode: Sendable, Hashable {
    /// Byte for byte.
    case exact
    /// Line by line; whitespace at the end of a line, and blank lines at the end, are ignored.
    case lines
    /// The Kattis default output validator.
    case tokens(TokenFlags)

    /// A comparator for one output against `expected`.
    public func comparator(expected: ByteReader) -> any OutputComparator {
        switch self {
        case .exact: return ExactComparator(expected: expected)
        case .lines: return LineComparator(expected: expected)
        case .tokens(let flags): return TokenComparator(expected: expected, flags: flags)
        }
    }
}

/// Consumes a program's output chunk by chunk (never all of it at once) and says whether it
/// matches. Once `decided` is set, further chunks are ignored: the caller may stop early.
public protocol OutputComparator: AnyObject {
    func feed(_ chunk: [UInt8])
    /// The end of the output: nil when it matches, else the first difference.
    func finish() -> Difference?
    /// A difference was already found.
    var decided: Bool { get }
}

extension OutputComparator {
    /// Compares a whole byte string (tests, small outputs).
    public func compare(_ output: [UInt8]) -> Difference? {
        feed(output)
        return finish()
    }

    /// Consumes an async stream of chunks (an exec's stdout).
    public func consume(_ chunks: AsyncStream<[UInt8]>) async -> Difference? {
        for await chunk in chunks where !decided {
            feed(chunk)
        }
        return finish()
    }
}

/// Kattis's `isspace` in the C locale.
@inline(__always) func isCSpace(_ b: UInt8) -> Bool {
    b == 0x20 || (b >= 0x09 && b <= 0x0D)
}

/// Escapes bytes for an excerpt: printable UTF-8 kept, \n \t \r and \xNN for the rest.
public enum Excerpt {
    public static let width = 48

    public static func render(_ bytes: some Collection<UInt8>) -> String {
        var out = ""
        let array = Array(bytes)
        var i = 0
        while i < array.count {
            let b = array[i]
            switch b {
            case 0x0A: out += "\\n"
            case 0x09: out += "\\t"
            case 0x0D: out += "\\r"
            case 0x5C: out += "\\\\"
            case 0x20..<0x7F: out.unicodeScalars.append(UnicodeScalar(b))
            case 0x80...:
                let n = utf8Length(array, i)
                if n > 0 {
                    out += String(decoding: array[i..<(i + n)], as: UTF8.self)
                    i += n
                    continue
                }
                out += hex(b)
            default: out += hex(b)
            }
            i += 1
        }
        return out
    }

    static func hex(_ b: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return "\\x" + String([digits[Int(b >> 4)], digits[Int(b & 15)]])
    }

    /// The length of a valid UTF-8 sequence at i, or 0.
    static func utf8Length(_ a: [UInt8], _ i: Int) -> Int {
        let b = a[i]
        let n: Int
        switch b {
        case 0xC2...0xDF: n = 2
        case 0xE0...0xEF: n = 3
        case 0xF0...0xF4: n = 4
        default: return 0
        }
        guard i + n <= a.count else { return 0 }
        var ok = true
        String(decoding: a[i..<(i + n)], as: UTF8.self).unicodeScalars.forEach { if $0 == "\u{FFFD}" { ok = false } }
        return ok ? n : 0
    }

    /// A token or line shortened to the excerpt width.
    static func short(_ bytes: [UInt8]) -> String {
        bytes.count > width ? render(bytes.prefix(width)) + "…" : render(bytes)
    }
}

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
                mismatch("output differs from the answer", expected: Array(block[(block.startIndex + m)...].prefix(Excerpt.width / 2)))
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
        return Difference(line: found.line, column: found.column, expected: Excerpt.render(cursor.prefix + found.expected),
                          got: Excerpt.render(cursor.prefix + gotTail), message: found.message)
    }

    private func mismatch(_ message: String, expected exp: [UInt8]) {
        var exp = exp
        if !exp.isEmpty && exp.count < Excerpt.width / 2 { exp += expected.lookahead(Excerpt.width / 2 - exp.count) }
        found = (cursor.line, cursor.column, message, exp)
    }
}

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
        difference = Difference(line: c.line, column: column ?? c.column, expected: exp.map(Excerpt.render) ?? "(end of answer)",
                                got: Excerpt.render(got), message: message)
    }
}

/// `strtod`'s grammar as Kattis's `isfloat` uses it (`sscanf("%lf%10s") == 1`): the whole
/// token is one finite number (leading sign, exponent, hexadecimal floats such as 0x1p3;
/// not inf, nan, nor a value that overflows to them such as 1e400). A token with a NUL byte
/// is not a number: the validator's sscanf stops at the NUL and would read "1\0junk" as 1;
/// Proctor counts the bytes after it as content (see Suites/README.md).
enum KattisFloat {
    static func parse(_ token: [UInt8]) -> Double? {
        guard !token.contains(0) else { return nil }
        let c = token[...]
        guard !c.isEmpty else { return nil }
        var z = c.map { CChar(bitPattern: $0) }
        z.append(0)
        return z.withUnsafeMutableBufferPointer { p -> Double? in
            var end: UnsafeMutablePointer<CChar>? = nil
            let v = strtod(p.baseAddress!, &end)
            guard let end, end != p.baseAddress!, end - p.baseAddress! == c.count else { return nil }
            return v.isFinite ? v : nil
        }
    }

}

/// The Kattis default output validator, step for step, driven by output bytes as they come:
/// tokens are maximal runs of non-space bytes (C `isspace`); a token that is a float in the
/// answer is compared with the tolerances when one is set; others with strcmp or strcasecmp.
/// With space_change_sensitive every whitespace byte must match exactly.
public final class TokenComparator: OutputComparator {
    private enum Phase { case judgeSpace, userSpace, userToken, trailing }

    private let expected: ByteReader
    private let flags: TokenFlags
    @exclusivity(unchecked) private var pos = LazyCursor()
    /// Index in the current chunk of the byte being stepped.
    @exclusivity(unchecked) private var index = 0
    @exclusivity(unchecked) private var phase = Phase.judgeSpace
    private var difference: Difference? {
        didSet { decided = decided || difference != nil }
    }
    @exclusivity(unchecked) private var accepted = false {
        didSet { decided = decided || accepted }
    }
    @exclusivity(unchecked) private var judgeToken: [UInt8] = []
    @exclusivity(unchecked) private var userToken: [UInt8] = []
    @exclusivity(unchecked) private var judgeFloat: Double?
    @exclusivity(unchecked) private var tokenCount = 0
    @exclusivity(unchecked) private var tokenLine = 1
    @exclusivity(unchecked) private var tokenColumn = 1
    // The validator's own counters, for its message.
    @exclusivity(unchecked) private var judgeLine = 1, userLine = 1, userPos = 0
    private static let tokenCap = 1 << 20
    public private(set) var decided = false

    public init(expected: ByteReader, flags: TokenFlags) {
        self.expected = expected
        self.flags = flags
    }

    public func feed(_ chunk: [UInt8]) {
        guard !decided else { return }
        pos.begin(chunk)
        var i = 0
        let n = chunk.count
        while i < n && !decided {
            // Fast paths: the rest of a token, and whitespace between tokens.
            if phase == .userToken {
                var j = i
                while j < n && !isCSpace(chunk[j]) { j += 1 }
                if j > i {
                    let cap = judgeFloat == nil ? judgeToken.count : Self.tokenCap
                    userToken.append(contentsOf: chunk[i..<min(j, i + cap + 1 - min(userToken.count, cap + 1))])
                    i = j
                    // Longer than a non-float answer token: strcmp can only say different.
                    if userToken.count > cap {
                        index = i
                        compareToken()
                    }
                    continue
                }
            } else if phase == .userSpace && !flags.spaceChangeSensitive && isCSpace(chunk[i]) {
                while i < n && isCSpace(chunk[i]) {
                    if chunk[i] == 0x0A { userLine += 1 }
                    userPos += 1
                    i += 1
                }
                continue
            }
            index = i
            step(chunk[i])
            i += 1
        }
        if !decided {
            resolveTokenStart()
            pos.end()
        }
    }

    public func finish() -> Difference? {
        index = 0
        while !decided { step(nil) }
        return difference
    }

    /// One output byte (nil: the end of the output). Returns once the byte is consumed.
    private func step(_ d: UInt8?) {
        while !decided {
            switch phase {
            case .judgeSpace:
                if !flags.spaceChangeSensitive {
                    judgeLine += expected.skipSpaces()
                    phase = .userSpace
                    continue
                }
                guard let c = expected.peek(), isCSpace(c) else {
                    phase = .userSpace
                    continue
                }
                _ = expected.next()
                if c == 0x0A { judgeLine += 1 }
                guard flags.spaceChangeSensitive else { continue }
                if d != c {
                    wrong("Space change error: got \(d.map { Int($0) } ?? -1) expected \(c)",
                          expected: [c], got: d.map { [$0] } ?? [])
                    return
                }
                count(d)
                return
            case .userSpace:
                if let d, isCSpace(d) {
                    if flags.spaceChangeSensitive {
                        wrong("Space change error: judge out of space, got \(d) from user", expected: [], got: [d])
                        return
                    }
                    count(d)
                    return
                }
                guard readJudgeToken() else {
                    if let d {
                        userToken.removeAll(keepingCapacity: true)
                        userToken.append(d)
                        markTokenStart()
                        phase = .trailing
                    } else {
                        accepted = true
                    }
                    return
                }
                guard let d else {
                    let next = "(Next judge token: \(Excerpt.short(judgeToken)))"
                    if tokenCount > 0 {
                        wrong("User EOF while judge had more output\n" + next, expected: judgeToken, got: [])
                    } else if userPos == 0 {
                        wrong("User EOF while judge had more output; user output was empty.\n" + next, expected: judgeToken, got: [])
                    } else {
                        wrong("User EOF while judge had more output; user output contained no tokens.\n" + next, expected: judgeToken, got: [])
                    }
                    return
                }
                userToken.removeAll(keepingCapacity: true)
                userToken.append(d)
                markTokenStart()
                phase = .userToken
                return
            case .userToken:
                if let d, !isCSpace(d) {
                    userToken.append(d)
                    let cap = judgeFloat == nil ? judgeToken.count : Self.tokenCap
                    if userToken.count > cap { compareToken() }
                    return
                }
                compareToken()
                if decided { return }
                userPos += userToken.count
                tokenCount += 1
                phase = .judgeSpace
            case .trailing:
                if let d, !isCSpace(d), userToken.count < Excerpt.width {
                    userToken.append(d)
                    return
                }
                wrong("Trailing output:\n" + Excerpt.short(userToken), expected: [], got: userToken)
                return
            }
        }
    }

    private func count(_ d: UInt8?) {
        if d == 0x0A { userLine += 1 }
        userPos += 1
    }

    /// Where the current token starts: an index in the current chunk until it is needed
    /// (a difference) or the chunk ends.
    private var tokenStart: Int?

    private func markTokenStart() {
        tokenStart = index
    }

    private func resolveTokenStart() {
        guard let start = tokenStart else { return }
        let c = pos.at(start)
        tokenLine = c.line
        tokenColumn = c.column
        tokenStart = nil
    }

    /// `judgeans >> judge`: false at the end of the answer.
    private func readJudgeToken() -> Bool {
        expected.readToken(into: &judgeToken)
        judgeFloat = flags.usesFloats && !judgeToken.isEmpty ? KattisFloat.parse(judgeToken) : nil
        return !judgeToken.isEmpty
    }

    private func compareToken() {
        if let jval = judgeFloat {
            guard userToken.count <= Self.tokenCap, let tval = KattisFloat.parse(userToken) else {
                wrong("Expected float, got: \(Excerpt.short(userToken))", expected: judgeToken, got: userToken)
                return
            }
            let diff = abs(jval - tval)
            if !(diff <= flags.floatAbsoluteTolerance) && !(diff <= flags.floatRelativeTolerance * abs(jval)) {
                let figures = String(format: "Difference: %le\n (abs tol %le rel tol %le)", jval - tval,
                                     flags.floatAbsoluteTolerance, flags.floatRelativeTolerance)
                wrong("Too large difference.\n Judge: \(Excerpt.short(judgeToken))\n User: \(Excerpt.short(userToken))\n " + figures,
                      expected: judgeToken, got: userToken)
            }
            return
        }
        let same = Self.sameToken(judgeToken, userToken, caseSensitive: flags.caseSensitive)
        if !same {
            wrong("String tokens mismatch\nJudge: \"\(Excerpt.short(judgeToken))\"\nUser: \"\(Excerpt.short(userToken))\"",
                  expected: judgeToken, got: userToken)
        }
    }

    /// strcmp (or strcasecmp, ASCII as in the C locale) of two tokens, every byte of them:
    /// the validator's strcmp on c_str() stops at a NUL, so "Hello\0Extra" would equal
    /// "Hello" there. Proctor compares the whole token (as DOMjudge's fixed compare does).
    static func sameToken(_ a: [UInt8], _ b: [UInt8], caseSensitive: Bool) -> Bool {
        guard a.count == b.count else { return false }
        if caseSensitive { return a == b }
        return a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                for i in 0..<pa.count where lower(pa[i]) != lower(pb[i]) { return false }
                return true
            }
        }
    }

    @inline(__always) static func lower(_ b: UInt8) -> UInt8 {
        b >= 0x41 && b <= 0x5A ? b + 32 : b
    }

    private func wrong(_ message: String, expected exp: [UInt8], got: [UInt8]) {
        let inToken = phase == .userToken || phase == .trailing
        resolveTokenStart()
        let c = pos.at(index)
        difference = Difference(
            line: inToken ? tokenLine : c.line, column: inToken ? tokenColumn : c.column,
            expected: exp.isEmpty ? "(end of answer)" : Excerpt.short(exp),
            got: got.isEmpty ? "(end of output)" : Excerpt.short(got),
            message: "Wrong answer on line \(userLine) of output (corresponding to line \(judgeLine) in answer file)\n" + message)
    }
}
