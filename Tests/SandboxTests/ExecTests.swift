import Foundation
import Sandbox
import SystemPackage
import TestSupport
import Testing

@Suite("exec: processes, streams and results", .needsRoot)
struct ExecTests {
    @Test("exit codes, stdout and stderr come back")
    func exitCodeAndOutput() async throws {
        try await withSandbox { (sandbox: Sandbox) async throws in
            let r = try await sandbox.run(["/bin/sh", "-c", "echo out; echo err >&2; exit 7"])
            #expect(r.status == .exited)
            #expect(r.exitCode == 7)
            #expect(r.out == "out\n")
            #expect(r.err == "err\n")
            #expect(r.wallTime > 0)
            #expect(r.memoryPeak > 0)
        }
    }

    @Test("a relative command is looked up on the sandbox's PATH")
    func pathLookup() async throws {
        try await withSandbox { (sandbox: Sandbox) async throws in
            let r = try await sandbox.run(["echo", "hi"])
            #expect(r.status == .exited && r.out == "hi\n")
        }
    }

    @Test("a missing command is a sandbox-error that names the step and errno")
    func missingCommand() async throws {
        try await withSandbox { (sandbox: Sandbox) async throws in
            let r = try await sandbox.run(["no-such-command-here"])
            #expect(r.status == .sandboxError)
            #expect(r.error == "exec no-such-command-here: ENOENT (No such file or directory)")
        }
    }

