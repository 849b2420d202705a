import Foundation
import TestSupport
import Testing

@testable import Sandbox

/// Each attack states the contained outcome it expects.
@Suite("limits: every bomb ends as a result, the host unharmed", .needsRoot, .serialized, .timeLimit(.minutes(10)))
struct LimitTests {
    @Test("fork bomb: stopped by the pids limit and the wall time; nothing survives")
    func forkBomb() async throws {
        var c = SandboxConfiguration()
        c.limits.processes = 32
        try await withSandbox(c) { (sandbox: Sandbox) async throws in
            let r = try await sandbox.run(
                ["/bin/bash", "-c", "f() { f | f & }; f; sleep 2; echo alive"],
                .limited(wall: .seconds(3)))
            #expect([.exited, .wallTimeLimit, .signaled].contains(r.status))
            // After the run, nothing of it is left in the sandbox.
            let ps = try await sandbox.run(["/bin/sh", "-c", "cat /proc/[0-9]*/comm"])
            #expect(!ps.out.contains("bash") && !ps.out.contains("sleep"), "left running: \(ps.out)")
        }
    }

    @Test("thread bomb: thread creation fails at the pids limit")
    func threadBomb() async throws {
        var c = SandboxConfiguration()
        c.limits.processes = 20
        try await withSandbox(c) { (sandbox: Sandbox) async throws in
            let script = """
                import threading, time
                n = 0
                try:
                    while True:
                        threading.Thread(target=time.sleep, args=(5,), daemon=True).start()
                        n += 1
                except RuntimeError as e:
                    print("stopped at", n)
                """
            let r = try await sandbox.run(["/usr/bin/python3", "-c", script], .limited(wall: .seconds(10)))
            #expect(r.status == .exited)
            let count = Int(r.out.split(separator: " ").last?.dropLast() ?? "") ?? 999
            #expect(count < 20)
        }
    }

    @Test("memory bomb: memory-limit, OOM-killed, peak near the limit")
    func memoryBomb() async throws {
        var c = SandboxConfiguration()
        c.limits.memory = 64 << 20
        try await withSandbox(c) { (sandbox: Sandbox) async throws in
            let r = try await sandbox.run(
                ["/usr/bin/python3", "-c", "a = []\nwhile True: a.append(bytearray(1 << 20))"],
                .limited(wall: .seconds(20)))
            #expect(r.status == .memoryLimit)
            #expect(r.oomKilled)
            #expect(r.memoryPeak > 48 << 20 && r.memoryPeak <= 66 << 20)
            // The sandbox is still usable after the OOM.
            #expect(try await sandbox.run(["/bin/echo", "ok"]).out == "ok\n")
        }
    }

    @Test("a per-exec memory limit below the sandbox's")
    func perExecMemory() async throws {
        try await withSandbox { (sandbox: Sandbox) async throws in
            var o = ExecOptions.limited()
            o.memory = 32 << 20
            let r = try await sandbox.run(["/usr/bin/python3", "-c", "b = bytearray(100 << 20)"], o)
            #expect(r.status == .memoryLimit)
            let ok = try await sandbox.run(["/usr/bin/python3", "-c", "b = bytearray(100 << 20); print(len(b))"])
            #expect(ok.status == .exited && ok.out == "\(100 << 20)\n")
        }
    }

    @Test("CPU spin in 4 threads: cpu-time-limit, CPU time summed over threads")
    func cpuSpinThreads() async throws {
        try await withSandbox { (sandbox: Sandbox) async throws in
            let source = """
                #include <pthread.h>
                static void *spin(void *p) { for (;;) {} return p; }
                int main(void) { pthread_t t[4]; for (int i = 0; i < 4; i++) pthread_create(&t[i], 0, spin, 0); pthread_join(t[0], 0); }
                """
            try sandbox.fs.write("spin.c", source)
            let build = try await sandbox.run(
                ["/usr/bin/gcc", "-O1", "-pthread", "-o", "spin", "spin.c"], .limited(wall: .seconds(30)))
            try #require(build.status == .exited && build.exitCode == 0, "gcc: \(build.err)")
            let r = try await sandbox.run(["./spin"], .limited(cpu: .seconds(1), wall: .seconds(10)))
            #expect(r.status == .cpuTimeLimit)
            // The main thread only waits; no single thread reaches 1 s before the sum does,
            // so only CPU time summed over threads can end this run before the 10 s wall limit.
            #expect(r.cpuTime >= 1.0 && r.cpuTime < 2.0)
            #expect(r.wallTime < 5)
        }
    }

    @Test("a CPU quota of half a core: a spinning process gets about half the wall time")
    func cpuQuota() async throws {
        var c = SandboxConfiguration()
        c.limits.cpus = 0.5
        try await withSandbox(c) { (sandbox: Sandbox) async throws in
            let r = try await sandbox.run(["/bin/sh", "-c", "while :; do :; done"], .limited(wall: .seconds(2)))
            #expect(r.status == .wallTimeLimit)
            #expect(r.cpuTime > 0.6 && r.cpuTime < 1.3, "cpu \(r.cpuTime) s in \(r.wallTime) s")
        }
    }

    @Test("sleep forever: wall-time-limit")
    func sleepForever() async throws {
        try await withSandbox { (sandbox: Sandbox) async throws in
            let r = try await sandbox.run(["sleep", "1000"], .limited(cpu: .seconds(1), wall: .milliseconds(300)))
            #expect(r.status == .wallTimeLimit)
            #expect(r.wallTime >= 0.3 && r.wallTime < 2)
            #expect(r.cpuTime < 0.2)
        }
    }

