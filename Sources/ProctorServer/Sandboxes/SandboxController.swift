import Foundation
import Hummingbird
import Sandbox

/// The sandbox API, in the shape of Modal's: create, exec (streamed as NDJSON), files, delete.
struct SandboxController {
    let service: ProctorService
    var registry: SandboxRegistry { service.sandboxes }

    func addRoutes(to router: Router<ProctorContext>) {
        router.post("/sandboxes", use: create)
        router.get("/sandboxes", use: list)
        router.get("/sandboxes/:id", use: show)
        router.delete("/sandboxes/:id", use: delete)
        router.post("/sandboxes/:id/exec", use: exec)
        router.get("/sandboxes/:id/files", use: listFiles)
        router.get("/sandboxes/:id/files/**", use: readFile)
        router.put("/sandboxes/:id/files/**", use: writeFile)
        router.delete("/sandboxes/:id/files/**", use: deleteFile)
    }

    /// The sandbox's id, once it is known to live on this node. In a cluster, another
    /// node's sandbox (its id ends in `.NODE`) is answered with a 307 to that node's
    /// advertised URL, same path and query; a node unknown or not seen within a lease (its
    /// sandboxes died with it) with a 404.
    func id(_ request: Request, _ context: ProctorContext) async throws -> String {
        let id = try context.parameters.require("id")
        guard let here = service.node, let there = ClusterNode.node(ofSandbox: id), there != here.id else { return id }
        guard case .cluster(let pg) = service.jobs.backend, let url = try await pg.url(ofNode: there) else {
            throw APIError.notFound("no sandbox '\(id.prefix(64))'")
        }
        let base = url.hasSuffix("/") ? String(url.dropLast()) : url
        throw APIError(
            .temporaryRedirect, "elsewhere", "the sandbox lives on node '\(there)': ask \(base)",
            headers: [.location: base + request.uri.description])
    }

    func info(_ id: String, _ e: SandboxRegistry.Entry) -> SandboxInfo {
        SandboxInfo(
            id: id, image: e.image, created_at: e.createdAt, expires_at: e.createdAt + e.lifetime.seconds,
            idle_timeout: e.idleTimeout.seconds, network: e.sandbox?.configuration.network == .allowed)
    }

    @Sendable func create(_ request: Request, context: ProctorContext) async throws -> Response {
        let caller = try context.requireCaller()
        let c = service.configuration
        let body = try await JSON.decode(SandboxCreateRequest.self, from: request, limit: c.maxBodySize, timeout: c.bodyTimeout)
        var config = SandboxConfiguration()
        let image = body.image ?? "host"
        // "host": the host's system folders; any other name, an image of the server's store
        // (its layers read-only under a writable layer on the root's tmpfs, sized workdir_size).
        if image != "host" { config.image = try ServerImages(c.images).sandboxImage(image) }
        if let l = body.limits {
            if let m = l.memory?.bytes {
                guard m >= 1 << 20, m <= c.maxMemory else {
                    throw APIError.badRequest("memory must be between 1M and \(c.maxMemory >> 20)M")
                }
                config.limits.memory = m
            }
            if let cpus = l.cpus {
                guard cpus > 0, cpus <= Double(ProcessInfo.processInfo.activeProcessorCount) else {
                    throw APIError.badRequest("cpus out of range")
                }
                config.limits.cpus = cpus
            }
            if let p = l.processes {
                guard p >= 1, p <= c.suiteCaps.processes else {
                    throw APIError.badRequest("processes must be between 1 and \(c.suiteCaps.processes) (the server's cap)")
                }
                config.limits.processes = p
            }
            if let w = l.workdir_size?.bytes {
                guard w >= 1 << 20, w <= 1 << 30 else { throw APIError.badRequest("workdir_size must be between 1M and 1G") }
                config.limits.workdirSize = w
                config.limits.fileSize = w
            }
            if let t = l.tmp_size?.bytes {
                guard t >= 1 << 20, t <= 1 << 30 else { throw APIError.badRequest("tmp_size must be between 1M and 1G") }
                config.limits.tmpSize = t
            }
        }
        config.network = body.network == true ? .allowed : .blocked
        if let env = body.environment { config.environment.merge(env) { $1 } }
        let lifetime = min(body.lifetime ?? c.sandboxLifetime, c.maxSandboxLifetime)
        let idle = min(body.idle_timeout ?? c.sandboxIdleTimeout, lifetime)
        guard lifetime > 0, idle > 0 else { throw APIError.badRequest("lifetime and idle_timeout must be positive") }
        let (id, entry) = try await registry.create(
            owner: caller, configuration: config, image: image,
            lifetime: .milliseconds(Int64(lifetime * 1000)),
            idleTimeout: .milliseconds(Int64(idle * 1000)))
        return JSON.response(info(id, entry), status: .created)
    }