    @Test("a child setup failure says which step failed and why")
    func setupStepIsNamed() async throws {
        var c = SandboxConfiguration()
        c.workdir = "/usr/proctor-workdir"  // below a read-only image folder
        await #expect {
            try await withSandbox(c) { _ in }
        } throws: { error in
            let text = "\(error)"
            return text.contains("mkdir /usr/proctor-workdir") && text.contains("EROFS")
        }
    }

    @Test("a signal death reports the signal")
    func signaled() async throws {
        try await withSandbox { (sandbox: Sandbox) async throws in
            let r = try await sandbox.run(["/bin/sh", "-c", "kill -SEGV $$"])
            #expect(r.status == .signaled)
            #expect(r.signal == 11)
            #expect(r.exitCode == nil)
            #expect(r.shellExitCode == 139)
        }
    }

    @Test("stdin from bytes, a host file, and an interactive pipe")
    func stdinKinds() async throws {
        try await withSandbox { (sandbox: Sandbox) async throws in
            var o = ExecOptions.limited(stdin: .bytes(Array("abc\n".utf8)))
            #expect(try await sandbox.run(["cat"], o).out == "abc\n")

            let file = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-stdin-\(getpid())")
            try Data("from a file\n".utf8).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            o.stdin = .file(FilePath(file.path))
            #expect(try await sandbox.run(["cat"], o).out == "from a file\n")

            // Interactive: write a line, read the answer, then close stdin.
            o.stdin = .pipe
            o.streamOutput = true
            let execution = try await sandbox.exec(["/bin/sh", "-c", "while read x; do echo got:$x; done"], o)
            var lines = execution.stdout.makeAsyncIterator()
            try await execution.stdin!.write("one\n")
            let first = await lines.next()
            #expect(first.map { String(decoding: $0, as: UTF8.self) } == "got:one\n")
            try await execution.stdin!.write("two\n")
            execution.stdin!.close()
            let result = await execution.wait()
            #expect(result.status == .exited && result.exitCode == 0)
            #expect(result.out == "got:one\ngot:two\n")
        }
    }

    @Test("several execs run in one sandbox at once and in turn")
    func concurrentExecs() async throws {
        try await withSandbox { (sandbox: Sandbox) async throws in
            try await withThrowingTaskGroup(of: ExecResult.self) { group in
                for i in 0..<4 {
                    group.addTask { try await sandbox.run(["/bin/sh", "-c", "sleep 0.2; echo \(i)"]) }
                }
                var seen: Set<String> = []
                for try await r in group { seen.insert(r.out) }
                #expect(seen == ["0\n", "1\n", "2\n", "3\n"])
            }
            for i in 0..<3 {
                #expect(try await sandbox.run(["/bin/echo", "\(i)"]).out == "\(i)\n")
            }
        }
    }

    @Test("environment: the sandbox's plus the exec's")
    func environment() async throws {
        var c = SandboxConfiguration()
        c.environment["FROM_SANDBOX"] = "a"
        try await withSandbox(c) { (sandbox: Sandbox) async throws in
            var o = ExecOptions()
            o.environment["FROM_EXEC"] = "b"
            let r = try await sandbox.run(["/bin/sh", "-c", "echo $FROM_SANDBOX$FROM_EXEC; pwd; id -u"], o)
            #expect(r.out == "ab\n/sandbox\n\(sandbox.uid)\n")
        }
    }

    @Test("non-UTF-8 output bytes are kept exactly")
    func binaryOutput() async throws {
        try await withSandbox { (sandbox: Sandbox) async throws in
            let r = try await sandbox.run(["/usr/bin/printf", "\\377\\000\\001ok"])
            #expect(r.stdout == [0xFF, 0x00, 0x01, 0x6F, 0x6B])
            #expect(JSONText.quoted(r.stdout) == "\"\\udcff\\u0000\\u0001ok\"")
        }
    }

    @Test("streamed output arrives while the process still runs")
    func streaming() async throws {
        try await withSandbox { (sandbox: Sandbox) async throws in
            var o = ExecOptions.limited()
            o.streamOutput = true
            o.stdin = .pipe
            let e = try await sandbox.exec(["/bin/sh", "-c", "echo first; read x; echo second"], o)
            var it = e.stdout.makeAsyncIterator()
            let first = await it.next()
            #expect(first == Array("first\n".utf8))  // before the process could finish: it waits for stdin
            e.stdin!.close()
            let r = await e.wait()
            #expect(r.out == "first\nsecond\n")
        }
    }

    @Test("a binary written just before its exec runs, even while other threads spawn (no ETXTBSY)")
    func freshBinaries() async throws {
        let binary = try Array(Data(contentsOf: URL(fileURLWithPath: "/bin/true")))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    try await withSandbox { (sandbox: Sandbox) async throws in
                        for i in 0..<40 {
                            try sandbox.fs.write("t\(worker)-\(i)", binary, mode: 0o755)
                            let r = try await sandbox.run(["./t\(worker)-\(i)"])
                            #expect(r.status == .exited && r.exitCode == 0, "\(r.error ?? "")")
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    @Test("kill() stops a run")
    func killRun() async throws {
        try await withSandbox { (sandbox: Sandbox) async throws in
            let e = try await sandbox.exec(["sleep", "100"], .limited(wall: .seconds(30)))
            try await Task.sleep(for: .milliseconds(100))
            let killed = ContinuousClock.now
            e.kill()
            let r = await e.wait()
            // sleep 100 under a 30 s wall limit: only the kill ends it signaled, and soon.
            #expect(r.status == .signaled && r.signal == 9)
            #expect(ContinuousClock.now - killed < .seconds(3))
        }
    }

    /// How soon a cancelled run must be gone. Alone it takes milliseconds; with the whole
    /// suite running in parallel on two loaded cores, 1.5 s has been seen. Not killed, the
    /// run would last its 60 s wall limit: 10 s tells the two apart without racing the load.
    static let killBound: Duration = .seconds(10)

    /// The names of the processes in the sandbox, as its own /proc shows them.
    static func processNames(_ sandbox: Sandbox) async throws -> String {
        try await sandbox.run(["/bin/sh", "-c", "cat /proc/[0-9]*/comm"]).out
    }

    @Test("cancelling a task that awaits run() kills the run at once; the sandbox goes on")
    func cancelRun() async throws {
        try await withSandbox { (sandbox: Sandbox) async throws in
            let task = Task { try await sandbox.run(["sleep", "100"], .limited(wall: .seconds(60))) }
            var started = false
            for _ in 0..<100 where !started {
                try await Task.sleep(for: .milliseconds(50))
                started = try await Self.processNames(sandbox).contains("sleep")
            }
            try #require(started, "sleep never started")
            let clock = ContinuousClock()
            let begin = clock.now
            task.cancel()
            let r = try await task.value
            #expect(clock.now - begin < Self.killBound)
            #expect(r.status == .signaled && r.signal == 9)
            #expect(!(try await Self.processNames(sandbox).contains("sleep")))
            #expect(try await sandbox.run(["/bin/echo", "ok"]).out == "ok\n")
        }
    }

    @Test("cancelling a task that awaits an execution's wait() kills that execution")
    func cancelWait() async throws {
        try await withSandbox { (sandbox: Sandbox) async throws in
            let execution = try await sandbox.exec(["sleep", "100"], .limited(wall: .seconds(60)))
            let waiter = Task { await execution.wait() }
            try await Task.sleep(for: .milliseconds(100))
            let clock = ContinuousClock()
            let begin = clock.now
            waiter.cancel()
            let r = await waiter.value
            #expect(clock.now - begin < Self.killBound)
            #expect(r.status == .signaled)
            #expect(kill(execution.pid, 0) == -1 && errno == ESRCH, "the process is still there")
            #expect(try await sandbox.run(["/bin/echo", "ok"]).out == "ok\n")
        }
    }
}

/// The synchronous path a one-shot CLI run takes (`createSynchronously`, `runSynchronously`,
/// `terminateSynchronously`): same results and limits as the async one, output delivered
/// to the callback as it comes, nothing left behind.
@Suite("exec on the calling thread", .needsRoot)
struct SynchronousExecTests {
    @Test("results, streamed output, limits and termination without tasks")
    func synchronousRun() throws {
        var c = SandboxConfiguration()
        c.limits.processes = 16
        let sandbox = try Sandbox.createSynchronously(c)
        defer { sandbox.terminateSynchronously() }
        var options = ExecOptions()
        options.streamOutput = true
        options.captureLimit = 0
        var chunks: [[UInt8]] = [[], []]
        let r = try sandbox.runSynchronously(["/bin/sh", "-c", "echo out; echo err >&2; exit 7"], options) { stream, chunk in
            chunks[stream] += chunk
        }
        #expect(r.status == .exited && r.exitCode == 7)
        #expect(String(decoding: chunks[0], as: UTF8.self) == "out\n" && String(decoding: chunks[1], as: UTF8.self) == "err\n")
        // The limits hold here too: a wall-time limit stops a sleeper, the output limit a flood.
        var slow = ExecOptions()
        slow.wallTime = .milliseconds(300)
        let s = try sandbox.runSynchronously(["/bin/sleep", "30"], slow)
        #expect(s.status == .wallTimeLimit)
        var flood = ExecOptions()
        flood.outputLimit = 1 << 16
        let f = try sandbox.runSynchronously(["/bin/sh", "-c", "yes"], flood)
        #expect(f.status == .outputLimit)
        // A process left in the background dies with the run.
        let bg = try sandbox.runSynchronously(["/bin/sh", "-c", "sleep 60 & echo $!"])
        #expect(bg.status == .exited)
        sandbox.terminateSynchronously()
        #expect(!sandbox.isAlive)
        #expect(throws: SandboxError.self) { try sandbox.runSynchronously(["/bin/true"]) }
    }

    @Test("a lifetime needs the async create: refused")
    func lifetimeRefused() {
        var c = SandboxConfiguration()
        c.lifetime = .seconds(5)
        #expect(throws: SandboxError.self) { try Sandbox.createSynchronously(c) }
    }
}
