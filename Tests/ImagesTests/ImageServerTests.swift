import Foundation
import Hummingbird
import HummingbirdTesting
import Images
import Sandbox
import SystemPackage
import TestSupport
import Testing

/// The image store over HTTP: sandboxes and /execute from an image, GET /images, snapshots,
/// and what a caller may try at that door.
@Suite(
    "images over HTTP: sandboxes, /execute, snapshots, attacks", .serialized, .imageHost, .timeLimit(.minutes(15)))
struct ImageServerTests {
    static let sixCheck = "import six\nassert six.__version__ == '1.17.0', six.__version__\nprint('six', six.__version__)\n"

    @Test("GET /images lists the store; a sandbox starts from an image; its snapshot starts another")
    func sandboxSnapshotAndList() async throws {
        _ = try await ImageHost.python.value
        let name = "snap-\(UUID().uuidString.prefix(8).lowercased())"
        defer { ImageServer.drop(name) }
        try await ImageServer.with { client in
            let listed = try await client.execute(uri: "/images", method: .get, headers: ImageServer.alice) {
                #expect($0.status == .ok)
                return ImageServer.json($0)["images"] as? [[String: Any]] ?? []
            }
            let python = try #require(listed.first { $0["name"] as? String == "test-python" })
            #expect((python["digest"] as? String)?.hasPrefix("sha256:") == true)
            #expect((python["size"] as? Int ?? 0) > 1 << 20)
            #expect(python["created"] is String)

            let id = try await ImageServer.create(client, ["image": "test-python", "lifetime": 60])
            try await client.execute(uri: "/sandboxes/\(id)", method: .get, headers: ImageServer.alice) {
                #expect(ImageServer.json($0)["image"] as? String == "test-python")
            }
            let six = try await ImageServer.sh(client, id, "python3 -c 'import six; print(six.__version__)'")
            #expect(six.out == "1.17.0\n")
            #expect(try await ImageServer.sh(client, id, "echo kept > made.txt; echo gone > /tmp/t").code == 0)

            let (status, answer, text) = try await ImageServer.snapshot(client, id, name)
            #expect(status == .created, "\(text)")
            #expect(answer["name"] as? String == name)
            #expect((answer["digest"] as? String)?.hasPrefix("sha256:") == true)
            #expect(answer["parent"] as? String == "test-python")
            let names = try await client.execute(uri: "/images", method: .get, headers: ImageServer.bob) {
                (ImageServer.json($0)["images"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            }
            #expect(names.contains(name))

            let again = try await ImageServer.create(client, ["image": name, "lifetime": 60])
            #expect(try await ImageServer.sh(client, again, "cat made.txt; cat /tmp/t 2>/dev/null; echo .").out == "kept\n.\n")
        }
    }

    @Test("POST /execute runs in an image: six 1.17 there; the host's Python is not what ran")
    func executeInImage() async throws {
        _ = try await ImageHost.python.value
        try await ImageServer.with { client in
            let run = { (fields: [String: Any]) async throws -> (HTTPResponse.Status, [String: Any]) in
                var f: [String: Any] = ["language": "python3", "code": Self.sixCheck]
                f.merge(fields) { $1 }
                return try await client.execute(
                    uri: "/execute", method: .post, headers: ImageServer.alice, body: ImageServer.body(f)
                ) { ($0.status, ImageServer.json($0)) }
            }
            let (ok, inImage) = try await run(["image": "test-python"])
            #expect(ok == .ok)
            #expect(inImage["verdict"] as? String == "AC", "\(inImage)")
            #expect(inImage["stdout"] as? String == "six 1.17.0\n")
            let (_, onHost) = try await run([:])
            #expect(onHost["verdict"] as? String == "RTE", "\(onHost)")
            let (missing, body) = try await run(["image": "no-such-image"])
            #expect(missing == .notFound)
            #expect(!"\(body)".contains(ImageHost.store.folder.root.string))
            let (bad, _) = try await run(["image": "../test-python"])
            #expect(bad == .badRequest)
        }
    }

    @Test("attack: image names from callers: bad ones are 400, unknown ones 404 without a host path")
    func names() async throws {
        _ = try await ImageHost.python.value
        let root = ImageHost.store.folder.root.string
        let bad = [
            "../test-python", "a/b", "/etc/passwd", "Test-Python", ".hidden", "a..b", "-x", "", "x y", "ímage",
            String(repeating: "a", count: 129), "test-python\u{0}", "..",
        ]
        try await ImageServer.with { client in
            for name in bad {
                try await client.execute(
                    uri: "/sandboxes", method: .post, headers: ImageServer.alice, body: ImageServer.body(["image": name])
                ) {
                    #expect($0.status == .badRequest, "\(name.debugDescription)")
                    #expect(!String(buffer: $0.body).contains(root))
                }
            }
            try await client.execute(
                uri: "/sandboxes", method: .post, headers: ImageServer.alice, body: ImageServer.body(["image": "no-such-image"])
            ) {
                #expect($0.status == .notFound)
                let text = String(buffer: $0.body)
                #expect(!text.contains(root) && !text.contains("/var/lib"), "\(text)")
            }
            let id = try await ImageServer.create(client, ["image": "test-python", "lifetime": 60])
            for name in bad {
                let (status, _, text) = try await ImageServer.snapshot(client, id, name)
                #expect(status == .badRequest, "\(name.debugDescription): \(text)")
            }
        }
    }

    @Test("attack: snapshots never replace an image, and only the owner's sandbox is snapshotted")
    func collisionsAndOwners() async throws {
        _ = try await ImageHost.python.value
        let name = "snap-\(UUID().uuidString.prefix(8).lowercased())"
        defer { ImageServer.drop(name) }
        let manifest = ImageHost.store.folder.manifestPath("test-python").string
        let before = try Data(contentsOf: URL(fileURLWithPath: manifest))
        try await ImageServer.with { client in
            let id = try await ImageServer.create(client, ["image": "test-python", "lifetime": 60])
            _ = try await ImageServer.sh(client, id, "echo first > f")
            // Bob cannot snapshot (or even see) Alice's sandbox.
            let (theirs, _, _) = try await ImageServer.snapshot(client, id, name, headers: ImageServer.bob)
            #expect(theirs == .notFound)
            #expect(!ImageHost.store.contains(name))
            let (first, answer, text) = try await ImageServer.snapshot(client, id, name)
            #expect(first == .created, "\(text)")
            _ = try await ImageServer.sh(client, id, "echo second > f")
            let (second, _, _) = try await ImageServer.snapshot(client, id, name)
            #expect(second == .conflict)
            let (base, _, _) = try await ImageServer.snapshot(client, id, "test-python")
            #expect(base == .conflict)
            #expect(try Data(contentsOf: URL(fileURLWithPath: manifest)) == before, "test-python's manifest changed")
            #expect(try ImageHost.store.manifest(named: name).layers.last?.digest == answer["digest"] as? String)
            // A sandbox of the host's folders has no layer of its own to snapshot.
            let host = try await ImageServer.create(client, ["lifetime": 60])
            let (plain, _, _) = try await ImageServer.snapshot(client, host, "snap-of-host")
            #expect(plain == .badRequest)
            #expect(!ImageHost.store.contains("snap-of-host"))
        }
    }

    @Test("attack: a token's snapshots are capped (count and bytes); it deletes its own, never another's or the host's")
    func quotaAndDelete() async throws {
        _ = try await ImageHost.python.value
        let tag = UUID().uuidString.prefix(8).lowercased()
        let (a, b, c, d) = ("q1-\(tag)", "q2-\(tag)", "q3-\(tag)", "q4-\(tag)")
        defer { for n in [a, b, c, d] { ImageServer.drop(n) } }
        let python = ImageHost.store.folder.manifestPath("test-python").string
        let before = try Data(contentsOf: URL(fileURLWithPath: python))
        try await ImageServer.with(snapshots: 2) { client in
            let id = try await ImageServer.create(client, ["image": "test-python", "lifetime": 60])
            _ = try await ImageServer.sh(client, id, "echo one > f")
            #expect(try await ImageServer.snapshot(client, id, a).0 == .created)
            // b starts from a: a's layer is b's too.
            let child = try await ImageServer.create(client, ["image": a, "lifetime": 60])
            _ = try await ImageServer.sh(client, child, "echo two > g")
            #expect(try await ImageServer.snapshot(client, child, b).0 == .created)
            let (over, answer, text) = try await ImageServer.snapshot(client, id, c)
            #expect(over == .forbidden, "\(text)")
            #expect((answer["error"] as? [String: Any])?["code"] as? String == "snapshot_quota")
            #expect(!ImageHost.store.contains(c))
            // Bob's quota is his own; he cannot delete Alice's image, nor the host's.
            #expect(try await ImageServer.delete(client, a, headers: ImageServer.bob) == .notFound)
            #expect(try await ImageServer.delete(client, "test-python") == .notFound)
            #expect(try await ImageServer.delete(client, "no-such-image") == .notFound)
            #expect(try await ImageServer.delete(client, "..%2Fetc") == .badRequest)
            #expect(ImageHost.store.contains(a))
            #expect(try Data(contentsOf: URL(fileURLWithPath: python)) == before, "test-python's manifest changed")
            // Alice deletes a: b, made from it, still starts and sees a's file (the layer stays).
            let aLayer = try ImageHost.store.layerPath(#require(ImageHost.store.manifest(named: a).layers.last).digest)
            #expect(try await ImageServer.delete(client, a) == .noContent)
            #expect(!ImageHost.store.contains(a))
            #expect(FileManager.default.fileExists(atPath: aLayer.string), "a's layer went while b names it")
            let fromB = try await ImageServer.create(client, ["image": b, "lifetime": 60])
            #expect(try await ImageServer.sh(client, fromB, "cat f g").out == "one\ntwo\n")
            // Room again: c is made; deleted, its own layer (no other image names it, no
            // sandbox is mounted on it) goes with it.
            #expect(try await ImageServer.snapshot(client, id, c).0 == .created)
            let cLayer = try ImageHost.store.layerPath(#require(ImageHost.store.manifest(named: c).layers.last).digest)
            #expect(try await ImageServer.delete(client, c) == .noContent)
            #expect(!FileManager.default.fileExists(atPath: cLayer.string), "c's own layer stayed")
            #expect(try await ImageServer.delete(client, c) == .notFound)
        }
        // The byte quota: a snapshot past it is refused and leaves nothing behind.
        try await ImageServer.with(snapshotBytes: 1 << 20) { client in
            let id = try await ImageServer.create(client, ["image": "test-python", "lifetime": 60])
            _ = try await ImageServer.sh(client, id, "head -c 2000000 /dev/zero > big")
            let (status, _, text) = try await ImageServer.snapshot(client, id, d)
            #expect(status == .forbidden, "\(text)")
            #expect(!ImageHost.store.contains(d))
        }
    }

    @Test("attack: a snapshot copies only the bounded writable layer; planted symlinks stay links, FIFOs are left out")
    func snapshotOfAHostileLayer() async throws {
        _ = try await ImageHost.python.value
        let name = "snap-\(UUID().uuidString.prefix(8).lowercased())"
        defer { ImageServer.drop(name) }
        try await ImageServer.with { client in
            let id = try await ImageServer.create(
                client, ["image": "test-python", "lifetime": 60, "limits": ["workdir_size": "8M"]])
            let planted = try await ImageServer.sh(
                client, id,
                """
                ln -s /etc/shadow shadow; ln -s / hostroot; ln -s /proc/1/root init-root
                mkfifo pipe; mkdir -p d; ln -s ../../../../../../etc/passwd d/up
                dd if=/dev/zero of=a bs=1M count=6 2>/dev/null; echo a=$?
                dd if=/dev/zero of=b bs=1M count=6 2>/dev/null; echo b=$?
                """)
            // The writable layer (a tmpfs of workdir_size) is full before its 12M.
            #expect(planted.out == "a=0\nb=1\n", "\(planted.out)")
            let (status, answer, text) = try await ImageServer.snapshot(client, id, name)
            #expect(status == .created, "\(text)")
            let digest = try #require(answer["digest"] as? String)
            let layer = ImageHost.store.layerPath(digest).string
            #expect(ImageStore.size(of: FilePath(layer)) <= 8 << 20)
            let files = try #require(FileManager.default.enumerator(atPath: layer)?.allObjects as? [String])
            func kind(_ leaf: String) -> mode_t? {
                guard let path = files.first(where: { $0 == leaf || $0.hasSuffix("/" + leaf) }) else { return nil }
                var st = stat()
                return lstat(layer + "/" + path, &st) == 0 ? st.st_mode & S_IFMT : nil
            }
            for link in ["shadow", "hostroot", "init-root", "d/up"] { #expect(kind(link) == S_IFLNK, "\(link)") }
            #expect(kind("pipe") == nil, "the FIFO was copied")
            let shadow = try #require(files.first { $0.hasSuffix("/shadow") })
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: layer + "/" + shadow) == "/etc/shadow")
            // No layer file belongs to a host uid other than root (the sandbox's became root's).
            for f in files {
                var st = stat()
                if lstat(layer + "/" + f, &st) == 0 { #expect(st.st_uid == 0, "\(f) owned by \(st.st_uid)") }
            }
            // A sandbox from the snapshot sees its own links, not the host through them.
            let again = try await ImageServer.create(client, ["image": name, "lifetime": 60])
            let seen = try await ImageServer.sh(client, again, "readlink shadow; test -e pipe || echo no-pipe")
            #expect(seen.out == "/etc/shadow\nno-pipe\n")
        }
    }
    @Test("attack: two snapshots racing for one name: exactly one is made, the other refused, nothing replaced")
    func racingSnapshots() async throws {
        _ = try await ImageHost.python.value
        let name = "snap-\(UUID().uuidString.prefix(8).lowercased())"
        defer { ImageServer.drop(name) }
        let store = ImageHost.store
        var c = SandboxConfiguration()
        c.image = try store.folder.sandboxImage(named: "test-python")
        let layersBefore = try FileManager.default.contentsOfDirectory(atPath: store.folder.layersFolder.string).count
        try await withSandbox(c) { (a: Sandbox) async throws in
            try await withSandbox(c) { (b: Sandbox) async throws in
                try a.fs.write("who", "a\n")
                try b.fs.write("who", "b\n")
                @Sendable func attempt(_ s: Sandbox) async -> Result<ImageManifest, any Error> {
                    do { return .success(try await s.snapshot(name: name, store: store, replacing: false)) } catch {
                        return .failure(error)
                    }
                }
                async let first = attempt(a)
                async let second = attempt(b)
                let results = await [first, second]
                let made = results.compactMap { try? $0.get() }
                #expect(made.count == 1)
                for case .failure(let e) in results { #expect((e as? ImageError)?.code == .exists, "\(e)") }
                #expect(try store.manifest(named: name) == made.first)
            }
        }
        // The loser's layer did not stay behind: one new layer, the winner's.
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.folder.layersFolder.string).count == layersBefore + 1)
    }
}