    @Sendable func list(_ request: Request, context: ProctorContext) async throws -> Response {
        let caller = try context.requireCaller()
        return JSON.response(["sandboxes": registry.list(owner: caller).map { info($0.0, $0.1) }])
    }

    @Sendable func show(_ request: Request, context: ProctorContext) async throws -> Response {
        let caller = try context.requireCaller()
        let id = try await id(request, context)
        return JSON.response(info(id, try registry.info(id, owner: caller)))
    }

    @Sendable func delete(_ request: Request, context: ProctorContext) async throws -> Response {
        let caller = try context.requireCaller()
        try await registry.remove(try await id(request, context), owner: caller)
        return Response(status: .noContent)
    }

    /// Runs argv in the sandbox and streams NDJSON: `{"type":"stdout"|"stderr","data":TEXT}`
    /// (or `"data_base64"` for a chunk that is not UTF-8) as output comes, then one
    /// `{"type":"exit", ...result}` line.
    @Sendable func exec(_ request: Request, context: ProctorContext) async throws -> Response {
        let caller = try context.requireCaller()
        let c = service.configuration
        let id = try await id(request, context)
        let body = try await JSON.decode(SandboxExecRequest.self, from: request, limit: c.maxBodySize, timeout: c.bodyTimeout)
        guard !body.argv.isEmpty else { throw APIError.badRequest("argv is empty") }
        var options = ExecOptions()
        if let b64 = body.stdin_base64 {
            guard let d = Data(base64Encoded: b64) else { throw APIError.badRequest("stdin_base64 is not base64") }
            options.stdin = .bytes(Array(d))
        } else if let s = body.stdin {
            options.stdin = .bytes(Array(s.utf8))
        }
        if let cwd = body.cwd { options.cwd = .init(cwd) }
        options.environment = body.environment ?? [:]
        let timeout = min(body.timeout ?? c.maxTimeout, c.maxTimeout)
        // (A huge negative timeout trapped converting to Int64 and took the server down:
        // found by schemathesis.)
        guard timeout > 0 else { throw APIError.badRequest("timeout must be positive") }
        options.wallTime = .milliseconds(Int64(timeout * 1000))
        options.cpuTime = .milliseconds(Int64(timeout * 1000))
        options.streamOutput = true
        options.streamBacklog = 64
        options.outputLimit = 16 << 20
        options.captureLimit = 0
        let sandbox = try registry.acquire(id, owner: caller)
        let started = ContinuousClock.now
        let execution: Execution
        do {
            // exec spawns inline (clone, exec, pipes): off the cooperative pool.
            execution = try await withTaskExecutorPreference(OffPool.executor) {
                try await sandbox.exec(body.argv, options)
            }
        } catch let e as SandboxError {
            registry.release(id)
            throw APIError.badRequest("exec failed: \(e.description)")
        } catch {
            registry.release(id)
            throw error
        }
        let registry = self.registry
        let service = self.service
        let argv = body.argv
        let watch = await context.clientWatch()
        return Response(
            status: .ok, headers: [.contentType: "application/x-ndjson", .cacheControl: "no-store"],
            body: ResponseBody { writer in
                let (lines, sink) = AsyncStream<[UInt8]>.makeStream()
                let pump = Task {
                    await withTaskGroup(of: Void.self) { group in
                        group.addTask { for await chunk in execution.stdout { sink.yield(Self.chunkLine("stdout", chunk)) } }
                        group.addTask { for await chunk in execution.stderr { sink.yield(Self.chunkLine("stderr", chunk)) } }
                    }
                    let r = await execution.wait()
                    var answer = ExecuteResponse(.ran(r), language: "")
                    answer.stdout = ""
                    answer.stderr = ""
                    sink.yield(Self.exitLine(answer))
                    sink.finish()
                    registry.release(id)
                    await service.record(
                        caller: caller, endpoint: "sandbox-exec", language: "", code: Array(argv.joined(separator: " ").utf8),
                        answer: answer, seconds: (ContinuousClock.now - started).seconds)
                }
                // A client that goes away stops the process, even one that prints nothing (a
                // failed write to the client would tell only when there is something to write).
                let stopper = watch.map { watch in
                    Task {
                        await watch.gone()
                        if !Task.isCancelled { execution.kill() }
                    }
                }
                defer { stopper?.cancel() }
                do {
                    for await line in lines { try await writer.write(ByteBuffer(bytes: line)) }
                    // The stream also ends when this task is cancelled (the server is stopping).
                    try Task.checkCancellation()
                    try await writer.finish(nil)
                } catch {
                    execution.kill()
                    _ = await pump.value
                    throw error
                }
            })
    }

