import Foundation
import Images
import Logging
import Sandbox
import SystemPackage

/// A file the compiler left in the workdir, copied into every run's sandbox.
public struct BuildFile: Sendable, Hashable {
    public var path: String
    public var bytes: [UInt8]
    public var mode: UInt32
}

/// A program ready to run: what its language needs in the workdir.
public struct Build: Sendable {
    public var language: Language
    public var files: [BuildFile]
    /// A program its own build made (`BuildSystem`): the executables it made, one of which
    /// each problem runs (`program(named:)`); nil for the others.
    public var programs: [String]? = nil

    /// Puts the build into a sandbox's workdir.
    public func install(in sandbox: Sandbox) throws {
        for f in files { try sandbox.fs.write(f.path, f.bytes, mode: f.mode) }
    }
}

public enum BuildOutcome: Sendable {
    case built(Build)
    /// CE with the compiler's message, or JE (toolchain missing, sandbox failure).
    case failed(Verdict, String)
}

/// Sandboxes by configuration: runs with the same limits and binds share warm sandboxes.
public actor PoolSet {
    private var pools: [SandboxConfiguration: SandboxPool] = [:]
    private let capacity: Int
    private let logger: Logger

    public init(capacity: Int, logger: Logger) {
        self.capacity = capacity
        self.logger = logger
    }

    public func pool(_ configuration: SandboxConfiguration) -> SandboxPool {
        if let p = pools[configuration] { return p }
        let p = SandboxPool(configuration: configuration, capacity: capacity, logger: logger)
        pools[configuration] = p
        return p
    }

    public func shutdown() async {
        for p in pools.values { await p.shutdown() }
        pools = [:]
    }
}

extension Language {
    /// The sandbox for this language's programs: its binds and environment, and limits.
    public func sandboxConfiguration(memory: Int, processes: Int, workdirSize: Int = 256 << 20) -> SandboxConfiguration {
        var c = SandboxConfiguration()
        // A missing image is `toolchainProblem`'s to report; this never runs without it.
        if let image, let fromImage = try? images.sandboxImage(named: image) { c.image = fromImage }
        c.binds = binds.map { SandboxConfiguration.Bind(FilePath($0)) }
        c.environment.merge(environment) { $1 }
        c.limits.memory = memory
        c.limits.processes = processes
        c.limits.workdirSize = workdirSize
        c.limits.fileSize = workdirSize
        return c
    }

    /// Why this language cannot be used here, if it cannot.
    public var toolchainProblem: String? {
        let missing = missingTools
        return missing.isEmpty
            ? nil
            : "the \(name) toolchain is not installed \(image.map { "in image \($0)" } ?? "on this machine") (missing \(missing.joined(separator: ", ")))"
    }
}

/// Compiles a source once, in a sandbox of its own (a compiler reads untrusted input).
public struct Builder: Sendable {
    let pools: PoolSet

    public init(pools: PoolSet) {
        self.pools = pools
    }

    /// A submission: a host file the caller named.
    public func build(source: FilePath, language: Language, files: [ExtraFile] = []) async -> BuildOutcome {
        await build(original: source.lastComponent?.string ?? "", language: language, files: files) {
            try HostFile.read(source, limit: 16 << 20)
        }
    }

    /// A judge program of a suite or package: read beneath its folder.
    public func build(source: RootedPath, language: Language, files: [ExtraFile] = []) async -> BuildOutcome {
        await build(original: source.lastComponent?.string ?? "", language: language, files: files) {
            try source.read(limit: 16 << 20)
        }
    }

    /// A folder submission: its main file `main` (its path in the folder) and the other
    /// files, each under its own path in the workdir; `{files}` stands for every source of
    /// the language, sorted (problemtools' order).
    public func build(folderMain main: String, source: RootedPath, language: Language, files: [ExtraFile]) async
        -> BuildOutcome
    {
        await build(original: main, language: language, files: files, folder: true) { try source.read(limit: 16 << 20) }
    }

    /// A program given as bytes, with no file name of its own (the server's /execute, Judge0):
    /// the language's rules name it (Java: after its public class).
    public func build(code bytes: [UInt8], language: Language, extra: [BuildFile] = []) async -> BuildOutcome {
        if let problem = language.toolchainProblem { return .failed(.judgeError, problem) }
        return await compile(bytes, language.resolved(original: "", source: bytes), extra: extra)
    }

    /// `original` is the source's own file name, which some languages keep (Kattis' rules).
    /// A submission for unit tests (kind `unit`): its files put in place under their own
    /// names and not compiled, as a folder's are; the suite's build step compiles them with
    /// the instructor's tests (a C file without `main`, Java classes the tests use).
    public func stage(original: String, language: Language, files: [ExtraFile], read: () throws -> [UInt8]) async
        -> BuildOutcome
    {
        var staged = language
        staged.compile = nil
        return await build(original: original, language: staged, files: files, folder: true, read: read)
    }

