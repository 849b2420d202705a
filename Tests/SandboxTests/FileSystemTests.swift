import Foundation
import Synchronization
import SystemPackage
import TestSupport
import Testing

@testable import Sandbox

@Suite("fs: host-side file access, safe against what the program did", .needsRoot)
struct FileSystemTests {
    @Test("write, read, list, mkdir, stat, remove before and after execs")
    func roundTrip() async throws {
        try await withSandbox { (sandbox: Sandbox) async throws in
            try sandbox.fs.write("in/data.txt", "hello\n")
            try sandbox.fs.mkdir("/sandbox/out")
            let r = try await sandbox.run([
                "/bin/sh", "-c", "cat in/data.txt > out/copy.txt; echo made > /tmp/t; ls -ld in | cut -c1-10",
            ])
            #expect(r.status == .exited && r.exitCode == 0, "\(r.err)")
            #expect(try sandbox.fs.read("out/copy.txt") == Array("hello\n".utf8))
            #expect(try sandbox.fs.read("/tmp/t") == Array("made\n".utf8))
            #expect(try sandbox.fs.list("/sandbox").map(\.name) == ["in", "out"])
            let entry = try sandbox.fs.stat("in/data.txt")
            #expect(entry.kind == .file && entry.size == 6)
            try sandbox.fs.remove("in", recursive: true)
            #expect(!sandbox.fs.exists("in/data.txt"))
            #expect(try sandbox.fs.list().map(\.name) == ["out"])
        }
    }

    @Test("files written by the host belong to the sandbox's user")
    func ownership() async throws {
        try await withSandbox { (sandbox: Sandbox) async throws in
            try sandbox.fs.write("owned.txt", "x")
            let r = try await sandbox.run(["/bin/sh", "-c", "echo more >> owned.txt && stat -c %u owned.txt"])
            #expect(r.out == "\(sandbox.uid)\n")
        }
    }

    /// A workdir inside /tmp is a tmpfs of its own mounted over /tmp's folder: its files
    /// must land on it (the deepest root), never on /tmp's tmpfs beneath, where the sandbox
    /// would not see them. (The roots were a dictionary, tried in no fixed order.)
    @Test("a workdir inside /tmp: files land where the sandbox sees them", arguments: 1...5)
    func workdirInsideTmp(_ round: Int) async throws {
        var c = SandboxConfiguration()
        c.workdir = "/tmp/w"
        try await withSandbox(c) { (sandbox: Sandbox) async throws in
            try sandbox.fs.write("in-workdir.txt", Array("w\(round)".utf8))
            try sandbox.fs.write("/tmp/in-tmp.txt", Array("t".utf8))
            let r = try await sandbox.run(["/bin/sh", "-c", "cat /tmp/w/in-workdir.txt; cat /tmp/in-tmp.txt"])
            #expect(r.out == "w\(round)t", "\(r)")
        }
    }

    @Test("paths outside the workdir and /tmp are refused")
    func outside() async throws {
        try await withSandbox { (sandbox: Sandbox) async throws in
            #expect(throws: SandboxError.self) { try sandbox.fs.read("/etc/passwd") }
            #expect(throws: SandboxError.self) { try sandbox.fs.write("/usr/evil", "x") }
        }
    }

    @Test(".. never climbs out of the workdir")
    func dotDot() async throws {
        try await withSandbox { (sandbox: Sandbox) async throws in
            // Lexically, /sandbox/../../etc/passwd is /etc/passwd: refused.
            #expect(throws: SandboxError.self) { try sandbox.fs.read("../../etc/passwd") }
            #expect(throws: SandboxError.self) { try sandbox.fs.read("/sandbox/../etc/passwd") }
        }
    }

