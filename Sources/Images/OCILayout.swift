import CSandbox
import Crypto
import Foundation
import Sandbox
import SystemPackage

/// Images to and from an OCI image layout in a tar (what `docker buildx build --output
/// type=oci`, skopeo and podman write and read), so that an image built from a Dockerfile can
/// start a sandbox. Layers are gzip'd tars whose deletions are OCI whiteouts (`.wh.NAME`,
/// `.wh..wh..opq`); in the store they are overlayfs's (a character device 0/0, the xattr
/// trusted.overlay.opaque=y). GNU tar extracts (as root, owners kept): it refuses members
/// with ".." or a leading "/", and writes no file through a symlink the archive made.
public struct OCILayout: Sendable {
    public let store: ImageStore

    public init(store: ImageStore = ImageStore()) {
        self.store = store
    }

    static let opaqueName = ".wh..wh..opq"
    static let opaqueXattr = "trusted.overlay.opaque"

    // MARK: export

    /// Writes image `name` as an OCI image layout tar at `output`.
    public func export(_ name: String, to output: FilePath) throws {
        let manifest = try store.manifest(named: name)
        let work = try store.temporaryFolder("oci-export")
        defer { try? ImageStore.removeTree(work) }
        let blobs = work.appending("layout/blobs/sha256")
        try FileManager.default.createDirectory(atPath: blobs.string, withIntermediateDirectories: true)
        var layers: [[String: Any]] = []
        var diffIDs: [String] = []
        for (i, layer) in manifest.layers.enumerated() {
            let tree = work.appending("tree\(i)")
            // A hard-linked copy, in which whiteouts become OCI's: the layer itself is not touched.
            try Self.tool("/bin/cp", ["-al", store.layerPath(layer.digest).string, tree.string])
            try Self.toOCIWhiteouts(tree.string)
            let tar = work.appending("layer\(i).tar")
            try Self.tool(
                "/bin/tar",
                [
                    "--numeric-owner", "--xattrs", "--xattrs-include=security.capability", "-C", tree.string, "-cf", tar.string,
                    ".",
                ])
            diffIDs.append("sha256:" + (try Self.sha256(file: tar)))
            try Self.tool("/bin/gzip", ["-n", tar.string])
            let gz = FilePath(tar.string + ".gz")
            let digest = try Self.sha256(file: gz)
            try FileManager.default.moveItem(atPath: gz.string, toPath: blobs.appending(digest).string)
            layers.append([
                "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha256:" + digest,
                "size": Self.fileSize(blobs.appending(digest)),
            ])
        }
        let config: [String: Any] = [
            "architecture": "amd64", "os": "linux", "created": manifest.created,
            "config": ["Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]],
            "rootfs": ["type": "layers", "diff_ids": diffIDs],
            "history": manifest.layers.map { ["created_by": $0.step] },
        ]
        let configDescriptor = try Self.writeBlob(config, to: blobs, mediaType: "application/vnd.oci.image.config.v1+json")
        let ociManifest: [String: Any] = [
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": configDescriptor, "layers": layers,
        ]
        var manifestDescriptor = try Self.writeBlob(
            ociManifest, to: blobs, mediaType: "application/vnd.oci.image.manifest.v1+json")
        manifestDescriptor["annotations"] = ["org.opencontainers.image.ref.name": name]
        let layout = work.appending("layout")
        try Data(#"{"imageLayoutVersion": "1.0.0"}"#.utf8).write(to: URL(fileURLWithPath: layout.appending("oci-layout").string))
        try JSONSerialization.data(
            withJSONObject: ["schemaVersion": 2, "manifests": [manifestDescriptor]], options: [.sortedKeys]
        )
        .write(to: URL(fileURLWithPath: layout.appending("index.json").string))
        try Self.tool("/bin/tar", ["-C", layout.string, "-cf", output.string, "oci-layout", "index.json", "blobs"])
    }

    /// Overlayfs whiteouts to OCI's, in a tree of our own (hard links: replaced, never written).
    static func toOCIWhiteouts(_ root: String) throws {
        guard let walker = FileManager.default.enumerator(atPath: root) else { return }
        var whiteouts: [String] = []
        var opaque: [String] = []
        while let relative = walker.nextObject() as? String {
            let path = root + "/" + relative
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            if st.st_mode & S_IFMT == S_IFCHR && st.st_rdev == 0 { whiteouts.append(relative) }
            if st.st_mode & S_IFMT == S_IFDIR, Self.isOpaque(path) { opaque.append(relative) }
        }
        if Self.isOpaque(root) { opaque.append("") }
        for relative in whiteouts {
            let path = FilePath(root + "/" + relative)
            unlink(path.string)
            let name = path.lastComponent?.string ?? ""
            FileManager.default.createFile(atPath: path.removingLastComponent().appending(".wh." + name).string, contents: nil)
        }
        for relative in opaque {
            FileManager.default.createFile(
                atPath: root + (relative.isEmpty ? "" : "/" + relative) + "/" + opaqueName, contents: nil)
        }
    }

    static func isOpaque(_ path: String) -> Bool {
        var value = [CChar](repeating: 0, count: 8)
        let n = proctor_get_xattr(path, opaqueXattr, &value, value.count)
        return n == 1 && value[0] == CChar(UInt8(ascii: "y"))
    }

    // MARK: import

    /// Reads an OCI image layout tar (its first image, or the one named `reference`) into
    /// the store as image `name`.
    @discardableResult
    public func importImage(from input: FilePath, name: String, reference: String? = nil) throws -> ImageManifest {
        guard ImageStoreFolder.isValidName(name) else { throw ImageError(.invalidRecipe, "\"\(name)\" is not an image name") }
        let work = try store.temporaryFolder("oci-import")
        defer { try? ImageStore.removeTree(work) }
        let layout = work.appending("layout")
        try FileManager.default.createDirectory(atPath: layout.string, withIntermediateDirectories: true)
        try Self.tool("/bin/tar", ["-C", layout.string, "--no-same-owner", "-xf", input.string, "index.json", "blobs"])
        let index = try Self.json(layout.appending("index.json"))
        guard let manifests = index["manifests"] as? [[String: Any]], !manifests.isEmpty else {
            throw ImageError(.invalidRecipe, "\(input): index.json names no image")
        }
        let chosen =
            reference.flatMap { ref in
                manifests.first { (($0["annotations"] as? [String: String])?["org.opencontainers.image.ref.name"]) == ref }
            } ?? manifests[0]
        let manifest = try Self.json(try Self.blob(chosen, in: layout))
        guard let descriptors = manifest["layers"] as? [[String: Any]] else {
            throw ImageError(.invalidRecipe, "\(input): the image's manifest has no layers")
        }
        var layers: [ImageManifest.Layer] = []
        for descriptor in descriptors {
            let blob = try Self.blob(descriptor, in: layout)
            let digest = descriptor["digest"] as? String ?? ""
            // Content-addressed: a layer imported before is the same layer.
            if !store.hasLayer(digest) {
                let tree = work.appending("tree-\(layers.count)")
                try FileManager.default.createDirectory(atPath: tree.string, withIntermediateDirectories: false)
                try Self.tool("/bin/tar", ["--numeric-owner", "--same-owner", "-p", "-C", tree.string, "-xf", blob.string])
                try Self.toOverlayWhiteouts(tree.string)
                _ = try store.install(tree, as: digest)
            }
            layers.append(
                .init(digest: digest, step: "oci layer \(digest.prefix(19))", size: ImageStore.size(of: store.layerPath(digest))))
        }
        let result = ImageManifest(name: name, layers: layers, created: ImageStore.now())
        try store.write(result)
        return result
    }

    /// OCI whiteouts to overlayfs's.
    static func toOverlayWhiteouts(_ root: String) throws {
        guard let walker = FileManager.default.enumerator(atPath: root) else { return }
        var marks: [String] = []
        while let relative = walker.nextObject() as? String {
            if (relative as NSString).lastPathComponent.hasPrefix(".wh.") { marks.append(relative) }
        }
        for relative in marks {
            let path = FilePath(root + "/" + relative)
            let folder = path.removingLastComponent()
            let name = path.lastComponent?.string ?? ""
            guard unlink(path.string) == 0 else { continue }
            if name == opaqueName {
                guard proctor_set_xattr(folder.string, opaqueXattr, "y", 1) == 0 else {
                    throw ImageError(.store, "import: cannot mark \(folder) opaque")
                }
            } else {
                let target = folder.appending(String(name.dropFirst(4))).string
                guard mknod(target, S_IFCHR, 0) == 0 else {
                    throw ImageError(.store, "import: cannot make the whiteout \(target)")
                }
            }
        }
    }

    // MARK: helpers

    static func blob(_ descriptor: [String: Any], in layout: FilePath) throws -> FilePath {
        guard let digest = descriptor["digest"] as? String, digest.hasPrefix("sha256:"),
            digest.dropFirst(7).allSatisfy({ $0.isHexDigit }), digest.count == 71
        else { throw ImageError(.invalidRecipe, "import: a descriptor without a sha256 digest") }
        let path = layout.appending("blobs/sha256/" + digest.dropFirst(7))
        guard try sha256(file: path) == String(digest.dropFirst(7)) else {
            throw ImageError(.invalidRecipe, "import: blob \(digest) does not match its digest")
        }
        return path
    }

    static func json(_ path: FilePath) throws -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: path.string),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw ImageError(.invalidRecipe, "import: \(path.lastComponent?.string ?? "") is not JSON") }
        return object
    }

    static func writeBlob(_ object: [String: Any], to blobs: FilePath, mediaType: String) throws -> [String: Any] {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        try data.write(to: URL(fileURLWithPath: blobs.appending(digest).string))
        return ["mediaType": mediaType, "digest": "sha256:" + digest, "size": data.count]
    }

    static func sha256(file: FilePath) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: file.string) else {
            throw ImageError(.invalidRecipe, "cannot read \(file)")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    static func fileSize(_ path: FilePath) -> Int {
        var st = stat()
        return lstat(path.string, &st) == 0 ? Int(st.st_size) : 0
    }

    static func tool(_ path: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let errors = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ImageError(
                .store,
                "\(path) \(arguments.joined(separator: " ")) failed: \(String(decoding: errors.suffix(2000), as: UTF8.self))")
        }
    }
}