    private func build(
        original: String, language: Language, files: [ExtraFile], folder: Bool = false, read: () throws -> [UInt8]
    ) async -> BuildOutcome {
        if let problem = language.toolchainProblem { return .failed(.judgeError, problem) }
        let bytes: [UInt8]
        do {
            bytes = try read()
        } catch {
            return .failed(.judgeError, "\(error)")
        }
        // Other sources of the program in its language are compiled with it where the
        // language's command has `{files}` (a validator of several .cpp files, a folder
        // submission); headers and modules are only there to be included.
        let together = files.filter { f in
            guard let ext = FilePath(f.target).extension?.lowercased() else { return false }
            return language.extensions.contains(ext) && (folder || !f.target.contains("/"))
        }.map(\.target)
        let defaultName = language.fileName
        let named = language.resolved(original: original, source: bytes, keepName: folder)
        let sources = folder ? ([original] + together).sorted() : [named.fileName] + together
        let language = language.resolved(original: original, source: bytes, sources: sources, keepName: folder)
        var extra: [BuildFile] = []
        // A source kept under its own name is also there under the language's usual name.
        if !folder && language.sourceNaming == .kept && language.fileName != defaultName {
            extra.append(BuildFile(path: defaultName, bytes: bytes, mode: 0o644))
        }
        for f in files {
            do {
                let (content, mode) = try f.source.contents(limit: 16 << 20)
                // A folder's files keep their execute bits (scripts it runs); a judge's extra files are plain.
                extra.append(BuildFile(path: f.target, bytes: content, mode: folder ? mode : 0o644))
            } catch {
                return .failed(.judgeError, "cannot read \(f.source): \(error)")
            }
        }
        return await compile(bytes, language, extra: extra)
    }

    /// Compiles `bytes` as the (already resolved) `language`, with `extra` files beside it.
    private func compile(_ bytes: [UInt8], _ language: Language, extra: [BuildFile]) async -> BuildOutcome {
        guard let compile = language.compile else {
            return .built(
                Build(language: language, files: extra + [BuildFile(path: language.fileName, bytes: bytes, mode: 0o644)]))
        }
        let configuration = language.sandboxConfiguration(memory: language.compileMemory, processes: 256, workdirSize: 512 << 20)
        do {
            return try await pools.pool(configuration).withSandbox { sandbox -> BuildOutcome in
                for f in extra { try sandbox.fs.write(f.path, f.bytes, mode: f.mode) }
                try sandbox.fs.write(language.fileName, bytes)
                var options = ExecOptions()
                options.cpuTime = language.compileTime
                options.wallTime = language.compileTime * 2
                options.outputLimit = 1 << 20
                options.captureLimit = 64 << 10
                let r = try await sandbox.run(compile, options)
                switch r.status {
                case .exited where r.exitCode == 0:
                    var files: [BuildFile] = []
                    try collect(sandbox, folder: ".", into: &files)
                    if let system = language.buildSystem {
                        let inputs = Dictionary(
                            extra.map { ($0.path, $0.bytes) } + [(language.fileName, bytes)], uniquingKeysWith: { $1 })
                        return Build.made(by: system, language: language, files: files, inputs: inputs)
                    }
                    return .built(Build(language: language, files: files))
                case .sandboxError:
                    return .failed(.judgeError, "the compiler could not run: \(r.error ?? "sandbox error")")
                case .exited, .signaled:
                    let text = OutputText.sanitize(r.stderr + r.stdout, limit: 8 << 10)
                    let how = r.exitCode.map { "exit code \($0)" } ?? "signal \(r.signal ?? 0)"
                    return .failed(.compileError, text.isEmpty ? "the compiler failed (\(how))" : text)
                case .cpuTimeLimit, .wallTimeLimit, .memoryLimit, .outputLimit:
                    return .failed(.compileError, "the compiler stopped: \(r.limitReason ?? r.status.rawValue)")
                }
            }
        } catch {
            return .failed(.judgeError, "compile sandbox: \(error)")
        }
    }

    /// Every file below `folder` (hidden ones, such as caches, left out).
    private func collect(_ sandbox: Sandbox, folder: String, into files: inout [BuildFile]) throws {
        for entry in try sandbox.fs.list(folder) where !entry.name.hasPrefix(".") {
            let path = folder == "." ? entry.name : folder + "/" + entry.name
            switch entry.kind {
            case .file: files.append(BuildFile(path: path, bytes: try sandbox.fs.read(path), mode: entry.mode & 0o777))
            case .directory: try collect(sandbox, folder: path, into: &files)
            case .symlink, .other: continue
            }
        }
    }
}

/// Program output made fit for reports: valid UTF-8, no control characters but tab and
/// newline (others and invalid bytes become \xNN), and at most `limit` bytes of input.
public enum OutputText {
    public static func sanitize(_ bytes: [UInt8], limit: Int = 4096) -> String {
        let cut = bytes.count > limit
        var out = ""
        let a = Array(bytes.prefix(limit))
        var i = 0
        while i < a.count {
            let b = a[i]
            if b == 0x0A || b == 0x09 || (b >= 0x20 && b < 0x7F) {
                out.unicodeScalars.append(UnicodeScalar(b))
            } else if b >= 0x80, case let n = Excerpt.utf8Length(a, i), n > 0 {
                let s = String(decoding: a[i..<(i + n)], as: UTF8.self)
                // U+FFFE and U+FFFF are not XML characters; C1 controls read badly.
                if s.unicodeScalars.allSatisfy({ $0.value != 0xFFFE && $0.value != 0xFFFF && !(0x80...0x9F).contains($0.value) })
                {
                    out += s
                } else {
                    out += a[i..<(i + n)].map(Excerpt.hex).joined()
                }
                i += n
                continue
            } else {
                out += Excerpt.hex(b)
            }
            i += 1
        }
        return cut ? out + "\n[… \(bytes.count - limit) more bytes]" : out
    }
}
