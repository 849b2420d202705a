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

    var prefix: [UInt8] { Array(lineTail.suffix(Excerpt.width / 2)) }
}

/// Byte-for-byte comparison.
public final class ExactComparator: OutputComparator {
    private let expected: ByteReader
    private var cursor = Cursor()
    private var found: (line: Int, column: Int, message: String, expected: [UInt8])?
    /// Output from the difference on, kept for the excerpt.
    private var gotTail: [UInt8] = []
    private var difference: Difference?
    public var decided: Bool { found != nil && gotTail.count >= Excerpt.width / 2 }

    public init(expected: ByteReader) {
        self.expected = expected
    }

    public func feed(_ chunk: [UInt8]) {
        guard found == nil else {
            gotTail += chunk.prefix(Excerpt.width / 2 - gotTail.count)
            return
        }
        for (k, b) in chunk.enumerated() {
            guard let e = expected.next() else {
                mismatch("extra output after the end of the answer", expectedByte: nil)
                gotTail = Array(chunk[k...].prefix(Excerpt.width / 2))
                return
            }
            if e != b {
                mismatch("output differs from the answer", expectedByte: e)
                gotTail = Array(chunk[k...].prefix(Excerpt.width / 2))
                return
            }
            cursor.advance(b)
        }
    }

    public func finish() -> Difference? {
        if found == nil, let e = expected.next() {
            mismatch("output ended before the answer", expectedByte: e)
        }
        guard let found else { return nil }
        return Difference(line: found.line, column: found.column, expected: Excerpt.render(cursor.prefix + found.expected),
                          got: Excerpt.render(cursor.prefix + gotTail), message: found.message)
    }

    private func mismatch(_ message: String, expectedByte: UInt8?) {
        let exp = expectedByte.map { [$0] + expected.lookahead(Excerpt.width / 2 - 1) } ?? []
        found = (cursor.line, cursor.column, message, exp)
    }
}

/// Line by line: trailing whitespace of each line, and blank lines at the end, ignored.
/// The answer is read one line at a time; the output is matched byte by byte against it,
/// a run of whitespace held back until a later byte on the line shows it is not trailing.
public final class LineComparator: OutputComparator {
    private let expected: ByteReader
    private var cursor = Cursor()
    private var difference: Difference?
    /// The current answer line without its trailing whitespace; nil past the answer's end.
    private var expectedLine: [UInt8]?
    private var expectedLineNumber = 0
    private var matched = 0
    private var pendingSpace: [UInt8] = []
    private var lineHasBytes = false
    public var decided: Bool { difference != nil }

    public init(expected: ByteReader) {
        self.expected = expected
        loadLine()
    }

    private func loadLine() {
        guard expected.peek() != nil else {
            expectedLine = nil
            return
        }
        var line: [UInt8] = []
        while let b = expected.next(), b != 0x0A { line.append(b) }
        while let last = line.last, isCSpace(last) { line.removeLast() }
        expectedLine = line
        expectedLineNumber += 1
        matched = 0
    }

    public func feed(_ chunk: [UInt8]) {
        guard difference == nil else { return }
        for b in chunk {
            if b == 0x0A {
                endLine()
                if difference != nil { return }
            } else if isCSpace(b) {
                pendingSpace.append(b)
                if pendingSpace.count > 1 << 20 { flushSpace() }
                lineHasBytes = true
            } else {
                lineHasBytes = true
                flushSpace()
                take(b)
            }
            if difference != nil { return }
            cursor.advance(b)
        }
    }

    private func flushSpace() {
        let start = cursor.column - pendingSpace.count
        for (k, s) in pendingSpace.enumerated() where difference == nil { take(s, column: start + k) }
        pendingSpace.removeAll(keepingCapacity: true)
    }

    private func take(_ b: UInt8, column: Int? = nil) {
        guard difference == nil else { return }
        guard let line = expectedLine else {
            fail("extra output after the end of the answer")
            return
        }
        if matched < line.count && line[matched] == b {
            matched += 1
        } else {
            fail(matched < line.count ? "line \(cursor.line) differs" : "line \(cursor.line) is longer than the answer's",
                 got: b, column: column)
        }
    }

    private func endLine() {
        pendingSpace.removeAll(keepingCapacity: true)
        if let line = expectedLine {
            if matched < line.count {
                fail("line \(cursor.line) is shorter than the answer's")
                return
            }
        }
        lineHasBytes = false
        loadLine()
    }

    public func finish() -> Difference? {
        guard difference == nil else { return difference }
        if lineHasBytes || cursor.column > 1 {
            pendingSpace.removeAll()
            if let line = expectedLine, matched < line.count {
                fail("line \(cursor.line) is shorter than the answer's")
                return difference
            }
            loadLine()
        }
        // Whatever the answer has left must be blank lines.
        while let line = expectedLine {
            if !line.isEmpty {
                fail("output ended before the answer (answer line \(expectedLineNumber))")
                return difference
            }
            loadLine()
        }
        return difference
    }

