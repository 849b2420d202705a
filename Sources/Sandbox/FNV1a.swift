/// FNV-1a, 64 bits: a checksum of files Proctor writes for itself and reads back (the
/// seccomp cache, the image store's layer index), not a defence against an attacker: both
/// live in root's folders.
enum FNV1a {
    static func hash(_ bytes: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }

    /// The hash as 16 lowercase hex digits (a file name, a line of text).
    static func hex(_ bytes: [UInt8]) -> String {
        let hex = String(hash(bytes), radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
