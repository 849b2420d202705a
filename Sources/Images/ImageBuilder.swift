import Foundation
import Logging
import Sandbox
import SystemPackage

/// Builds a recipe into the store. The base is `debootstrap`, run on the host as root (the
/// one step that must: it makes device nodes and chroots); every later step runs in a
/// sandbox with the host's network whose root is an overlay of the layers below (read-only)
/// and whose only writable place on disk is the new layer's folder; see `stepConfiguration`
/// and docs/threat-model.md, "Image builds". A step whose digest is in the store is skipped.
public struct ImageBuilder: Sendable {
    public let store: ImageStore
    public var logger: Logger
    /// The Debian mirror debootstrap uses; nil: the first one in the host's apt sources.
    public var mirror: String?
    /// Longest a step may run.
    public var stepTimeout: Duration = .seconds(3600)

    public init(store: ImageStore = ImageStore(), logger: Logger = Logger(label: "proctor.images"), mirror: String? = nil) {
        self.store = store
        self.logger = logger
        self.mirror = mirror
    }

    /// What a build tells its watcher, step by step.
    public enum Progress: Sendable {
        /// Step `index` (0: the base) of `count` starts; `description` is its canonical line.
        case started(index: Int, count: Int, description: String)
        /// The step's layer was in the store: not built.
        case cached(index: Int, count: Int, description: String)
        /// Output of the running step.
        case output([UInt8])
        case finished(index: Int, count: Int, seconds: Double)
    }

    public struct StepReport: Sendable, Hashable {
        public var description: String
        public var digest: String
        public var cached: Bool
        public var seconds: Double
    }

    public struct Report: Sendable {
        public var manifest: ImageManifest
        public var steps: [StepReport]
    }

    /// Builds (or finds in the cache) every layer of `recipe` and writes manifest `name`.
    public func build(
        _ recipe: Recipe, name: String, progress: (@Sendable (Progress) -> Void)? = nil
    ) async throws -> Report {
        guard ImageStoreFolder.isValidName(name) else { throw ImageError(.invalidRecipe, "\"\(name)\" is not an image name") }
        try recipe.validate()
        try store.prepare()
        let lines = try recipe.canonicalLines()
        let digests = try recipe.digests()
        var layers: [ImageManifest.Layer] = []
        var reports: [StepReport] = []
        for (index, (line, digest)) in zip(lines, digests).enumerated() {
            let layer = ImageManifest.Layer(digest: digest, step: line)
            if store.hasLayer(digest) {
                progress?(.cached(index: index, count: lines.count, description: line))
                reports.append(StepReport(description: line, digest: digest, cached: true, seconds: 0))
                layers.append(layer)
                continue
            }
            progress?(.started(index: index, count: lines.count, description: line))
            let start = ContinuousClock.now
            if index == 0 {
                try await buildBase(recipe.base, digest: digest, progress: progress)
            } else {
                try await buildStep(recipe.steps[index - 1], below: layers, digest: digest, progress: progress)
            }
            let seconds = (ContinuousClock.now - start).inSeconds
            progress?(.finished(index: index, count: lines.count, seconds: seconds))
            reports.append(StepReport(description: line, digest: digest, cached: false, seconds: seconds))
            layers.append(layer)
        }
        for i in layers.indices { layers[i].size = ImageStore.size(of: store.layerPath(layers[i].digest)) }
        let manifest = ImageManifest(name: name, layers: layers, created: ImageStore.now(), recipe: lines)
        try store.write(manifest)
        return Report(manifest: manifest, steps: reports)
    }

    // MARK: the base

