import Foundation

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
                    wrong(
                        "Space change error: got \(d.map { Int($0) } ?? -1) expected \(c)",
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
                        wrong(
                            "User EOF while judge had more output; user output was empty.\n" + next, expected: judgeToken, got: []
                        )
                    } else {
                        wrong(
                            "User EOF while judge had more output; user output contained no tokens.\n" + next,
                            expected: judgeToken, got: [])
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
                let figures = String(
                    format: "Difference: %le\n (abs tol %le rel tol %le)", jval - tval,
                    flags.floatAbsoluteTolerance, flags.floatRelativeTolerance)
                wrong(
                    "Too large difference.\n Judge: \(Excerpt.short(judgeToken))\n User: \(Excerpt.short(userToken))\n "
                        + figures,
                    expected: judgeToken, got: userToken)
            }
            return
        }
        let same = Self.sameToken(judgeToken, userToken, caseSensitive: flags.caseSensitive)
        if !same {
            wrong(
                "String tokens mismatch\nJudge: \"\(Excerpt.short(judgeToken))\"\nUser: \"\(Excerpt.short(userToken))\"",
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
