import Foundation
import Sandbox
import SystemPackage
import Testing

/// Facts about the machine that decide whether a test can run; tests that need them say
/// so with a trait, and Swift Testing lists them as skipped with the reason.
enum Host {
    static let isRoot = geteuid() == 0
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = repository.appendingPathComponent("Fixtures")

    static func has(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// Runs a host command, returning its exit status and stdout.
    @discardableResult
    static func run(_ argv: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Compiles a C fixture once per test process into a temp folder.
    static func compiled(_ fixture: String, flags: [String] = []) throws -> FilePath {
        try Compiled.shared.get(fixture, flags: flags)
    }
}

final class Compiled: @unchecked Sendable {
    static let shared = Compiled()
    private let lock = NSLock()
    private var done: [String: FilePath] = [:]
    private let folder = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-fixtures-\(getpid())")

    func get(_ fixture: String, flags: [String]) throws -> FilePath {
        lock.lock()
        defer { lock.unlock() }
        let key = ([fixture] + flags).joined(separator: " ")
        if let path = done[key] { return path }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let output = folder.appendingPathComponent(URL(fileURLWithPath: fixture).deletingPathExtension().lastPathComponent
            + (flags.isEmpty ? "" : "-\(done.count)")).path
        let source = Host.fixtures.appendingPathComponent(fixture).path
        let (status, log) = try Host.run(["/usr/bin/gcc", "-O1", "-o", output, source] + flags)
        guard status == 0 else { throw SandboxError(.setup, "gcc \(fixture) failed: \(log)") }
        done[key] = FilePath(output)
        return FilePath(output)
    }
}

extension Trait where Self == ConditionTrait {
    /// Sandboxes need root (namespaces, mounts, cgroups). CI runs as root.
    static var needsRoot: Self {
        .enabled(if: Host.isRoot, "needs root: sandboxes use namespaces, mounts and cgroups")
    }
}

/// A fresh sandbox for one test body, terminated afterwards whatever happens.
func withSandbox<T>(_ configuration: SandboxConfiguration = .init(),
                    _ body: (Sandbox) async throws -> T) async throws -> T {
    let sandbox = try await Sandbox.create(configuration)
    do {
        let value = try await body(sandbox)
        await sandbox.terminate()
        return value
    } catch {
        await sandbox.terminate()
        throw error
    }
}

extension ExecOptions {
    static func limited(cpu: Duration? = nil, wall: Duration? = .seconds(10), output: Int? = nil,
                        stdin: Input = .null) -> ExecOptions {
        var o = ExecOptions()
        o.cpuTime = cpu
        o.wallTime = wall
        if let output { o.outputLimit = output }
        o.stdin = stdin
        return o
    }
}

extension ExecResult {
    var out: String { String(decoding: stdout, as: UTF8.self) }
    var err: String { String(decoding: stderr, as: UTF8.self) }
}

/// The runner's own resident memory (VmRSS), in bytes.
func residentMemory() -> Int {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        let kb = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return kb * 1024
    }
    return 0
}
