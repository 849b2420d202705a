import Crypto
import Foundation
import Sandbox
import SystemPackage

extension Sandbox {
    /// Turns what the sandbox wrote to its image (its writable layer: the workdir, and any
    /// other file it could write) into image `name`: the sandbox's image's layers with a
    /// copy of that layer on top (Modal's snapshot_filesystem). The sandbox goes on running;
    /// what it writes during the copy may or may not be in the snapshot. Files the sandbox
    /// owned become root's (later sandboxes run under other uids: they read them, and can
    /// replace them in the workdir). /tmp and /dev/shm are not in it: they are not the
    /// image's.
    ///
    /// Not `replacing`: an image of that name already there is an `.exists` error, before
    /// anything is copied and again, atomically, when the manifest is written (the server's
    /// snapshots never replace an image). Only the writable layer is copied, as `LayerCopy`
    /// copies an untrusted tree: symlinks as symlinks, devices, FIFOs and sockets left out.
    ///
    /// `owner`: who made it, kept in the manifest (the server's token name).
    public func snapshot(name: String, store: ImageStore = ImageStore(), replacing: Bool = true, owner: String? = nil)
        async throws -> ImageManifest
    {
        guard ImageStoreFolder.isValidName(name) else { throw ImageError(.invalidRecipe, "\"\(name)\" is not an image name") }
        if !replacing, store.contains(name) { throw ImageError(.exists, "an image named \(name) exists already") }
        guard case .layers(let paths) = configuration.image, let upper = writableLayer else {
            throw ImageError(.store, "snapshot: sandbox \(id) was not started from an image (SandboxConfiguration.Image.layers)")
        }
        guard !isTerminated else { throw ImageError(.store, "snapshot: sandbox \(id) is terminated") }
        let below = Self.layers(of: paths, store: store)
        let stage = try store.temporaryFolder("snapshot")
        defer { try? ImageStore.removeTree(stage) }
        let layerFolder = stage.appending("layer")
        let uid = self.uid
        // Off Swift's cooperative pool: a copy of up to the layer's size (a server's threads).
        let bytes = try await Blocking.run {
            var copy = LayerCopy(uid: uid)
            try copy.copy(from: upper, to: layerFolder)
            return copy.bytes
        }
        let seed = (below.last?.digest ?? "") + "\n" + id + "\n" + UUID().uuidString
        let digest = "sha256:" + SHA256.hash(data: Data(seed.utf8)).map { String(format: "%02x", $0) }.joined()
        _ = try store.install(layerFolder, as: digest)
        let parent = store.imageName(top: below.last?.digest)
        let manifest = ImageManifest(
            name: name,
            layers: below + [
                .init(digest: digest, step: "snapshot of sandbox \(id)" + (parent.map { " (\($0))" } ?? ""), size: bytes)
            ],
            created: ImageStore.now(), parent: parent, owner: owner)
        do {
            try store.write(manifest, replacing: replacing)
        } catch let e as ImageError where e.code == .exists {
            // Another snapshot took the name meanwhile: this one's layer (its own digest) goes.
            try? ImageStore.removeTree(store.layerPath(digest))
            throw e
        }
        return manifest
    }

    /// The manifest layers of a sandbox's layer folders (top first), described as the
    /// store's images describe them.
    static func layers(of paths: [FilePath], store: ImageStore) -> [ImageManifest.Layer] {
        let known = Dictionary(
            ((try? store.manifests()) ?? []).flatMap(\.layers).map { ($0.folderName, $0) },
            uniquingKeysWith: { a, _ in a })
        return paths.reversed().map { path in
            let hex = path.lastComponent?.string ?? ""
            return known[hex] ?? .init(digest: "sha256:" + hex, step: "layer \(path)")
        }
    }
}

extension ImageStore {
    /// The name of an image whose top layer is `digest`.
    func imageName(top digest: String?) -> String? {
        guard let digest else { return nil }
        return (try? manifests())?.first { $0.layers.last?.digest == digest }?.name
    }
}
