import Foundation
import Sandbox
import Testing

/// Whether sandboxes can be made here (root, cgroups, namespaces); suites that need them
/// are skipped, with this reason shown, where they cannot:
/// `@Suite(.enabled(SandboxSupport.reason) { await SandboxSupport.available() })`.
public enum SandboxSupport {
    public static let reason: Comment = "needs root with cgroups and namespaces (sandboxes); skipped"

    /// `caller` names the test target in the warning (from the caller's #fileID).
    public static func available(caller: String = #fileID) async -> Bool {
        let target = caller.split(separator: "/").first.map(String.init) ?? caller
        guard getuid() == 0 else {
            print("⚠️  \(target): not root: the tests that run sandboxes are SKIPPED")
            return false
        }
        do {
            let s = try await Sandbox.create()
            await s.terminate()
            return true
        } catch {
            print("⚠️  \(target): cannot make a sandbox (\(error)): the tests that run sandboxes are SKIPPED")
            return false
        }
    }
}

/// A fresh sandbox for one test body, terminated afterwards whatever happens.
public func withSandbox<T>(
    _ configuration: SandboxConfiguration = .init(),
    _ body: (Sandbox) async throws -> T
) async throws -> T {
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
    public static func limited(
        cpu: Duration? = nil, wall: Duration? = .seconds(10), output: Int? = nil,
        stdin: Input = .null
    ) -> ExecOptions {
        var o = ExecOptions()
        o.cpuTime = cpu
        o.wallTime = wall
        if let output { o.outputLimit = output }
        o.stdin = stdin
        return o
    }
}

extension ExecResult {
    public var out: String { String(decoding: stdout, as: UTF8.self) }
    public var err: String { String(decoding: stderr, as: UTF8.self) }
}

/// The runner's own resident memory (VmRSS), in bytes.
public func residentMemory() -> Int {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        let kb = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return kb * 1024
    }
    return 0
}
