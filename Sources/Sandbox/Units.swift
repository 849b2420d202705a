/// Sizes and durations as people write them: "64M", "1.5G", "500ms", "2s", "1m".
public enum Units {
    /// Bytes from "123", "64K", "64M", "1G" (binary multiples; a trailing "B"/"iB" is allowed).
    public static func bytes(_ text: String) -> Int? {
        var s = Substring(text.trimmingSpaces.uppercased())
        if s.hasSuffix("IB") { s = s.dropLast(2) } else if s.hasSuffix("B") { s = s.dropLast() }
        let multipliers: [Character: Double] = [
            "K": 1024, "M": 1024 * 1024, "G": 1024 * 1024 * 1024, "T": 1024 * 1024 * 1024 * 1024,
        ]
        var factor = 1.0
        if let last = s.last, let m = multipliers[last] {
            factor = m
            s = s.dropLast()
        }
        guard let value = Double(s), value >= 0, value.isFinite else { return nil }
        let bytes = value * factor
        return bytes <= Double(Int.max / 2) ? Int(bytes.rounded()) : nil
    }

    /// A duration from "250ms", "2s", "1.5s", "1m", "100us" or a bare number of seconds.
    public static func duration(_ text: String) -> Duration? {
        let s = text.trimmingSpaces.lowercased()
        let units: [(String, Double)] = [("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where s.hasSuffix(suffix) {
            guard let v = Double(s.dropLast(suffix.count)), v >= 0, v.isFinite else { return nil }
            return .microseconds(Int64((v * scale * 1e6).rounded()))
        }
        guard let v = Double(s), v >= 0, v.isFinite else { return nil }
        return .microseconds(Int64((v * 1e6).rounded()))
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}

/// JSON text for byte strings that may not be UTF-8. Valid UTF-8 is kept; each byte of an
/// invalid sequence becomes "\udcXX" (the surrogate-escape convention: Python decodes it
/// with errors="surrogateescape" back to the exact bytes), so nothing is dropped silently.
public enum JSONText {
    public static func quoted(_ bytes: [UInt8]) -> String {
        var out = "\""
        out.reserveCapacity(bytes.count + 2)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b < 0x80 {
                out += escapeASCII(b)
                i += 1
                continue
            }
            let length = sequenceLength(bytes, i)
            if length > 0 {
                out += String(decoding: bytes[i..<(i + length)], as: UTF8.self)
                i += length
            } else {
                out += "\\udc" + hex2(b)
                i += 1
            }
        }
        return out + "\""
    }

    public static func quoted(_ text: String) -> String { quoted(Array(text.utf8)) }

    /// `v` with six decimals, as C's "%.6f" (without Foundation's String(format:)); a
    /// non-finite value, which JSON cannot hold, is 0.
    public static func fixed6(_ v: Double) -> String {
        guard v.isFinite else { return "0.000000" }
        let micros = (v.magnitude * 1e6).rounded()
        guard micros < 1e18 else { return String(v) }
        let n = UInt64(micros)
        let fraction = String(n % 1_000_000)
        let sign = v < 0 && n > 0 ? "-" : ""
        return sign + String(n / 1_000_000) + "." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }

    private static func escapeASCII(_ b: UInt8) -> String {
        switch b {
        case 0x22: return "\\\""
        case 0x5C: return "\\\\"
        case 0x0A: return "\\n"
        case 0x0D: return "\\r"
        case 0x09: return "\\t"
        case 0x08: return "\\b"
        case 0x0C: return "\\f"
        case 0..<0x20, 0x7F: return "\\u00" + hex2(b)
        default: return String(UnicodeScalar(b))
        }
    }

    private static func hex2(_ b: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(b >> 4)], digits[Int(b & 15)]])
    }

    /// The length of a valid UTF-8 sequence starting at i, or 0.
    static func sequenceLength(_ bytes: [UInt8], _ i: Int) -> Int {
        let b = bytes[i]
        let (length, minimum): (Int, UInt32)
        switch b {
        case 0xC2...0xDF: (length, minimum) = (2, 0x80)
        case 0xE0...0xEF: (length, minimum) = (3, 0x800)
        case 0xF0...0xF4: (length, minimum) = (4, 0x10000)
        default: return 0
        }
        guard i + length <= bytes.count else { return 0 }
        var scalar = UInt32(b) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        for k in 1..<length {
            let c = bytes[i + k]
            guard c & 0xC0 == 0x80 else { return 0 }
            scalar = scalar << 6 | UInt32(c & 0x3F)
        }
        guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else { return 0 }
        return length
    }
}
