import Foundation
import TestSupport
import Testing

@testable import Sandbox

@Suite("pool: warm sandboxes, reset between uses", .needsRoot)
struct PoolTests {
    @Test("a reused sandbox shows nothing of its last use")
    func resetWipes() async throws {
        let pool = SandboxPool(capacity: 1)
        try await pool.prewarm(1)
        let first = try await pool.acquire()
        try first.fs.write("secret.txt", "from the first user")
        _ = try await first.run(["/bin/sh", "-c", "echo x > /tmp/t; echo y > /dev/shm/s; mkdir -p deep/er; touch deep/er/f"])
        // SysV shared memory and a POSIX message queue, left behind on purpose.
        let ipc = try await first.run([
            "/usr/bin/python3", "-c",
            """
            import ctypes, os
            libc = ctypes.CDLL(None, use_errno=True)
            shm = libc.shmget(0x1234, 4096, 0o1600)
            librt = ctypes.CDLL("librt.so.1", use_errno=True)
            mq = librt.mq_open(b"/leftover", os.O_CREAT | os.O_RDWR, 0o600, None)
            print(shm >= 0, mq >= 0)
            """,
        ])
        #expect(ipc.out == "True True\n", "\(ipc.err)")
        let seen = try await first.run(["/bin/sh", "-c", "tail -n +2 /proc/sysvipc/shm | wc -l"])
        #expect(seen.out == "1\n")
        // A process still running when the sandbox goes back.
        let background = try await first.exec(["sleep", "100"], .limited(wall: .seconds(60)))
        await pool.release(first)
        #expect(await background.wait().status == .signaled)

        let second = try await pool.acquire()
        #expect(second === first)  // the same warm sandbox
        #expect(try second.fs.list().isEmpty)
        let r = try await second.run([
            "/bin/sh", "-c",
            "ls -A /sandbox /tmp /dev/shm; cat /proc/[0-9]*/comm | grep -c sleep; tail -n +2 /proc/sysvipc/shm | wc -l",
        ])
        #expect(r.out == "/dev/shm:\n\n/sandbox:\n\n/tmp:\n0\n0\n", "\(r.out)")
        let mq = try await second.run([
            "/usr/bin/python3", "-c",
            """
            import ctypes, os
            librt = ctypes.CDLL("librt.so.1", use_errno=True)
            print(librt.mq_open(b"/leftover", os.O_RDWR, 0, None) < 0)
            """,
        ])
        #expect(mq.out == "True\n")
        await pool.release(second)
        await pool.shutdown()
        #expect(second.isTerminated)
    }

    @Test("withSandbox hands the sandbox back even when the body throws")
    func withSandboxReleases() async throws {
        let pool = SandboxPool(capacity: 2)
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            try await pool.withSandbox { _ in throw Boom() }
        }
        #expect(await pool.idleCount == 1)
        let out = try await pool.withSandbox { try await $0.run(["/bin/echo", "ok"]).out }
        #expect(out == "ok\n")
        await pool.shutdown()
    }

    /// Waits (up to 2 s) until the sandbox's init is gone.
    static func waitDead(_ sandbox: Sandbox) async throws {
        for _ in 0..<200 where sandbox.isAlive { try await Task.sleep(for: .milliseconds(10)) }
        #expect(!sandbox.isAlive)
    }

    @Test("a pooled sandbox whose init was killed is replaced, not handed out")
    func deadInitReplaced() async throws {
        let pool = SandboxPool(capacity: 1)
        try await pool.prewarm(1)
        let first = try await pool.acquire()
        await pool.release(first)
        #expect(await pool.idleCount == 1)
        // Killed from the host while idle in the pool.
        kill(first.initPid, SIGKILL)
        try await Self.waitDead(first)
        let second = try await pool.acquire()
        #expect(second !== first)
        #expect(first.isTerminated)
        #expect(try await second.run(["/bin/echo", "ok"]).out == "ok\n")
        // Killed while in use: released, it is not kept.
        kill(second.initPid, SIGKILL)
        try await Self.waitDead(second)
        await #expect(throws: SandboxError.self) { try await second.run(["/bin/echo", "ok"]) }
        await pool.release(second)
        #expect(await pool.idleCount == 0)
        #expect(second.isTerminated)
        let third = try await pool.acquire()
        #expect(try await third.run(["/bin/echo", "ok"]).out == "ok\n")
        await pool.release(third)
        await pool.shutdown()
    }
}
