import Glibc
import SystemPackage

/// An image as the image store keeps it: a name, and its layers from the bottom up, each a
/// folder under the store's `layers/` named by its digest. The Images module builds,
/// writes and reads manifests (JSON: Sandbox links no Foundation, so that the small
/// `proctor` front, which runs one-shot execs, does not carry its conformance tables).
public struct ImageManifest: Codable, Sendable, Hashable {
    public struct Layer: Codable, Sendable, Hashable {
        /// "sha256:HEX": for a recipe's layer, the hash of the canonical recipe up to and
        /// with its step (the cache key); for a snapshot's, of the snapshot's origin.
        public var digest: String
        /// What made the layer: "debootstrap --variant=minbase bookworm", "apt python3-pip".
        public var step: String
        /// Bytes of its files (apparent size), when it was measured.
        public var size: Int?

        public init(digest: String, step: String, size: Int? = nil) {
            self.digest = digest
            self.step = step
            self.size = size
        }

        /// The folder name under `layers/`: the digest's hex.
        public var folderName: String {
            digest.hasPrefix("sha256:") ? String(digest.dropFirst(7)) : digest
        }
    }

    public var name: String
    /// Bottom (the base) first.
    public var layers: [Layer]
    /// ISO 8601, UTC.
    public var created: String
    /// The recipe's canonical lines, when a recipe made it.
    public var recipe: [String]?
    /// The image it was snapshotted from, for a snapshot.
    public var parent: String?
    /// The server token's name that made it (a snapshot over HTTP): what it may delete and
    /// what counts against its quota. Nil for an image made on the host.
    public var owner: String?

    public init(
        name: String, layers: [Layer], created: String, recipe: [String]? = nil, parent: String? = nil, owner: String? = nil
    ) {
        self.name = name
        self.layers = layers
        self.created = created
        self.recipe = recipe
        self.parent = parent
        self.owner = owner
    }
}

/// Where images live: `layers/HEX/` (a layer's files, whiteouts included), `images/NAME.json`
/// (manifests), `tmp/` (builds in progress). Mode 0700, root's: layers hold setuid files and
/// a recipe's files that no other host user may reach.
public struct ImageStoreFolder: Sendable, Hashable {
    /// $PROCTOR_IMAGES, else /var/lib/proctor/images.
    public static var defaultRoot: FilePath {
        FilePath(getenv("PROCTOR_IMAGES").map { String(cString: $0) } ?? "/var/lib/proctor/images")
    }

    public let root: FilePath

    public init(_ root: FilePath = ImageStoreFolder.defaultRoot) {
        self.root = root
    }

    public var layersFolder: FilePath { root.appending("layers") }
    public var imagesFolder: FilePath { root.appending("images") }
    public var temporaryFolder: FilePath { root.appending("tmp") }

    public func layerPath(_ layer: ImageManifest.Layer) -> FilePath {
        layersFolder.appending(layer.folderName)
    }

    /// Image names are file names: letters, digits, '.', '_', '-', not starting with '.'.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 128 && !name.hasPrefix(".")
            && name.utf8.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x5F
                    || c == 0x2D
            }
    }

    public func manifestPath(_ name: String) -> FilePath {
        imagesFolder.appending(name + ".json")
    }

    /// `images/NAME.layers`: the layer index of image NAME, which the Images module writes
    /// next to each manifest so that Sandbox, which reads no JSON, can start a sandbox from
    /// an image (`proctor exec --image` in the small front). First line `proctor-layers 1
    /// HASH` (FNV-1a 64 of the manifest file's bytes, 16 hex digits), then the layer
    /// folders, the top one first.
    public func layerIndexPath(_ name: String) -> FilePath {
        imagesFolder.appending(name + ".layers")
    }

    /// The layer index's text for a manifest file's bytes (`layerIndexPath`).
    public static func layerIndex(manifestBytes: [UInt8], _ manifest: ImageManifest) -> String {
        var text = "proctor-layers 1 " + FNV1a.hex(manifestBytes) + "\n"
        for layer in manifest.layers.reversed() { text += layer.folderName + "\n" }
        return text
    }

    /// The sandbox image of image `name` from its layer index, or nil when there is none or
    /// it does not match the manifest as it is now (then the manifest itself decides:
    /// `manifest(named:)` in Images). Layer names must be plain folder names.
    public func sandboxImageFromIndex(named name: String) -> SandboxConfiguration.Image? {
        guard Self.isValidName(name), let manifest = Self.readSmall(manifestPath(name)),
            let index = Self.readSmall(layerIndexPath(name))
        else { return nil }
        let lines = index.split(separator: UInt8(ascii: "\n"))
        let header = Array("proctor-layers 1 ".utf8) + Array(FNV1a.hex(manifest).utf8)
        guard let first = lines.first, first.elementsEqual(header), lines.count > 1 else { return nil }
        var layers: [FilePath] = []
        for line in lines.dropFirst() {
            guard !line.isEmpty, line.count <= 128,
                line.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7A) })
            else { return nil }
            layers.append(layersFolder.appending(String(decoding: line, as: UTF8.self)))
        }
        return .layers(layers)
    }

    /// A whole file of at most 16 MiB, or nil.
    static func readSmall(_ path: FilePath) -> [UInt8]? {
        guard let fd = try? FileDescriptor.open(path, .readOnly, options: [.closeOnExec, .noFollow]) else { return nil }
        defer { try? fd.close() }
        return try? SandboxFileSystem.readAll(fd, limit: 16 << 20, path: path.string)
    }

    /// The sandbox image of a manifest: its layer folders, the top one first.
    public func sandboxImage(_ manifest: ImageManifest) -> SandboxConfiguration.Image {
        .layers(manifest.layers.reversed().map { layerPath($0) })
    }
}
