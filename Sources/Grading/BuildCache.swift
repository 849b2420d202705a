import Crypto
import Images
import Sandbox
import Synchronization

/// Builds already made, so a program sent again (a resubmission, the same sample twice)
/// is not compiled again.
///
/// Keyed by the SHA-256 of the exact source bytes and of everything about the language
/// that shapes the build (compile and run commands, file name, environment, binds), each
/// field length-prefixed: two programs that differ in one byte, valid UTF-8 or not, never
/// share a build, and no choice of field contents can make two keys' inputs run together.
/// Bounded in bytes (the builds' files) as well as in entries; least recently used go first.
public final class BuildCache: Sendable {
    public typealias Key = SHA256Digest

    private struct Entry {
        var build: Build
        var bytes: Int
        var lastUse: UInt64
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var bytes = 0
        var clock: UInt64 = 0
    }

    public let maxBytes: Int
    public let maxEntries: Int
    private let state = Mutex(State())

    public init(maxBytes: Int = 256 << 20, maxEntries: Int = 1024) {
        self.maxBytes = maxBytes
        self.maxEntries = maxEntries
    }

    /// The key of `code` built as `language` (with `options`, e.g. extra compiler flags).
    public static func key(language: Language, code: [UInt8], options: [String] = []) -> Key {
        var hasher = SHA256()
        func field(_ bytes: some Collection<UInt8>) {
            withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { hasher.update(bufferPointer: $0) }
            hasher.update(data: Array(bytes))
        }
        func list(_ items: [String]) {
            field(Array(String(items.count).utf8))
            for item in items { field(item.utf8) }
        }
        list([language.id, language.fileName])
        list(language.compile ?? ["(interpreted)"])
        list(language.run)
        list(language.binds)
        list(language.environment.sorted { $0.key < $1.key }.flatMap { [$0.key, $0.value] })
        if let image = language.image {
            // Built in an image: its store, its name, and what it is now (its top layer), so
            // a build in one image is never served for another or for the host.
            let top = (try? language.images.manifest(named: image))?.layers.last?.digest ?? ""
            list(["image", language.images.root.string, image, top])
        }
        list(options)
        field(code)
        return hasher.finalize()
    }

    /// The cached build for `key`, if there is one.
    public func build(for key: Key) -> Build? {
        state.withLock { s in
            guard var e = s.entries[key] else { return nil }
            s.clock += 1
            e.lastUse = s.clock
            s.entries[key] = e
            return e.build
        }
    }

    /// Keeps `build`, dropping the least recently used builds past the bounds. A build larger
    /// than a quarter of the byte bound is not kept (it would flush everything else).
    public func insert(_ build: Build, for key: Key) {
        let size = build.files.reduce(0) { $0 + $1.bytes.count + $1.path.utf8.count }
        guard size <= maxBytes / 4 else { return }
        state.withLock { s in
            if let old = s.entries[key] { s.bytes -= old.bytes }
            s.clock += 1
            s.entries[key] = Entry(build: build, bytes: size, lastUse: s.clock)
            s.bytes += size
            while s.bytes > maxBytes || s.entries.count > maxEntries {
                guard let oldest = s.entries.min(by: { $0.value.lastUse < $1.value.lastUse }) else { break }
                s.bytes -= oldest.value.bytes
                s.entries[oldest.key] = nil
            }
        }
    }

    /// What the cache holds now: entries and bytes.
    public var usage: (entries: Int, bytes: Int) {
        state.withLock { ($0.entries.count, $0.bytes) }
    }
}
