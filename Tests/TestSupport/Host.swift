import Foundation
import Sandbox
import SystemPackage
import Testing

/// Facts about the machine that decide whether a test can run; tests that need them say
/// so with a trait, and Swift Testing lists them as skipped with the reason.
public enum Host {
    public static let isRoot = geteuid() == 0
    /// The repository's top folder (this file is Tests/TestSupport/Host.swift).
    public static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    public static let fixtures = repository.appendingPathComponent("Fixtures")
    /// The `proctor` binary built beside the test bundle.
    public static let proctor = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("proctor").path
    /// The python3 on PATH (where pip installs the test tools), else the system's.
    public static let python =
        ((ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { $0 + "/python3" }
        + ["/usr/bin/python3"]).first { FileManager.default.isExecutableFile(atPath: $0) }

    public static func has(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// Runs a host command, returning its exit status and stdout (with stderr).
    @discardableResult
    public static func run(_ argv: [String]) throws -> (status: Int32, output: String) {
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

    /// A python3 module importable on the host (for client and validator tests).
    public static func hasPython(module: String) -> Bool {
        guard let python else { return false }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", "import \(module)"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }

    /// Compiles a C fixture once per test process into a temp folder.
    public static func compiled(_ fixture: String, flags: [String] = []) throws -> FilePath {
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
        let output = folder.appendingPathComponent(
            URL(fileURLWithPath: fixture).deletingPathExtension().lastPathComponent
                + (flags.isEmpty ? "" : "-\(done.count)")
        ).path
        let source = Host.fixtures.appendingPathComponent(fixture).path
        let (status, log) = try Host.run(["/usr/bin/gcc", "-O1", "-o", output, source] + flags)
        guard status == 0 else { throw SandboxError(.setup, "gcc \(fixture) failed: \(log)") }
        done[key] = FilePath(output)
        return FilePath(output)
    }
}

extension Trait where Self == ConditionTrait {
    /// Sandboxes need root (namespaces, mounts, cgroups). CI runs as root.
    public static var needsRoot: Self {
        .enabled(if: Host.isRoot, "needs root: sandboxes use namespaces, mounts and cgroups")
    }
}
