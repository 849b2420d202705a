import Foundation
import Sandbox
import Testing

@Suite("fs: host-side file access, safe against what the program did", .needsRoot)
struct FileSystemTests {
    @Test("write, read, list, mkdir, stat, remove before and after execs")
    func roundTrip() async throws {
        try await withSandbox { (sandbox: Sandbox) async throws in
            try sandbox.fs.write("in/data.txt", "hello\n")
            try sandbox.fs.mkdir("/sandbox/out")
            let r = try await sandbox.run(["/bin/sh", "-c", "cat in/data.txt > out/copy.txt; echo made > /tmp/t; ls -ld in | cut -c1-10"])
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
            let flipper = try await sandbox.exec(["/bin/sh", "-c", "while true; do ln -sfn \(target) race; rm -f race; touch race; done"], o)
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
}