    @Test("2 GB stdout flood: output-limit; the runner never buffers past the cap")
    func outputFlood() async throws {
        try await withSandbox { (sandbox: Sandbox) async throws in
            let before = residentMemory()
            var o = ExecOptions.limited(wall: .seconds(60), output: 1 << 20)
            o.captureLimit = 1 << 20
            let r = try await sandbox.run(["/bin/sh", "-c", "head -c 2000000000 /dev/zero"], o)
            #expect(r.status == .outputLimit)
            #expect(r.stdout.count == 1 << 20)
            #expect(r.stdoutTruncated)
            #expect(residentMemory() - before < 32 << 20)
        }
    }

    @Test("2 GB flood without a limit to hit: drained to the end, memory flat")
    func floodDrained() async throws {
        try await withSandbox { (sandbox: Sandbox) async throws in
            let before = residentMemory()
            var o = ExecOptions.limited(wall: .seconds(120), output: Int.max)
            o.captureLimit = 64 << 10
            let r = try await sandbox.run(["/bin/sh", "-c", "head -c 2000000000 /dev/zero; echo done >&2"], o)
            #expect(r.status == .exited && r.exitCode == 0)
            #expect(r.err == "done\n")  // the writer never blocked on a full pipe
            #expect(r.stdout.count == 64 << 10 && r.stdoutTruncated)
            #expect(residentMemory() - before < 32 << 20)
        }
    }

    @Test("disk fill of the workdir, /tmp and /dev/shm: ENOSPC at the tmpfs size")
    func diskFill() async throws {
        var c = SandboxConfiguration()
        c.limits.workdirSize = 8 << 20
        c.limits.tmpSize = 8 << 20
        c.limits.memory = 256 << 20
        try await withSandbox(c) { (sandbox: Sandbox) async throws in
            for folder in ["/sandbox", "/tmp", "/dev/shm"] {
                let r = try await sandbox.run([
                    "/bin/sh", "-c", "dd if=/dev/zero of=\(folder)/fill bs=1M count=100 2>&1; du -k \(folder)/fill",
                ])
                #expect(r.out.contains("No space left on device"), "\(folder): \(r.out)")
                let kb = Int(r.out.split(separator: "\n").last?.split(separator: "\t").first ?? "") ?? 0
                #expect(kb <= 8 * 1024, "\(folder) grew to \(kb) KiB")
            }
        }
    }

    @Test("RLIMIT_FSIZE: a file larger than the limit is cut (SIGXFSZ)")
    func fileSizeLimit() async throws {
        var c = SandboxConfiguration()
        c.limits.fileSize = 1 << 20
        try await withSandbox(c) { (sandbox: Sandbox) async throws in
            let r = try await sandbox.run(["/bin/sh", "-c", "exec head -c 4000000 /dev/zero > big"])
            #expect(r.status == .signaled && r.signal == 25)
            #expect(try sandbox.fs.stat("big").size == 1 << 20)
        }
    }

    @Test("RLIMIT_NOFILE and RLIMIT_CORE are set")
    func rlimits() async throws {
        var c = SandboxConfiguration()
        c.limits.openFiles = 100
        try await withSandbox(c) { (sandbox: Sandbox) async throws in
            let r = try await sandbox.run(["/bin/sh", "-c", "ulimit -n; ulimit -c; ulimit -v"])
            #expect(r.out == "100\n0\nunlimited\n")
        }
    }

    /// An address-space limit (problemtools' memory rule): a reservation past it fails at
    /// once, though never touched and well under the memory cgroup's limit.
    @Test("RLIMIT_AS: a reservation past the address-space limit fails")
    func addressSpace() async throws {
        var c = SandboxConfiguration()
        c.limits.memory = 1 << 30
        c.limits.addressSpace = 128 << 20
        try await withSandbox(c) { (sandbox: Sandbox) async throws in
            let r = try await sandbox.run(["/bin/sh", "-c", "ulimit -v"])
            #expect(r.out == "131072\n")
            let script = "b = bytearray(256 << 20)"
            let big = try await sandbox.run(["/usr/bin/python3", "-c", script])
            #expect(big.status == .exited && big.exitCode == 1 && big.err.contains("MemoryError"), "\(big)")
        }
    }

    /// tmpfs pages count as memory. At the limit the OOM killer used to take the sandbox's
    /// init (a fork of the runner: the largest process in the group), the pid namespace
    /// died, and the run read `signaled 9`, oom_killed false: an RTE where an MLE was due.
    @Test(
        "filling /tmp, /dev/shm or the workdir past the memory limit: memory-limit; init survives",
        arguments: ["/tmp", "/dev/shm", "/sandbox"])
    func tmpfsFill(_ folder: String) async throws {
        var c = SandboxConfiguration()
        c.limits.memory = 64 << 20
        c.limits.tmpSize = 256 << 20  // the tmpfs sizes are not what stops it
        c.limits.workdirSize = 256 << 20
        c.limits.fileSize = 256 << 20
        try await withSandbox(c) { (sandbox: Sandbox) async throws in
            let r = try await sandbox.run(
                ["/bin/sh", "-c", "exec head -c 200000000 /dev/zero > \(folder)/fill"],
                .limited(wall: .seconds(20)))
            #expect(r.status == .memoryLimit, "\(r.status) signal \(String(describing: r.signal)) \(r.err)")
            #expect(r.oomKilled)
            #expect(sandbox.isAlive, "the sandbox's init died")
            // Once the file is gone, the sandbox runs again.
            try sandbox.fs.remove("\(folder)/fill")
            #expect(try await sandbox.run(["/bin/echo", "ok"]).out == "ok\n")
        }
    }
}
