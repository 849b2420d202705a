import Foundation

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
