import Foundation
import Images
import Sandbox
import SystemPackage
import Testing

/// The layer index beside each manifest, what the small front reads for `exec --image`
/// (it reads no JSON): written with the manifest, ignored when it does not match the
/// manifest as it is now, and only plain folder names taken from it.
@Suite("images: the layer index the front starts from")
struct LayerIndexTests {
    let root = FilePath(NSTemporaryDirectory()).appending("proctor-index-\(UUID().uuidString)")

    func manifest(_ name: String, _ digests: [String]) -> ImageManifest {
        ImageManifest(
            name: name, layers: digests.map { .init(digest: "sha256:" + $0, step: "test") }, created: "2026-12-06T00:00:00Z")
    }

    @Test("written with the manifest, the same layers, gone with it")
    func roundTrip() throws {
        let store = ImageStore(root)
        defer { try? FileManager.default.removeItem(atPath: root.string) }
        let m = manifest("img", [String(repeating: "a", count: 64), String(repeating: "b", count: 64)])
        try store.write(m)
        let fromIndex = try #require(store.folder.sandboxImageFromIndex(named: "img"))
        #expect(fromIndex == store.folder.sandboxImage(m))
        #expect(
            fromIndex
                == .layers([
                    store.layerPath("sha256:" + String(repeating: "b", count: 64)),
                    store.layerPath("sha256:" + String(repeating: "a", count: 64)),
                ]))
        // A snapshot-style write (not replacing) writes one too.
        try store.write(manifest("snap", [String(repeating: "c", count: 64)]), replacing: false)
        #expect(store.folder.sandboxImageFromIndex(named: "snap") != nil)
        try store.remove("img")
        #expect(!FileManager.default.fileExists(atPath: store.folder.layerIndexPath("img").string))
        #expect(store.folder.sandboxImageFromIndex(named: "img") == nil)
    }

    @Test("an index that does not match its manifest, or names anything but a folder, is not used")
    func staleOrHostile() throws {
        let store = ImageStore(root)
        defer { try? FileManager.default.removeItem(atPath: root.string) }
        let m = manifest("img", [String(repeating: "a", count: 64)])
        try store.write(m)
        let manifestPath = store.folder.manifestPath("img").string
        let index = store.folder.layerIndexPath("img").string
        // The manifest rewritten behind the index's back (another layer): stale.
        var other = m
        other.layers = [.init(digest: "sha256:" + String(repeating: "d", count: 64), step: "test")]
        try JSONEncoder().encode(other).write(to: URL(fileURLWithPath: manifestPath))
        #expect(store.folder.sandboxImageFromIndex(named: "img") == nil)
        // A matching hash, but a layer line that climbs out of layers/: refused.
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: manifestPath)))
        let good = ImageStoreFolder.layerIndex(manifestBytes: bytes, other)
        #expect(good.hasPrefix("proctor-layers 1 "))
        try good.write(toFile: index, atomically: true, encoding: .utf8)
        #expect(store.folder.sandboxImageFromIndex(named: "img") != nil)
        let header = String(good.split(separator: "\n")[0])
        for bad in ["../../etc", "/etc", "", "A" + String(repeating: "a", count: 63)] {
            try (header + "\n" + bad + "\n").write(toFile: index, atomically: true, encoding: .utf8)
            #expect(store.folder.sandboxImageFromIndex(named: "img") == nil, "\(bad)")
        }
        // No index at all (a store from before indexes): nil, and the manifest decides.
        unlink(index)
        #expect(store.folder.sandboxImageFromIndex(named: "img") == nil)
        #expect(try store.folder.sandboxImage(named: "img") == store.folder.sandboxImage(other))
    }
}