    /// The debootstrap on PATH (or in /usr/sbin), if any.
    public static var debootstrap: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return (path.split(separator: ":").map { "\($0)/debootstrap" } + ["/usr/sbin/debootstrap"])
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The host's Debian mirror: the first URI of its apt sources that is not a security one.
    public static func hostMirror() -> String {
        let fm = FileManager.default
        var files = ["/etc/apt/sources.list"]
        let dir = "/etc/apt/sources.list.d"
        files += ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).sorted().map { "\(dir)/\($0)" }
        for file in files {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            for raw in text.split(separator: "\n") {
                let line = raw.trimmingCharacters(in: .whitespaces)
                var uris: [Substring] = []
                if line.hasPrefix("URIs:") {
                    uris = line.dropFirst(5).split(separator: " ")
                } else if line.hasPrefix("deb ") {
                    uris = line.split(separator: " ").dropFirst().filter { !$0.hasPrefix("[") }.prefix(1).map { $0 }
                }
                if let uri = uris.first(where: { !$0.contains("security") && $0.hasPrefix("http") }) { return String(uri) }
            }
        }
        return "http://deb.debian.org/debian"
    }

    private func buildBase(_ base: Recipe.Base, digest: String, progress: (@Sendable (Progress) -> Void)?) async throws {
        guard let debootstrap = Self.debootstrap else {
            throw ImageError(.missingTool, "debootstrap is not installed (apt-get install debootstrap)")
        }
        let stage = try store.temporaryFolder("base")
        defer { try? ImageStore.removeTree(stage) }
        let root = stage.appending("root")
        var arguments = ["--variant=\(base.variant)"]
        if !base.include.isEmpty { arguments.append("--include=" + base.include.joined(separator: ",")) }
        arguments += [base.suite.rawValue, root.string, mirror ?? Self.hostMirror()]
        logger.info("debootstrap", metadata: ["arguments": "\(arguments)"])
        let (status, tail) = try await HostCommand.run(debootstrap, arguments, output: progress)
        guard status == 0 else {
            throw ImageError(.buildFailed, "debootstrap \(arguments.joined(separator: " ")) failed (\(status)):\n\(tail)")
        }
        // The downloaded packages and lists are debootstrap's, not the image's.
        for folder in ["var/cache/apt/archives", "var/lib/apt/lists"] {
            let path = root.appending(folder).string
            for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            where name != "partial" && name != "lock" {
                try? FileManager.default.removeItem(atPath: path + "/" + name)
            }
        }
        _ = try store.install(root, as: digest)
    }

    // MARK: steps

    /// The sandbox a step runs in: the layers below as its read-only lower layers, the new
    /// layer's folder as the only writable place on disk, the host's network, uid 0 with
    /// `SandboxConfiguration.buildCapabilities` only, /proc's kernel knobs read-only, the
    /// usual seccomp filter (no mount, no namespaces, no ptrace ...), nosuid and nodev.
    static func stepConfiguration(below: [FilePath], layerFolder: FilePath) -> SandboxConfiguration {
        var c = SandboxConfiguration()
        c.image = .layers(below.reversed())
        c.layerFolder = layerFolder
        c.buildStep = true
        c.network = .allowed
        c.workdir = "/root"
        c.hostname = "proctor-build"
        c.environment = [
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME": "/root", "LANG": "C.UTF-8", "TMPDIR": "/tmp",
            "DEBIAN_FRONTEND": "noninteractive",
            "PIP_ROOT_USER_ACTION": "ignore", "PIP_NO_CACHE_DIR": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "PIP_BREAK_SYSTEM_PACKAGES": "1",
        ]
        // A proxy or a package index the host is told to use, the step uses too.
        let host = ProcessInfo.processInfo.environment
        for key in ["http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "no_proxy", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"]
        {
            if let value = host[key] { c.environment[key] = value }
        }
        c.limits.memory = 4 << 30
        c.limits.processes = 512
        c.limits.tmpSize = 2 << 30
        c.limits.workdirSize = 1 << 30
        c.limits.fileSize = 16 << 30
        c.limits.openFiles = 4096
        c.limits.stack = nil
        // The CA bundle the host's pip is told to trust (PIP_CERT; a TLS-intercepting proxy's
        // CA, say), read-only, for the step's pip and other TLS clients.
        if let ca = ["PIP_CERT", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"].lazy.compactMap({ host[$0] }).first,
            Self.isRegularFile(FilePath(ca))
        {
            c.binds.append(.init(FilePath(ca), at: FilePath(caMount)))
            c.environment["PIP_CERT"] = caMount
            c.environment["SSL_CERT_FILE"] = caMount
        }
        // Name resolution: the host's resolv.conf, read-only, over the image's own (a bind,
        // so the layer keeps the image's).
        if FileManager.default.fileExists(atPath: "/etc/resolv.conf"),
            below.contains(where: { Self.isRegularFile($0.appending("etc/resolv.conf")) })
        {
            c.binds.append(.init("/etc/resolv.conf"))
        }
        return c
    }

    static func isRegularFile(_ path: FilePath) -> Bool {
        var st = stat()
        return lstat(path.string, &st) == 0 && st.st_mode & S_IFMT == S_IFREG
    }

    /// Where a copy step's source is bound (read-only) in its sandbox.
    static let copyMount = "/.proctor-copy"
    /// Where the host's CA bundle is bound (read-only) in a step's sandbox.
    static let caMount = "/.proctor-ca.crt"

    /// The command of a step, run as root in its sandbox.
    static func command(_ step: Recipe.Step) -> [String] {
        switch step {
        case .apt(let packages):
            return [
                "sh", "-c",
                "apt-get update -q && apt-get install -y -q --no-install-recommends \"$@\" && apt-get clean && rm -rf /var/lib/apt/lists/*",
                "apt",
            ] + packages
        case .pip(let packages):
            return ["python3", "-m", "pip", "install", "--no-cache-dir"] + packages
        case .run(let command):
            return ["sh", "-c", command]
        case .copy(let source, let target):
            var st = stat()
            let isFolder = stat(source.string, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR
            let from = isFolder ? copyMount + "/." : copyMount + "/" + (source.lastComponent?.string ?? "")
            let prepare = isFolder ? "mkdir -p \"$2\"" : "mkdir -p \"$(dirname \"$2\")\""
            return ["sh", "-c", "\(prepare) && cp -a \"$1\" \"$2\"", "copy", from, target]
        }
    }

    private func buildStep(
        _ step: Recipe.Step, below: [ImageManifest.Layer], digest: String, progress: (@Sendable (Progress) -> Void)?
    ) async throws {
        let stage = try store.temporaryFolder("step")
        defer { try? ImageStore.removeTree(stage) }
        for name in ["upper", "work"] {
            guard mkdir(stage.appending(name).string, 0o755) == 0 else {
                throw ImageError(.store, "cannot make \(stage)/\(name)")
            }
        }
        var configuration = Self.stepConfiguration(
            below: below.map { store.layerPath($0.digest) }, layerFolder: stage)
        if case .copy(let source, _) = step {
            var st = stat()
            let isFolder = stat(source.string, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR
            configuration.binds.append(.init(isFolder ? source : source.removingLastComponent(), at: FilePath(Self.copyMount)))
        }
        let sandbox: Sandbox
        do {
            sandbox = try await Sandbox.create(configuration, logger: logger)
        } catch {
            throw ImageError(.buildFailed, "the step's sandbox: \(error)")
        }
        var options = ExecOptions()
        options.wallTime = stepTimeout
        options.outputLimit = 1 << 30
        options.captureLimit = 256 << 10
        options.streamOutput = progress != nil
        options.cwd = "/"
        let result: ExecResult
        do {
            let execution = try await sandbox.exec(Self.command(step), options)
            if let progress {
                async let out: Void = Self.pump(execution.stdout, progress)
                async let err: Void = Self.pump(execution.stderr, progress)
                _ = await (out, err)
            }
            result = await execution.wait()
        } catch {
            await sandbox.terminate()
            throw ImageError(.buildFailed, "\(Self.describe(step)): \(error)")
        }
        await sandbox.terminate()
        guard result.status == .exited, result.exitCode == 0 else {
            let output = String(decoding: result.stdout.suffix(4000) + result.stderr.suffix(4000), as: UTF8.self)
            throw ImageError(
                .buildFailed,
                "\(Self.describe(step)) failed (\(result.status.rawValue)\(result.exitCode.map { " \($0)" } ?? ""))\(result.error.map { ": \($0)" } ?? ""):\n\(output)"
            )
        }
        // The mount points of the step's binds are the sandbox's, not the image's.
        let upper = stage.appending("upper")
        if case .copy = step { rmdir(upper.appending(String(Self.copyMount.dropFirst())).string) }
        if Self.isRegularFile(upper.appending(String(Self.caMount.dropFirst()))) {
            unlink(upper.appending(String(Self.caMount.dropFirst())).string)
        }
        _ = try store.install(stage.appending("upper"), as: digest)
    }

    private static func pump(_ stream: AsyncStream<[UInt8]>, _ progress: @Sendable (Progress) -> Void) async {
        for await chunk in stream { progress(.output(chunk)) }
    }

    static func describe(_ step: Recipe.Step) -> String {
        (try? Recipe.canonical(step)) ?? "step"
    }
}

extension Duration {
    var inSeconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
