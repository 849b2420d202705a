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
        router.delete("/images/:name", use: delete)
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
        // One snapshot at a time per token: the quota is checked before the copy and the
        // copy's size after it, with no second snapshot of the same token in between.
        guard service.snapshotting.withLock({ $0.insert(caller).inserted }) else {
            throw APIError(.tooManyRequests, "snapshot_in_progress", "this token is making a snapshot already")
        }
        defer { _ = service.snapshotting.withLock { $0.remove(caller) } }
        let held = try await Blocking.run { try Self.held(by: caller, in: store) }
        if held.count >= c.maxSnapshotsPerToken || held.bytes >= c.maxSnapshotBytesPerToken {
            throw Self.quota(held, c)
        }
        guard case .layers = sandbox.configuration.image else {
            throw APIError(
                .badRequest, "not_from_an_image",
                "only a sandbox started from an image (POST /sandboxes {\"image\"}) has a snapshot")
        }
        let manifest: ImageManifest
        do {
            manifest = try await sandbox.snapshot(name: name, store: store, replacing: false, owner: caller)
        } catch let e as ImageError where e.code == .exists {
            throw Self.taken(name)
        } catch let e as ImageError {
            service.logger.error("snapshot failed", metadata: ["sandbox": "\(id)", "error": "\(e)"])
            throw APIError(.internalServerError, "snapshot_failed", "the snapshot could not be made")
        }
        // Past the byte quota with this one: it goes again (its layer is its own).
        if held.bytes + (manifest.layers.last?.size ?? 0) > c.maxSnapshotBytesPerToken {
            try? await Blocking.run { try Self.remove(manifest, from: store, keeping: []) }
            throw Self.quota(held, c)
        }
        let size = try? await Blocking.run { () -> Int in
            var measured: [String: Int] = [:]
            return store.size(of: manifest, measured: &measured)
        }
        return JSON.response(ImageInfo(manifest, size: size), status: .created)
    }

    /// DELETE /images/{name}: an image the caller made (a snapshot of theirs); 204. Anyone
    /// else's, or one built on the host, is a 404, as an unknown name is: a caller learns
    /// nothing of images it cannot delete. The snapshot's own layer goes with it unless
    /// another image names it (a snapshot of the snapshot) or a live sandbox is mounted on it;
    /// then it stays for `proctor image prune`.
    @Sendable func delete(_ request: Request, context: ProctorContext) async throws -> Response {
        let caller = try context.requireCaller()
        let name = try ServerImages.checked(context.parameters.get("name") ?? "")
        let store = images.store
        guard let manifest = try? images.manifest(name), manifest.owner == caller else {
            throw APIError(.notFound, "unknown_image", "no image '\(name)' of this token (GET /images lists them)")
        }
        let inUse = service.sandboxes.layerFoldersInUse()
        try await Blocking.run { try Self.remove(manifest, from: store, keeping: inUse) }
        return Response(status: .noContent)
    }

    /// Removes a snapshot's manifest, then its own (top) layer if nothing else uses it.
    static func remove(_ manifest: ImageManifest, from store: ImageStore, keeping inUse: Set<String>) throws {
        try store.remove(manifest.name)
        if let top = manifest.layers.last { try store.removeLayerIfUnused(top, inUse: inUse) }
    }

    /// The caller's snapshots in the store: how many, and the bytes of their own layers.
    static func held(by caller: String, in store: ImageStore) throws -> (count: Int, bytes: Int) {
        let mine = try store.manifests().filter { $0.owner == caller }
        return (mine.count, mine.reduce(0) { $0 + ($1.layers.last?.size ?? 0) })
    }

    static func quota(_ held: (count: Int, bytes: Int), _ c: ServerConfiguration) -> APIError {
        APIError(
            .forbidden, "snapshot_quota",
            "this token keeps \(held.count) snapshots of \(held.bytes) bytes; at most \(c.maxSnapshotsPerToken) of "
                + "\(c.maxSnapshotBytesPerToken) bytes in all (DELETE /images/{name} frees room)")
    }

    static func taken(_ name: String) -> APIError {
        APIError(.conflict, "image_exists", "an image named '\(name)' exists already; snapshots never replace one")
    }
}