    static func chunkLine(_ stream: String, _ bytes: [UInt8]) -> [UInt8] {
        struct Chunk: Encodable {
            var type: String
            var data: String?
            var data_base64: String?
        }
        let text = String(validating: bytes, as: UTF8.self)
        let chunk = Chunk(type: stream, data: text, data_base64: text == nil ? Data(bytes).base64EncodedString() : nil)
        return JSON.encode(chunk) + [0x0A]
    }

    static func exitLine(_ answer: ExecuteResponse) -> [UInt8] {
        struct Exit: Encodable {
            var type = "exit"
            var status: String
            var return_code: Int?
            var signal: Int?
            var execution_time: Double
            var cpu_time: Double
            var memory_peak: Int
            var verdict: String
        }
        return JSON.encode(
            Exit(
                status: answer.status, return_code: answer.return_code, signal: answer.signal,
                execution_time: answer.execution_time, cpu_time: answer.cpu_time,
                memory_peak: answer.memory_peak, verdict: answer.verdict)) + [0x0A]
    }

    // MARK: files

    func filePath(_ context: ProctorContext) throws -> String {
        // Checked once decoded: "%2E%2E" is "..".
        let raw = context.parameters.getCatchAll().joined(separator: "/")
        let path = raw.removingPercentEncoding ?? raw
        try Paths.check(path)
        return path
    }

    /// Runs a file-system call on the owner's sandbox, off the cooperative pool and bounded by
    /// `fileCallTimeout` (`OffPool`); its errors as API errors.
    func withFS<T: Sendable>(
        _ id: String, _ caller: String,
        _ body: @escaping @Sendable (SandboxFileSystem) throws -> T
    ) async throws -> T {
        let sandbox = try registry.acquire(id, owner: caller)
        defer { registry.release(id) }
        let fs = sandbox.fs
        do {
            return try await OffPool.run(timeout: .milliseconds(Int64(service.configuration.fileCallTimeout * 1000))) {
                try body(fs)
            }
        } catch let e as SandboxError {
            throw Self.apiError(e)
        }
    }

