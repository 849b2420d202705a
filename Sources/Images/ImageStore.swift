import Foundation
import Sandbox
import SystemPackage

/// The image store: layer folders named by digest, manifests naming them, and the build
/// cache that falls out of that (a layer whose digest is there is not built again).
/// Default folder /var/lib/proctor/images, or $PROCTOR_IMAGES (see `ImageStoreFolder`).
public struct ImageStore: Sendable {
    public let folder: ImageStoreFolder

    public init(_ root: FilePath = ImageStoreFolder.defaultRoot) {
        folder = ImageStoreFolder(root)
    }

    /// An image in `list`.
    public struct Entry: Sendable, Hashable {
        public var manifest: ImageManifest
        /// Bytes of its layers (shared ones counted in each image that has them).
        public var size: Int
    }

    /// Makes the store's folders (mode 0700: layers hold setuid files, see `ImageStoreFolder`).
    public func prepare() throws {
        for path in [folder.root, folder.layersFolder, folder.imagesFolder, folder.temporaryFolder] {
            do {
                try FileManager.default.createDirectory(
                    atPath: path.string, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw ImageError(.store, "cannot make \(path): \(error.localizedDescription)")
            }
        }
        chmod(folder.root.string, 0o700)
    }

    public func manifest(named name: String) throws -> ImageManifest {
        guard FileManager.default.fileExists(atPath: folder.manifestPath(name).string) else {
            throw ImageError(.notFound, "no image \(name) in \(folder.root)")
        }
        do {
            return try folder.manifest(named: name)
        } catch {
            throw ImageError(.store, "\(error)")
        }
    }

    public func hasLayer(_ digest: String) -> Bool {
        FileManager.default.fileExists(atPath: layerPath(digest).string)
    }

    public func layerPath(_ digest: String) -> FilePath {
        folder.layerPath(.init(digest: digest, step: ""))
    }

    /// Writes a manifest (atomically: a temporary file renamed over the old one). Not
    /// `replacing`: an image of that name already there is an `.exists` error, decided by
    /// link(2) so that of two writers racing for one name exactly one wins.
    public func write(_ manifest: ImageManifest, replacing: Bool = true) throws {
        guard ImageStoreFolder.isValidName(manifest.name) else {
            throw ImageError(.store, "\"\(manifest.name)\" is not an image name")
        }
        try prepare()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let target = folder.manifestPath(manifest.name)
        let data: Data
        do {
            data = try encoder.encode(manifest)
            if replacing {
                try data.write(to: URL(fileURLWithPath: target.string), options: .atomic)
                try writeLayerIndex(manifest, data)
                return
            }
        } catch let error as ImageError {
            throw error
        } catch {
            throw ImageError(.store, "cannot write the manifest of \(manifest.name): \(error.localizedDescription)")
        }
        // Not ending in .json: `list` never reads it half written.
        let temporary = folder.imagesFolder.appending(".new-\(UUID().uuidString.lowercased())")
        defer { unlink(temporary.string) }
        do {
            try data.write(to: URL(fileURLWithPath: temporary.string))
        } catch {
            throw ImageError(.store, "cannot write the manifest of \(manifest.name): \(error.localizedDescription)")
        }
        guard link(temporary.string, target.string) == 0 else {
            if errno == EEXIST { throw ImageError(.exists, "an image named \(manifest.name) exists already") }
            throw ImageError(.store, "cannot write the manifest of \(manifest.name): \(String(cString: strerror(errno)))")
        }
        try writeLayerIndex(manifest, data)
    }

    /// The layer index beside a manifest just written (`ImageStoreFolder.layerIndexPath`),
    /// atomically. It names the manifest's bytes by hash, so an index that lags behind its
    /// manifest (a writer between the two renames, a store from an older version without
    /// indexes) is not used: Sandbox then falls back to the manifest.
    private func writeLayerIndex(_ manifest: ImageManifest, _ data: Data) throws {
        let text = ImageStoreFolder.layerIndex(manifestBytes: Array(data), manifest)
        do {
            try Data(text.utf8).write(
                to: URL(fileURLWithPath: folder.layerIndexPath(manifest.name).string), options: .atomic)
        } catch {
            throw ImageError(.store, "cannot write the layer index of \(manifest.name): \(error.localizedDescription)")
        }
    }

    /// True when an image of that name is in the store.
    public func contains(_ name: String) -> Bool {
        ImageStoreFolder.isValidName(name) && FileManager.default.fileExists(atPath: folder.manifestPath(name).string)
    }

    /// Every image's manifest, by name: what a caller that needs no sizes reads (`list`
    /// measures, on disk, every layer whose manifest has no size).
    public func manifests() throws -> [ImageManifest] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.imagesFolder.string)) ?? []
        return try names.filter { $0.hasSuffix(".json") }.sorted().map { try manifest(named: String($0.dropLast(5))) }
    }

    /// Every image, by name, with its size.
    public func list() throws -> [Entry] {
        var measured: [String: Int] = [:]
        return try manifests().map { Entry(manifest: $0, size: size(of: $0, measured: &measured)) }
    }

    /// Bytes of an image's layers: as its manifest records them, else measured on disk (once
    /// per layer in `measured`).
    public func size(of manifest: ImageManifest, measured: inout [String: Int]) -> Int {
        manifest.layers.reduce(0) { total, layer in
            if let known = layer.size { return total + known }
            let bytes = measured[layer.digest] ?? Self.size(of: folder.layerPath(layer))
            measured[layer.digest] = bytes
            return total + bytes
        }
    }

    /// Removes an image's manifest; its layers stay until `prune` (another image or the
    /// build cache may use them).
    public func remove(_ name: String) throws {
        guard ImageStoreFolder.isValidName(name), FileManager.default.fileExists(atPath: folder.manifestPath(name).string)
        else { throw ImageError(.notFound, "no image \(name) in \(folder.root)") }
        // The index first: without it, a start reads the manifest (or finds none).
        unlink(folder.layerIndexPath(name).string)
        do {
            try FileManager.default.removeItem(atPath: folder.manifestPath(name).string)
        } catch {
            throw ImageError(.store, "cannot remove \(name): \(error.localizedDescription)")
        }
    }

    /// Removes one layer unless an image names it or it is in `inUse` (folder names of
    /// layers live sandboxes are mounted on). Unlike `prune`, it leaves every other layer
    /// alone, a build's cached steps and one being installed among them.
    public func removeLayerIfUnused(_ layer: ImageManifest.Layer, inUse: Set<String> = []) throws {
        guard !inUse.contains(layer.folderName) else { return }
        let named = Set(try manifests().flatMap { $0.layers.map(\.folderName) })
        if !named.contains(layer.folderName) { try? Self.removeTree(folder.layerPath(layer)) }
    }

    /// Removes every layer no image names (the cache of steps no recipe uses any more) and
    /// what interrupted builds left in tmp/ (an hour old or more). Returns the removed layers' digests and bytes.
    @discardableResult
    public func prune() throws -> (layers: [String], bytes: Int) {
        let used = Set(try manifests().flatMap { $0.layers.map(\.folderName) })
        var removed: [String] = []
        var bytes = 0
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: folder.layersFolder.string)) ?? [] where !used.contains(name) {
            let path = folder.layersFolder.appending(name).string
            bytes += Self.size(of: FilePath(path))
            try? fm.removeItem(atPath: path)
            removed.append("sha256:" + name)
        }
        // Only what is an hour old: a build running now keeps its folder.
        for name in (try? fm.contentsOfDirectory(atPath: folder.temporaryFolder.string)) ?? [] {
            let path = folder.temporaryFolder.appending(name)
            var st = stat()
            if lstat(path.string, &st) == 0, time(nil) - st.st_mtim.tv_sec > 3600 { try? Self.removeTree(path) }
        }
        return (removed.sorted(), bytes)
    }

    /// Apparent bytes of the regular files under a folder (symlinks not followed).
    public static func size(of path: FilePath) -> Int {
        guard let walker = FileManager.default.enumerator(atPath: path.string) else { return 0 }
        var total = 0
        while let relative = walker.nextObject() as? String {
            var st = stat()
            if lstat(path.string + "/" + relative, &st) == 0, st.st_mode & S_IFMT == S_IFREG { total += Int(st.st_size) }
        }
        return total
    }

    /// rm -rf, never following a symlink; overlayfs's work folders (mode 000 "work/work")
    /// are root's to remove like any other.
    static func removeTree(_ path: FilePath) throws {
        var st = stat()
        guard lstat(path.string, &st) == 0 else { return }
        try FileManager.default.removeItem(atPath: path.string)
    }

    /// A fresh folder under tmp/ for a build or a snapshot.
    func temporaryFolder(_ prefix: String) throws -> FilePath {
        try prepare()
        let path = folder.temporaryFolder.appending("\(prefix)-\(UUID().uuidString.lowercased())")
        guard mkdir(path.string, 0o700) == 0 else {
            throw ImageError(.store, "cannot make \(path): \(String(cString: strerror(errno)))")
        }
        return path
    }

    /// Moves a finished layer into place. False when another build put the same digest
    /// there first (its layer is kept; ours is dropped).
    func install(_ source: FilePath, as digest: String) throws -> Bool {
        let target = layerPath(digest)
        if rename(source.string, target.string) == 0 { return true }
        if errno == ENOTEMPTY || errno == EEXIST {
            try? Self.removeTree(source)
            return false
        }
        throw ImageError(.store, "cannot move the layer to \(target): \(String(cString: strerror(errno)))")
    }

    static func now() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: Date())
    }
}