    @Test("symlinks planted by the program never reach a host file")
    func symlinkTricks() async throws {
        let marker = "/tmp/proctor-host-marker-\(getpid())"
        try "host secret".write(toFile: marker, atomically: true, encoding: .utf8)
        defer { unlink(marker) }
        try await withSandbox { (sandbox: Sandbox) async throws in
            let plant = """
                ln -s /etc/passwd passwd-link
                ln -s \(marker) marker-link
                ln -s / root-link
                ln -s /proc/1/root proc1-link
                ln -s ../../../../../../ up-link
                mkdir d && ln -s /etc d/etc-link
                """
            let r = try await sandbox.run(["/bin/sh", "-c", plant])
            #expect(r.exitCode == 0, "\(r.err)")

            // Reading through a final symlink is refused (never followed).
            #expect(throws: SandboxError.self) { try sandbox.fs.read("passwd-link") }
            #expect(throws: SandboxError.self) { try sandbox.fs.read("marker-link") }
            // Through an intermediate symlink: resolved inside the workdir, so no host file.
            #expect(throws: SandboxError.self) { try sandbox.fs.read("root-link/etc/passwd") }
            #expect(throws: SandboxError.self) { try sandbox.fs.read("up-link/etc/passwd") }
            #expect(throws: SandboxError.self) { try sandbox.fs.read("d/etc-link/passwd") }
            // /proc/1/root is a magic link: refused.
            #expect(throws: SandboxError.self) { try sandbox.fs.read("proc1-link/etc/passwd") }
            #expect(throws: SandboxError.self) { try sandbox.fs.list("proc1-link") }

            // Writing through links: nothing is created or changed on the host.
            #expect(throws: SandboxError.self) { try sandbox.fs.write("marker-link", "pwned") }
            try? sandbox.fs.write("root-link/tmp/proctor-escape-\(getpid())", "pwned")
            try? sandbox.fs.write("up-link/tmp/proctor-escape-\(getpid())", "pwned")
            #expect(!FileManager.default.fileExists(atPath: "/tmp/proctor-escape-\(getpid())"))
            #expect(try String(contentsOfFile: marker, encoding: .utf8) == "host secret")

            // Removing a link removes the link, never its target.
            try sandbox.fs.remove("marker-link")
            #expect(FileManager.default.fileExists(atPath: marker))
            try sandbox.fs.remove("d", recursive: true)
            #expect(FileManager.default.fileExists(atPath: "/etc/passwd"))
            #expect(try sandbox.fs.stat("root-link").kind == .symlink)
        }
    }

    @Test("a symlink swapped in during a write cannot redirect it (final component never followed)")
    func swapRace() async throws {
        let target = "/tmp/proctor-race-\(getpid())"
        defer { unlink(target) }
        try await withSandbox { (sandbox: Sandbox) async throws in
            // The program flips a name between a file and a symlink to the host path, as fast as it can.
            var o = ExecOptions.limited(wall: .seconds(5))
            o.streamOutput = false
            let flipper = try await sandbox.exec(
                ["/bin/sh", "-c", "while true; do ln -sfn \(target) race; rm -f race; touch race; done"], o)
            for _ in 0..<300 { try? sandbox.fs.write("race", "pwned") }
            flipper.kill()
            _ = await flipper.wait()
            #expect(!FileManager.default.fileExists(atPath: target))
        }
    }

    @Test("read has a size cap (a program may make a huge file)")
    func readCap() async throws {
        try await withSandbox { (sandbox: Sandbox) async throws in
            _ = try await sandbox.run(["/bin/sh", "-c", "head -c 3000000 /dev/zero > big"])
            #expect(throws: SandboxError.self) { try sandbox.fs.read("big", limit: 1 << 20) }
            #expect(try sandbox.fs.read("big").count == 3_000_000)
        }
    }

    // MARK: hostile files: never block, never follow

