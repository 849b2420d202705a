import Testing

@testable import Grading

@Suite("BuildCache: digest keys, bounded in bytes")
struct BuildCacheTests {
    static let c = LanguageTable().language(id: "c")!

    static func build(_ size: Int) -> Build {
        Build(language: c, files: [BuildFile(path: "solution", bytes: Array(repeating: 1, count: size), mode: 0o755)])
    }

    @Test("keys differ for sources that differ only in invalid UTF-8, in the language, or in options")
    func keys() {
        let a = BuildCache.key(language: Self.c, code: [0x22, 0xFF, 0x22])
        let b = BuildCache.key(language: Self.c, code: [0x22, 0xFE, 0x22])
        #expect(a != b)
        #expect(a == BuildCache.key(language: Self.c, code: [0x22, 0xFF, 0x22]))
        var other = Self.c
        other.compile = (other.compile ?? []) + ["-DX"]
        #expect(a != BuildCache.key(language: other, code: [0x22, 0xFF, 0x22]))
        #expect(a != BuildCache.key(language: Self.c, code: [0x22, 0xFF, 0x22], options: ["-O0"]))
        // Field boundaries are length-prefixed: moving bytes between fields changes the key.
        #expect(
            BuildCache.key(language: Self.c, code: [], options: ["ab", "c"])
                != BuildCache.key(language: Self.c, code: [], options: ["a", "bc"]))
    }

    @Test("bounded in bytes: the least recently used build goes first; an oversized one is not kept")
    func bounded() {
        let cache = BuildCache(maxBytes: 1000, maxEntries: 100)
        let keys = (0..<4).map { BuildCache.key(language: Self.c, code: [UInt8($0)]) }
        cache.insert(Self.build(200), for: keys[0])
        cache.insert(Self.build(200), for: keys[1])
        cache.insert(Self.build(200), for: keys[2])
        #expect(cache.build(for: keys[0]) != nil)  // now most recently used
        cache.insert(Self.build(240), for: keys[3])
        cache.insert(Self.build(240), for: BuildCache.key(language: Self.c, code: [9]))
        #expect(cache.usage.bytes <= 1000)
        #expect(cache.build(for: keys[1]) == nil)
        #expect(cache.build(for: keys[0]) != nil)
        cache.insert(Self.build(600), for: BuildCache.key(language: Self.c, code: [10]))
        #expect(cache.build(for: BuildCache.key(language: Self.c, code: [10])) == nil)
    }

    @Test("bounded in entries")
    func entries() {
        let cache = BuildCache(maxBytes: 1 << 20, maxEntries: 3)
        for i in 0..<10 { cache.insert(Self.build(1), for: BuildCache.key(language: Self.c, code: [UInt8(i)])) }
        #expect(cache.usage.entries == 3)
    }
}
