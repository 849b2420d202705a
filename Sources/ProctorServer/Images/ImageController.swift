import Hummingbird
import Images
import Sandbox

/// GET /images (the server's image store) and POST /sandboxes/{id}/snapshot (a sandbox's
/// writable layer as a new image, Modal's snapshot_filesystem).
struct ImageController {
    let service: ProctorService
    var images: ServerImages { ServerImages(service.configuration.images) }

    func addRoutes(to router: Router<ProctorContext>) {
        router.get("/images", use: list)
        router.post("/sandboxes/:id/snapshot", use: snapshot)
    }

    @Sendable func list(_ request: Request, context: ProctorContext) async throws -> Response {
        _ = try context.requireCaller()
        let store = images.store
        // Sizes are measured on disk for layers whose manifest has none: off the pool.
        let entries = try await Blocking.run { (try? store.list()) ?? [] }
        return JSON.response(["images": entries.map { ImageInfo($0.manifest, size: $0.size) }])
    }

    /// 201 with the new image; 400 for a bad name or a sandbox not started from an image,
    /// 404 for a sandbox that is not the caller's, 409 when the name is taken (an image is
    /// never replaced from here).
    @Sendable func snapshot(_ request: Request, context: ProctorContext) async throws -> Response {
        let caller = try context.requireCaller()
        let c = service.configuration
        let id = try await SandboxController(service: service).id(request, context)
        let body = try await JSON.decode(SnapshotRequest.self, from: request, limit: c.maxBodySize, timeout: c.bodyTimeout)
        let name = try ServerImages.checked(body.name)
        let store = images.store
        if store.contains(name) { throw Self.taken(name) }
        let registry = service.sandboxes
        let sandbox = try registry.acquire(id, owner: caller)
        defer { registry.release(id) }
        guard case .layers = sandbox.configuration.image else {
            throw APIError(
                .badRequest, "not_from_an_image",
                "only a sandbox started from an image (POST /sandboxes {\"image\"}) has a snapshot")
        }
        let manifest: ImageManifest
        do {
            manifest = try await sandbox.snapshot(name: name, store: store, replacing: false)
        } catch let e as ImageError where e.code == .exists {
            throw Self.taken(name)
        } catch let e as ImageError {
            service.logger.error("snapshot failed", metadata: ["sandbox": "\(id)", "error": "\(e)"])
            throw APIError(.internalServerError, "snapshot_failed", "the snapshot could not be made")
        }
        let size = try? await Blocking.run { try store.list().first { $0.manifest.name == name }?.size }
        return JSON.response(ImageInfo(manifest, size: size), status: .created)
    }

    static func taken(_ name: String) -> APIError {
        APIError(.conflict, "image_exists", "an image named '\(name)' exists already; snapshots never replace one")
    }
}
