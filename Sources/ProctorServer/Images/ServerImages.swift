import Foundation
import Images
import Sandbox

/// The server's image store as callers reach it: names checked at the door, errors that
/// never show the store's host folder.
struct ServerImages: Sendable {
    let store: ImageStore

    init(_ folder: ImageStoreFolder) {
        store = ImageStore(folder.root)
    }

    /// The names a caller may give: `[a-z0-9][a-z0-9._-]{0,127}`, no "..". Stricter than
    /// the store's own rule (`ImageStoreFolder.isValidName`): no capitals, nothing that
    /// looks like a path.
    static func isCallerName(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 128, !name.contains("..") else { return false }
        func lowerOrDigit(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) }
        return lowerOrDigit(first) && name.utf8.allSatisfy { lowerOrDigit($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
    }

    /// A caller's name, checked: 400 when it is not a name.
    static func checked(_ name: String) throws -> String {
        guard isCallerName(name) else {
            throw APIError(
                .badRequest, "invalid_image_name",
                "'\(name.prefix(64))' is not an image name: [a-z0-9][a-z0-9._-]{0,127}, without '..'")
        }
        return name
    }

    /// The manifest of a caller's image: 400 for a bad name, 404 for one the store lacks.
    func manifest(_ name: String) throws -> ImageManifest {
        let name = try Self.checked(name)
        guard store.contains(name), let manifest = try? store.folder.manifest(named: name) else {
            throw APIError(.notFound, "unknown_image", "no image '\(name)' (GET /images lists them)")
        }
        return manifest
    }

    /// The sandbox image of a caller's image name.
    func sandboxImage(_ name: String) throws -> SandboxConfiguration.Image {
        store.folder.sandboxImage(try manifest(name))
    }
}

/// An image in GET /images and a snapshot's answer.
struct ImageInfo: Codable, Sendable {
    var name: String
    /// The top layer's digest: what the image's files are.
    var digest: String
    /// Bytes of its layers' files.
    var size: Int?
    /// ISO 8601, UTC.
    var created: String
    var parent: String?

    init(_ manifest: ImageManifest, size: Int?) {
        name = manifest.name
        digest = manifest.layers.last?.digest ?? ""
        self.size = size
        created = manifest.created
        parent = manifest.parent
    }
}

struct SnapshotRequest: Codable, Sendable {
    var name: String
}