    private func fail(_ message: String, got b: UInt8? = nil, column: Int? = nil) {
        let exp = expectedLine.map { Array($0[max(0, matched - Excerpt.width / 2)..<min($0.count, matched + Excerpt.width / 2)]) }
        let got = cursor.prefix + pendingSpace.prefix(Excerpt.width / 4) + (b.map { [$0] } ?? [])
        difference = Difference(line: cursor.line, column: column ?? cursor.column, expected: exp.map(Excerpt.render) ?? "(end of answer)",
                                got: Excerpt.render(got), message: message)
    }
}

/// `strtod`'s grammar as Kattis's `isfloat` uses it (`sscanf("%lf%10s") == 1`): the whole
/// token (up to a NUL) is one finite number, hexadecimal floats included.
enum KattisFloat {
    static func parse(_ token: [UInt8]) -> Double? {
        let c = cString(token)
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

    /// What a C string function sees of a token: up to its first NUL byte.
    static func cString(_ token: [UInt8]) -> ArraySlice<UInt8> {
        token.firstIndex(of: 0).map { token[..<$0] } ?? token[...]
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
    private var cursor = Cursor()
    private var phase = Phase.judgeSpace
    private var difference: Difference?
    private var accepted = false
    private var judgeToken: [UInt8] = []
    private var userToken: [UInt8] = []
    private var judgeFloat: Double?
    private var tokenCount = 0
    private var tokenLine = 1
    private var tokenColumn = 1
    // The validator's own counters, for its message.
    private var judgeLine = 1, userLine = 1, userPos = 0
    private static let tokenCap = 1 << 20
    public var decided: Bool { difference != nil || accepted }

    public init(expected: ByteReader, flags: TokenFlags) {
        self.expected = expected
        self.flags = flags
    }

    public func feed(_ chunk: [UInt8]) {
        for b in chunk {
            if decided { return }
            step(b)
            cursor.advance(b)
        }
    }

    public func finish() -> Difference? {
        while !decided { step(nil) }
        return difference
    }

    /// One output byte (nil: the end of the output). Returns once the byte is consumed.
    private func step(_ d: UInt8?) {
        while !decided {
            switch phase {
            case .judgeSpace:
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
                        userToken = [d]
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
                userToken = [d]
                markTokenStart()
                phase = .userToken
                return
            case .userToken:
                if let d, !isCSpace(d) {
                    userToken.append(d)
                    let cap = judgeFloat == nil ? judgeToken.count : Self.tokenCap
                    // Longer than a non-float answer token: strcmp can only say different.
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

    private func markTokenStart() {
        tokenLine = cursor.line
        tokenColumn = cursor.column
    }

    /// `judgeans >> judge`: false at the end of the answer.
    private func readJudgeToken() -> Bool {
        judgeToken.removeAll(keepingCapacity: true)
        while let c = expected.peek(), !isCSpace(c) {
            judgeToken.append(c)
            _ = expected.next()
        }
        judgeFloat = flags.usesFloats && !judgeToken.isEmpty ? KattisFloat.parse(judgeToken) : nil
        return !judgeToken.isEmpty
    }

    private func compareToken() {
        if let jval = judgeFloat {
            guard let tval = KattisFloat.parse(userToken) else {
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
        let j = KattisFloat.cString(judgeToken)
        let t = KattisFloat.cString(userToken)
        let same = flags.caseSensitive
            ? j.elementsEqual(t)
            : j.count == t.count && zip(j, t).allSatisfy { lower($0) == lower($1) }
        if !same {
            wrong("String tokens mismatch\nJudge: \"\(Excerpt.short(judgeToken))\"\nUser: \"\(Excerpt.short(userToken))\"",
                  expected: judgeToken, got: userToken)
        }
    }

    private func lower(_ b: UInt8) -> UInt8 {
        b >= 0x41 && b <= 0x5A ? b + 32 : b
    }

    private func wrong(_ message: String, expected exp: [UInt8], got: [UInt8]) {
        let inToken = phase == .userToken || phase == .trailing
        difference = Difference(
            line: inToken ? tokenLine : cursor.line, column: inToken ? tokenColumn : cursor.column,
            expected: exp.isEmpty ? "(end of answer)" : Excerpt.short(exp),
            got: got.isEmpty ? "(end of output)" : Excerpt.short(got),
            message: "Wrong answer on line \(userLine) of output (corresponding to line \(judgeLine) in answer file)\n" + message)
    }
}
