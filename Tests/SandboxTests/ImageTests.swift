import Foundation
import Sandbox
import SystemPackage
import TestSupport
import Testing

@Suite("images, binds and devices", .needsRoot)
struct ImageTests {
    @Test("a rootfs folder is the whole image: the host's /usr is not there")
    func rootfsImage() async throws {
        // A tiny rootfs the test builds itself: one static binary.
        let rootfs = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-rootfs-\(getpid())")
        try FileManager.default.createDirectory(at: rootfs.appendingPathComponent("bin"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: rootfs.appendingPathComponent("etc"), withIntermediateDirectories: true)
        try "tiny\n".write(to: rootfs.appendingPathComponent("etc/release"), atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: rootfs) }
        let source = rootfs.appendingPathComponent("hello.c")
        try """
        #include <stdio.h>
        #include <unistd.h>
        int main(void) {
            FILE *f = fopen("/etc/release", "r"); char b[32] = {0}; if (f) fgets(b, sizeof b, f);
            printf("%s", b);
            printf("usr %s\\n", access("/usr/bin", F_OK) == 0 ? "present" : "absent");
            return 0;
        }
        """.write(to: source, atomically: true, encoding: .utf8)
        let (status, log) = try Host.run([
            "/usr/bin/gcc", "-static", "-O1", "-o", rootfs.appendingPathComponent("bin/hello").path, source.path,
        ])
        try #require(status == 0, "gcc -static failed: \(log)")

        var c = SandboxConfiguration()
        c.image = .rootfs(FilePath(rootfs.path))
        try await withSandbox(c) { (sandbox: Sandbox) async throws in
            let r = try await sandbox.run(["/bin/hello"])
            #expect(r.out == "tiny\nusr absent\n", "\(r.out)\(r.err)\(r.error ?? "")")
            let write = try await sandbox.run(["/bin/hello"], .limited())
            #expect(write.status == .exited)
        }
    }

    @Test("extra read-only binds show a host folder inside, unwritable")
    func binds() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-bind-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "tool\n".write(to: folder.appendingPathComponent("x"), atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: folder) }
        var c = SandboxConfiguration()
        c.binds = [.init(FilePath(folder.path), at: "/opt/tool")]
        try await withSandbox(c) { (sandbox: Sandbox) async throws in
            #expect(try await sandbox.run(["/bin/cat", "/opt/tool/x"]).out == "tool\n")
            #expect(try await sandbox.run(["/bin/sh", "-c", "echo y > /opt/tool/y"]).exitCode != 0)
        }
    }

    @Test("devices: none but the minimal set by default; an allowed device is passed through")
    func devices() async throws {
        // A harmless character device of our own: a second /dev/null (1:3).
        let path = "/dev/proctor-test-null-\(getpid())"
        try #require(mknod(path, S_IFCHR | 0o666, makedev(1, 3)) == 0, "mknod: \(errno)")
        defer { unlink(path) }
        chmod(path, 0o666)  // mknod's mode passes through the umask
        try await withSandbox { (sandbox: Sandbox) async throws in
            let r = try await sandbox.run(["/bin/ls", "/dev"])
            #expect(
                r.out.split(separator: "\n").sorted() == [
                    "fd", "full", "null", "random", "shm", "stderr", "stdin", "stdout", "urandom", "zero",
                ])
        }
        var c = SandboxConfiguration()
        c.devices = [FilePath(path)]
        try await withSandbox(c) { (sandbox: Sandbox) async throws in
            let r = try await sandbox.run(["/bin/sh", "-c", "echo data > \(path) && echo wrote"])
            #expect(r.out == "wrote\n", "\(r.err)")
        }
        c.devices = ["/etc/passwd"]
        await #expect(throws: SandboxError.self) { try await withSandbox(c) { _ in } }
    }

    @Test("network allowed on request: the host's interfaces are visible")
    func networkAllowed() async throws {
        var c = SandboxConfiguration()
        c.network = .allowed
        try await withSandbox(c) { (sandbox: Sandbox) async throws in
            let r = try await sandbox.run(["/bin/cat", "/proc/net/dev"])
            #expect(r.out.split(separator: "\n").count > 3)
        }
    }
}

func makedev(_ major: UInt32, _ minor: UInt32) -> dev_t {
    dev_t((UInt64(major) << 8) | UInt64(minor))
}
