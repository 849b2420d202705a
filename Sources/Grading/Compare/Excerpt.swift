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