    /// A FIFO, socket or device is a 400 at once (never opened: opening a FIFO blocks until a
    /// peer comes), a file past the cap a 413, a bad path a 400, a missing one a 404.
    static func apiError(_ e: SandboxError) -> APIError {
        switch e.code {
        case .notRegularFile: return APIError(.badRequest, "not_regular_file", e.message)
        case .tooLarge: return APIError(.contentTooLarge, "too_large", e.message)
        case .invalidPath: return APIError(.badRequest, "invalid_path", e.message)
        case .terminated: return APIError.notFound("the sandbox is terminated")
        default:
            if e.errno == .noSuchFileOrDirectory { return APIError.notFound(e.description) }
            return APIError.badRequest(e.description)
        }
    }

    /// The server's own check, before any open (whatever the Sandbox library does too):
    /// only a regular file is read or overwritten. A program could swap the file for a FIFO
    /// between this `stat` and the open; then the open may block, but off the pool and
    /// bounded by `fileCallTimeout`.
    static func requireKind(_ kind: SandboxFileSystem.Entry.Kind, _ entry: SandboxFileSystem.Entry, _ path: String) throws {
        guard entry.kind == kind else {
            let what = entry.kind == .other ? "a FIFO, socket or device" : "a \(entry.kind.rawValue)"
            throw SandboxError(
                .notRegularFile, "'\(path.prefix(200))' is \(what), not a \(kind == .file ? "regular file" : "folder")")
        }
    }

    @Sendable func listFiles(_ request: Request, context: ProctorContext) async throws -> Response {
        let caller = try context.requireCaller()
        let path = request.uri.queryParameters.get("path") ?? "."
        if path != "." && path != "/" { try Paths.check(path) }
        let entries = try await withFS(try await id(request, context), caller) { fs in
            try Self.requireKind(.directory, try fs.stat(path), path)
            return try fs.list(path)
        }
        return JSON.response(
            ["path": path],
            extra: entries.map {
                FileEntryBody(name: $0.name, type: $0.kind.rawValue, size: $0.size, mode: $0.mode, modified: $0.modified)
            })
    }

    @Sendable func readFile(_ request: Request, context: ProctorContext) async throws -> Response {
        let caller = try context.requireCaller()
        let path = try filePath(context)
        let limit = service.configuration.maxBodySize
        let bytes = try await withFS(try await id(request, context), caller) { fs -> [UInt8] in
            let entry = try fs.stat(path)
            try Self.requireKind(.file, entry, path)
            if entry.size > limit { throw SandboxError(.tooLarge, "'\(path.prefix(200))' is larger than \(limit) bytes") }
            return try fs.read(path, limit: limit)
        }
        return Response(
            status: .ok, headers: [.contentType: "application/octet-stream"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    @Sendable func writeFile(_ request: Request, context: ProctorContext) async throws -> Response {
        let caller = try context.requireCaller()
        let path = try filePath(context)
        let c = service.configuration
        let bytes = try await JSON.body(request, limit: c.maxFileSize, timeout: c.bodyTimeout)
        let mode = request.uri.queryParameters.get("mode").flatMap { UInt32($0, radix: 8) } ?? 0o644
        try await withFS(try await id(request, context), caller) { fs in
            do {
                try Self.requireKind(.file, try fs.stat(path), path)
            } catch let e as SandboxError where e.errno == .noSuchFileOrDirectory {
                // A new file.
            }
            try fs.write(path, bytes, mode: mode & 0o777)
        }
        return JSON.response(["path": path, "size": "\(bytes.count)"], status: .created)
    }

    @Sendable func deleteFile(_ request: Request, context: ProctorContext) async throws -> Response {
        let caller = try context.requireCaller()
        let path = try filePath(context)
        let recursive = request.uri.queryParameters.get("recursive") == "true"
        try await withFS(try await id(request, context), caller) { try $0.remove(path, recursive: recursive) }
        return Response(status: .noContent)
    }
}

extension JSON {
    static func response(_ head: [String: String], extra entries: [FileEntryBody]) -> Response {
        struct Listing: Encodable {
            var path: String
            var entries: [FileEntryBody]
        }
        return response(Listing(path: head["path"] ?? ".", entries: entries))
    }
}
