import Foundation
import SystemPackage
import TestSupport
import Testing

@testable import Sandbox

/// `Sandbox.runOnce` (what `proctor exec` runs): the command's process is made with init
/// and sets itself up while init builds the root, entering the mount namespace before
/// init's pivot_root. These attack that path: where the command finds itself, what it can
/// do, what a failure leaves, and the check that makes it fail closed.
@Suite("runOnce: a held first exec", .needsRoot)
struct RunOnceTests {
    struct Ran {
        var result: ExecResult
        var out: String { result.out }
    }

    static func runOnce(
        _ argv: [String], _ configuration: SandboxConfiguration = .init(), prepare: (Sandbox) throws -> Void = { _ in }
    ) throws -> Ran {
        Ran(result: try Sandbox.runOnce(configuration, argv, prepare: prepare))
    }

    @Test("output streams to the caller as it comes, when asked")
    func streamed() throws {
        let collected = Collected()
        var options = ExecOptions()
        options.streamOutput = true
        let result = try Sandbox.runOnce(
            .init(), ["/bin/sh", "-c", "echo out; echo err >&2"], options,
            output: { stream, chunk in collected.append(stream == 0 ? chunk : Array("[err]".utf8) + chunk) })
        #expect(result.exitCode == 0)
        #expect(collected.text.contains("out\n") && collected.text.contains("[err]err\n"), "\(collected.text)")
    }

    final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var bytes: [UInt8] = []
        func append(_ chunk: [UInt8]) { lock.withLock { bytes += chunk } }
        var text: String { lock.withLock { String(decoding: bytes, as: UTF8.self) } }
    }

    @Test("the command runs in the sandbox's root, its workdir, as the sandbox's user, confined")
    func whereItRuns() throws {
        let r = try Self.runOnce([
            "/bin/sh", "-c",
            "pwd; id -u; ls /; cat /proc/1/comm; grep -E '^(NoNewPrivs|Seccomp|CapBnd|CapEff):' /proc/self/status; "
                + "grep -c . /proc/self/mountinfo; grep -c ' /work\\| /run/proctor' /proc/self/mountinfo",
        ])
        #expect(r.result.status == .exited && r.result.exitCode == 1, "\(r.result)")  // the last grep finds nothing
        let lines = r.out.split(separator: "\n").map(String.init)
        #expect(lines.first == "/sandbox")
        #expect(lines.dropFirst().first.map { Int($0)! >= 600_000 } == true)
        for entry in ["bin", "dev", "etc", "proc", "sandbox", "tmp", "usr"] { #expect(lines.contains(entry), "\(entry)") }
        #expect(!lines.contains("work") && !lines.contains("root") && !lines.contains("home"))
        #expect(lines.contains("proctor-init"))
        #expect(lines.contains("NoNewPrivs:\t1") && lines.contains("Seccomp:\t2"))
        #expect(lines.contains("CapBnd:\t0000000000000000") && lines.contains("CapEff:\t0000000000000000"))
        #expect(lines.last == "0")  // no host path mounted inside
    }

    @Test(
        "attacks from the held command fail as from any exec",
        arguments: ["mount", "unshare", "chroot", "setns", "ptrace", "clone-newuser"])
    func attacks(_ name: String) throws {
        let binary = try Host.compiled("attacks/attack.c")
        let r = try Self.runOnce(["./attack", name]) { sandbox in try sandbox.fs.copy(from: binary, to: "attack") }
        #expect(r.result.status == .exited, "\(name): \(r.result)")
        #expect(r.out.hasPrefix("blocked"), "\(name): \(r.out)")
    }

    @Test("what prepare copies in is there when the command starts")
    func prepareRunsFirst() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("runonce-\(UUID()).txt").path
        try "copied in\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let r = try Self.runOnce(["/bin/cat", "input.txt"]) { sandbox in
            try sandbox.fs.copy(from: FilePath(file), to: "input.txt")
        }
        #expect(r.result.exitCode == 0 && r.out == "copied in\n", "\(r.result)")
    }

    @Test("a held command released with another root's identity fails instead of running")
    func wrongRootFailsClosed() throws {
        let (sandbox, held) = try Sandbox.makeHolding(.init(), ["/bin/echo", "ran"], .init(), logger: .init(label: "test"))
        defer { sandbox.terminateSynchronously() }
        var tampered = held
        tampered.rootInode &+= 1
        let result = sandbox.run(tampered) { _, _ in }
        #expect(result.status == .sandboxError, "\(result)")
        let error = result.error ?? ""
        #expect(error.contains("find the sandbox's root") && error.contains("cross-device"), "\(error)")
        #expect(result.stdout.isEmpty)
    }

    @Test("a prepare that fails: the held command never runs and nothing of the sandbox is left")
    func failedPrepareLeavesNothing() throws {
        let (sandbox, held) = try Sandbox.makeHolding(.init(), ["/bin/true"], .init(), logger: .init(label: "test"))
        let initPid = sandbox.initPid
        let slot = held.plan.slot.path
        held.discard(sandbox.cgroups)
        sandbox.terminateSynchronously()
        #expect(kill(initPid, 0) != 0 && errno == ESRCH)
        #expect(sandbox.runtime.driver.isEmptyTree(slot))
        struct Refused: Error {}
        #expect(throws: Refused.self) {
            _ = try Self.runOnce(["/bin/true"]) { _ in throw Refused() }
        }
    }

    @Test("limits and exit status as for any exec: a nonzero exit, a signal, a missing program")
    func outcomes() throws {
        #expect(try Self.runOnce(["/bin/sh", "-c", "exit 3"]).result.exitCode == 3)
        let killed = try Self.runOnce(["/bin/sh", "-c", "kill -9 $$"]).result
        #expect(killed.status == .signaled && killed.signal == 9)
        let missing = try Self.runOnce(["/nonexistent"]).result
        #expect(missing.status == .sandboxError && missing.error?.contains("exec /nonexistent: ENOENT") == true)
        var small = SandboxConfiguration()
        small.limits.processes = 4
        let forks = try Self.runOnce(["/bin/sh", "-c", "for i in 1 2 3 4 5 6; do sleep 1 & done; wait"], small).result
        #expect(forks.exitCode != 0 || forks.status != .exited, "\(forks)")
    }
}
