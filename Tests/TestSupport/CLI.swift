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

    /// Runs `proctor arguments` in the repository's top folder.
    public static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let binary = try #require(binary, "the proctor binary is not built beside the tests")
        return try run(binary: binary, arguments)
    }

    /// Runs `binary arguments` in the repository's top folder: its status, stdout, stderr.
    public static func run(binary: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = arguments
        p.currentDirectoryURL = URL(fileURLWithPath: Repo.root)
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}