    /// Runs `body` on a thread of its own, timing it. A call that is still blocked after
    /// `seconds` is freed with `unblock` (which opens the other end of a FIFO) so the test
    /// fails instead of hanging; the returned time then says how long it was stuck.
    static func timed(
        _ seconds: Double = 1, unblock: @escaping @Sendable () -> Void = {},
        _ body: @escaping @Sendable () throws -> Void
    ) async -> (error: (any Error)?, seconds: Double) {
        let done = Mutex<(error: (any Error)?, seconds: Double)?>(nil)
        let start = monotonic()
        Thread.detachNewThread {
            var error: (any Error)? = nil
            do { try body() } catch let e { error = e }
            let elapsed = monotonic() - start
            done.withLock { $0 = (error, elapsed) }
        }
        while true {
            if let result = done.withLock({ $0 }) { return result }
            if monotonic() - start > seconds { unblock() }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    static func monotonic() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Opens (and closes) the other end of a FIFO in the sandbox's workdir from the host,
    /// which releases an open blocked on it.
    static func unblocker(_ sandbox: Sandbox, _ name: String) -> @Sendable () -> Void {
        let path = "/proc/\(sandbox.initPid)/root\(sandbox.configuration.workdir.string)/\(name)"
        return {
            let fd = open(path, O_RDWR | O_NONBLOCK)
            if fd >= 0 {
                usleep(20_000)
                close(fd)
            }
        }
    }

    /// How long a call may take before the other end of the FIFO is opened for it. A call
    /// that blocks on the FIFO can only return after that (so it takes longer); one that is
    /// refused returns without it, in milliseconds alone and in seconds when the whole suite
    /// shares two loaded cores (2.7 s seen), which a tighter bound mistook for blocking.
    static let patience = 15.0

    /// Expects `body` to throw a SandboxError with `code` without waiting on the FIFO.
    static func expectRefused(
        _ code: SandboxError.Code, _ what: String, unblock: @escaping @Sendable () -> Void = {},
        _ body: @escaping @Sendable () throws -> Void
    ) async {
        let (error, seconds) = await timed(Self.patience, unblock: unblock, body)
        #expect(seconds < Self.patience, "\(what) took \(seconds) s: it waited on the FIFO")
        #expect((error as? SandboxError)?.code == code, "\(what): \(String(describing: error))")
    }

    @Test("a FIFO the program made: read and write refused at once, the FIFO left as it was")
    func fifo() async throws {
        try await withSandbox { (sandbox: Sandbox) async throws in
            let r = try await sandbox.run(["/bin/sh", "-c", "mkfifo f && mkdir d && ln -s f link && ln -s /sandbox/f abs-link"])
            try #require(r.exitCode == 0, "\(r.err)")
            let fs = sandbox.fs
            let unblock = Self.unblocker(sandbox, "f")
            await Self.expectRefused(.notRegularFile, "read f", unblock: unblock) { _ = try fs.read("f") }
            await Self.expectRefused(.notRegularFile, "write f", unblock: unblock) { try fs.write("f", "x") }
            await Self.expectRefused(.notRegularFile, "read link to f", unblock: unblock) { _ = try fs.read("link") }
            await Self.expectRefused(.notRegularFile, "read absolute link to f", unblock: unblock) { _ = try fs.read("abs-link") }
            await Self.expectRefused(.notRegularFile, "write link to f", unblock: unblock) { try fs.write("link", "x") }
            await Self.expectRefused(.notRegularFile, "read a folder") { _ = try fs.read("d") }
            await Self.expectRefused(.notRegularFile, "write a folder") { try fs.write("d", "x") }
            await Self.expectRefused(.notRegularFile, "async read f", unblock: unblock) {
                let done = Mutex<(any Error)?>(nil)
                let semaphore = DispatchSemaphore(value: 0)
                Task {
                    do { _ = try await fs.perform { try $0.read("f") } } catch { done.withLock { $0 = error } }
                    semaphore.signal()
                }
                semaphore.wait()
                if let error = done.withLock({ $0 }) { throw error }
            }
            // Listing a folder that holds a FIFO opens nothing in it.
            let (listError, listSeconds) = await Self.timed(Self.patience, unblock: unblock) { _ = try fs.list() }
            #expect(listError == nil && listSeconds < Self.patience)
            #expect(try fs.list().first { $0.name == "f" }?.kind == .other)
            #expect(try fs.stat("f").kind == .other)  // still a FIFO: not truncated, not replaced
            #expect(try fs.stat("link").kind == .symlink)
        }
    }

    @Test("a write to a FIFO that has a reader is refused; the reader gets nothing")
    func fifoWithReader() async throws {
        try await withSandbox { (sandbox: Sandbox) async throws in
            _ = try await sandbox.run(["/bin/sh", "-c", "mkfifo f"])
            let reader = try await sandbox.exec(["/bin/sh", "-c", "cat f; echo end"], .limited(wall: .seconds(5)))
            try await Task.sleep(for: .milliseconds(300))  // cat waits in open(f)
            let fs = sandbox.fs
            await Self.expectRefused(.notRegularFile, "write f with a reader", unblock: Self.unblocker(sandbox, "f")) {
                try fs.write("f", "injected\n")
            }
            reader.kill()
            let r = await reader.wait()
            #expect(!r.out.contains("injected"))
        }
    }

    @Test("a file the program holds a write lease on: the host's open fails at once instead of waiting out the lease")
    func leasedFile() async throws {
        try await withSandbox { (sandbox: Sandbox) async throws in
            let script = """
                import fcntl, os, signal, time
                signal.signal(signal.SIGIO, signal.SIG_IGN)   # the lease-break notice; the lease stays
                fd = os.open("leased", os.O_RDONLY | os.O_CREAT, 0o644)
                fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_WRLCK)
                print("leased", flush=True)
                time.sleep(30)
                """
            var o = ExecOptions.limited(wall: .seconds(30))
            o.streamOutput = true
            let holder = try await sandbox.exec(["/usr/bin/python3", "-c", script], o)
            var said = ""
            for await chunk in holder.stdout {
                said += String(decoding: chunk, as: UTF8.self)
                if said.contains("leased") { break }
            }
            try #require(said.contains("leased"), "the program could not take a lease")
            let fs = sandbox.fs
            await Self.expectRefused(.fileSystem, "read a leased file") { _ = try fs.read("leased") }
            await Self.expectRefused(.fileSystem, "write a leased file") { try fs.write("leased", "x") }
            holder.kill()
            _ = await holder.wait()
        }
    }

    @Test("a unix socket and a device node: refused at once")
    func socketAndDevice() async throws {
        try await withSandbox { (sandbox: Sandbox) async throws in
            let r = try await sandbox.run(["/usr/bin/python3", "-c", "import socket; socket.socket(socket.AF_UNIX).bind('sock')"])
            try #require(r.exitCode == 0, "\(r.err)")
            // A program cannot mknod (no CAP_MKNOD); a device node could come from the host side.
            let device = "/proc/\(sandbox.initPid)/root\(sandbox.configuration.workdir.string)/zero"
            try #require(mknod(device, S_IFCHR | 0o666, (1 << 8) | 5) == 0, "mknod: \(errno)")
            let fs = sandbox.fs
            await Self.expectRefused(.notRegularFile, "read sock") { _ = try fs.read("sock") }
            await Self.expectRefused(.notRegularFile, "write sock") { try fs.write("sock", "x") }
            await Self.expectRefused(.notRegularFile, "read device") { _ = try fs.read("zero") }
            await Self.expectRefused(.notRegularFile, "write device") { try fs.write("zero", "x") }
            #expect(try fs.stat("sock").kind == .other)
        }
    }

    @Test("size caps: a file over the read cap, bytes over the write cap, a host file over the copy cap")
    func sizeCaps() async throws {
        let host = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-cap-\(getpid())").path
        try Data(count: 2 << 20).write(to: URL(fileURLWithPath: host))
        defer { unlink(host) }
        try await withSandbox { (sandbox: Sandbox) async throws in
            _ = try await sandbox.run(["/bin/sh", "-c", "head -c 3000000 /dev/zero > big"])
            let fs = sandbox.fs
            await Self.expectRefused(.tooLarge, "read over the cap") { _ = try fs.read("big", limit: 1 << 20) }
            await Self.expectRefused(.tooLarge, "write over the cap") {
                try fs.write("w", [UInt8](repeating: 1, count: 2048), limit: 1024)
            }
            #expect(!fs.exists("w"))
            await Self.expectRefused(.tooLarge, "copy over the cap") {
                try fs.copy(from: FilePath(host), to: "c", limit: 1 << 20)
            }
            try fs.write("w", [UInt8](repeating: 1, count: 1024), limit: 1024)
            #expect(try fs.read("w").count == 1024)
        }
    }

    @Test("copy from a host FIFO: refused at once, never waited on")
    func copyFromHostFIFO() async throws {
        let fifo = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-fifo-\(getpid())").path
        try #require(mkfifo(fifo, 0o600) == 0)
        defer { unlink(fifo) }
        try await withSandbox { (sandbox: Sandbox) async throws in
            let fs = sandbox.fs
            let unblock: @Sendable () -> Void = {
                let fd = open(fifo, O_RDWR | O_NONBLOCK)
                if fd >= 0 {
                    usleep(20_000)
                    close(fd)
                }
            }
            await Self.expectRefused(.notRegularFile, "copy a host FIFO", unblock: unblock) {
                try fs.copy(from: FilePath(fifo), to: "in")
            }
        }
    }
}
