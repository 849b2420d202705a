import Foundation
import Testing

/// Paths of the repository's shipped suites and fixtures. Test targets add their own
/// `suite(_:)` (a path, or a loaded suite) in an extension.
public enum Repo {
    public static let root = Host.repository.path

    public static func fixture(_ path: String) -> String { root + "/Fixtures/" + path }
}

/// The `proctor` binary built beside the test bundle, run as a user would.
public enum CLI {
    public static var binary: String? {
        var folder = Bundle.main.bundleURL
        for _ in 0..<3 {
            let candidate = folder.appendingPathComponent("proctor").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return nil
    }

    /// Runs `proctor arguments` in the repository's top folder; `environment` is set on top
    /// of this process's (a nil value removes a variable).
    public static func run(_ arguments: [String], environment: [String: String?] = [:]) throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        finish(try start(arguments, environment: environment))
    }

    /// Runs `binary arguments` in the repository's top folder: its status, stdout, stderr.
    public static func run(binary: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        finish(try start(binary: binary, arguments))
    }

    /// Starts `proctor arguments` and returns at once (several run side by side).
    public static func start(_ arguments: [String], environment: [String: String?] = [:]) throws -> (
        process: Process, stdout: Pipe, stderr: Pipe
    ) {
        let binary = try #require(binary, "the proctor binary is not built beside the tests")
        return try start(binary: binary, arguments, environment: environment)
    }

    public static func start(binary: String, _ arguments: [String], environment: [String: String?] = [:]) throws -> (
        process: Process, stdout: Pipe, stderr: Pipe
    ) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = arguments
        p.currentDirectoryURL = URL(fileURLWithPath: Repo.root)
        if !environment.isEmpty {
            var env = ProcessInfo.processInfo.environment
            for (name, value) in environment { env[name] = value }
            p.environment = env
        }
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        return (p, out, err)
    }

    /// Waits for a started process: its status, stdout, stderr.
    public static func finish(_ p: (process: Process, stdout: Pipe, stderr: Pipe)) -> (
        status: Int32, stdout: String, stderr: String
    ) {
        let o = p.stdout.fileHandleForReading.readDataToEndOfFile()
        let e = p.stderr.fileHandleForReading.readDataToEndOfFile()
        p.process.waitUntilExit()
        return (p.process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}
