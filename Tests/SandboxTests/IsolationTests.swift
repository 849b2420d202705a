import Foundation
import SystemPackage
import TestSupport
import Testing

@testable import Sandbox

/// Attacks from inside: each runs Fixtures/attacks/attack.c (or a shell line) in a
/// sandbox and states the contained outcome.
@Suite("isolation: attacks from inside fail", .needsRoot)
struct IsolationTests {
    static func attack(_ args: [String], _ configuration: SandboxConfiguration = .init()) async throws -> ExecResult {
        let binary = try Host.compiled("attacks/attack.c")
        return try await withSandbox(configuration) { (sandbox: Sandbox) async throws in
            try sandbox.fs.copy(from: binary, to: "attack")
            return try await sandbox.run(["./attack"] + args)
        }
    }

    @Test(
        "denied syscalls answer EPERM",
        arguments: [
            "ptrace", "traceme", "bpf", "perf", "keyctl", "add_key", "io_uring", "mount", "umount",
            "unshare", "unshare-net", "clone-newuser", "sethostname", "tiocsti", "chroot",
        ])
    func deniedSyscall(_ name: String) async throws {
        let r = try await Self.attack([name])
        #expect(r.status == .exited && r.exitCode == 0, "\(name): \(r.out)\(r.err)")
        #expect(r.out == "blocked EPERM\n", "\(name)")
    }

    @Test("clone3 answers ENOSYS (so libc falls back to clone, whose flags are filtered)")
    func clone3() async throws {
        #expect(try await Self.attack(["clone3"]).out == "blocked ENOSYS\n")
    }

    @Test("setns into another namespace fails")
    func setns() async throws {
        let r = try await Self.attack(["setns"])
        #expect(r.out.hasPrefix("blocked"))
    }

    @Test("32-bit (int 0x80) and x32 system calls kill the process", arguments: ["int80", "x32"])
    func foreignArchitecture(_ name: String) async throws {
        let r = try await Self.attack([name])
        #expect(r.status == .signaled && r.signal == 31)  // SIGSYS
        #expect(!r.out.contains("ESCAPED"))
    }

    @Test("raw, packet, vsock, alg and netlink sockets are refused", arguments: ["raw", "packet", "vsock", "alg", "netlink"])
    func exoticSockets(_ name: String) async throws {
        #expect(try await Self.attack([name]).out == "blocked EAFNOSUPPORT\n")
    }

    @Test("with the network allowed, raw, packet, vsock and alg are still refused", arguments: ["raw", "packet", "vsock", "alg"])
    func exoticSocketsWithNetwork(_ name: String) async throws {
        var c = SandboxConfiguration()
        c.network = .allowed
        let r = try await Self.attack([name], c)
        #expect(r.out.hasPrefix("blocked"), "\(name): \(r.out)")
    }

    @Test("TCP and UDP to the host's loopback and outside fail")
    func network() async throws {
        // A listener on the host's loopback that the sandbox must not reach.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = bind(listener, $0, length) }
        }
        listen(listener, 1)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(listener, $0, &length) }
        }
        defer { close(listener) }
        let port = String(UInt16(bigEndian: address.sin_port))
        for args in [
            ["tcp", "127.0.0.1", port], ["udp", "127.0.0.1", port], ["tcp", "1.1.1.1", "80"], ["udp", "8.8.8.8", "53"],
        ] {
            let r = try await Self.attack(args)
            #expect(r.out == "blocked EAFNOSUPPORT\n", "\(args): \(r.out)")
        }
        // Even a program that gets an AF_INET socket another way sees only its own loopback.
        try await withSandbox { (sandbox: Sandbox) async throws in
            let r = try await sandbox.run(["/bin/cat", "/proc/net/dev"])
            let interfaces = r.out.split(separator: "\n").dropFirst(2).map {
                $0.split(separator: ":")[0].trimmingCharacters(in: .whitespaces)
            }
            #expect(interfaces == ["lo"])
        }
    }

    @Test("root-only host files stay unreadable; /proc/1/root leads nowhere")
    func rootOnlyFiles() async throws {
        try await withSandbox { (sandbox: Sandbox) async throws in
            let shadow = try await sandbox.run(["/bin/cat", "/etc/shadow"])
            #expect(shadow.exitCode != 0 && shadow.err.contains("Permission denied"))
            let root = try await sandbox.run(["/bin/ls", "/root"])
            #expect(root.exitCode != 0)
            let proc1 = try await sandbox.run(["/bin/ls", "/proc/1/root/"])
            #expect(proc1.exitCode != 0 && proc1.err.contains("Permission denied"))
        }
        #expect(try await Self.attack(["proc1root"]).out == "blocked EACCES\n")
    }

    @Test("the image is read-only: writing to /usr, /etc and / fails")
    func readOnlyImage() async throws {
        try await withSandbox { (sandbox: Sandbox) async throws in
            for path in ["/usr/evil", "/etc/evil", "/evil", "/bin/evil"] {
                let r = try await sandbox.run(["/bin/sh", "-c", "echo x > \(path)"])
                #expect(r.exitCode != 0, "\(path) was writable")
                #expect(!FileManager.default.fileExists(atPath: path))
            }
        }
    }

    @Test("no device node can be made (the /dev tmpfs allows devices, so this must hold)")
    func noMknod() async throws {
        try await withSandbox { (sandbox: Sandbox) async throws in
            for path in ["/dev/mem", "/tmp/mem", "/sandbox/mem", "/dev/shm/mem"] {
                let r = try await sandbox.run(["/bin/mknod", path, "c", "1", "1"])
                #expect(r.exitCode != 0, "mknod \(path) worked")
            }
            let listing = try await sandbox.run(["/bin/ls", "/dev"])
            #expect(!listing.out.contains("mem"))
        }
    }

    @Test("no capabilities, no_new_privs, seccomp on, unprivileged uid")
    func identity() async throws {
        let r = try await Self.attack(["caps"])
        for set in ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"] {
            #expect(r.out.contains("\(set):\t0000000000000000"), "\(set) in \(r.out)")
        }
        #expect(r.out.contains("NoNewPrivs:\t1"))
        #expect(r.out.contains("Seccomp:\t2"))
        try await withSandbox { (sandbox: Sandbox) async throws in
            let id = try await sandbox.run(["/usr/bin/id", "-u"])
            #expect(id.out == "\(sandbox.uid)\n")
            #expect(sandbox.uid >= 1000)
        }
    }

    @Test("two sandboxes never share a uid")
    func distinctUids() async throws {
        let a = try await Sandbox.create()
        let b = try await Sandbox.create()
        #expect(a.uid != b.uid)
        await a.terminate()
        await b.terminate()
    }

    @Test("every fd above 2 is closed")
    func fdsClosed() async throws {
        #expect(try await Self.attack(["fds"]).out == "done\n")
    }

    @Test("a new session: no controlling terminal to inject into")
    func newSession() async throws {
        try await withSandbox { (sandbox: Sandbox) async throws in
            let r = try await sandbox.run(["/bin/sh", "-c", "cat /proc/self/stat | cut -d' ' -f6,7; ls -l /proc/self/fd/0"])
            let parts = r.out.split(separator: "\n")[0].split(separator: " ")
            #expect(parts.count == 2 && parts[1] == "0", "tty_nr: \(r.out)")  // no controlling tty
        }
    }

    @Test("kill(-1) inside reaches no host process")
    func killAll() async throws {
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["30"]
        try sleeper.run()
        defer { sleeper.terminate() }
        try await withSandbox { (sandbox: Sandbox) async throws in
            let r = try await sandbox.run(["/bin/sh", "-c", "kill -9 -1; echo after"])
            _ = r
        }
        #expect(sleeper.isRunning)
        #expect(kill(getpid(), 0) == 0)
    }

    @Test("the pid namespace: the sandbox sees only its own processes")
    func pidNamespace() async throws {
        try await withSandbox { (sandbox: Sandbox) async throws in
            let r = try await sandbox.run(["/bin/sh", "-c", "ls /proc | grep -c '^[0-9]*$'"])
            #expect((Int(r.out.dropLast()) ?? 99) <= 4)
            let host = try await sandbox.run(["/bin/sh", "-c", "test -e /proc/\(getpid()) && echo visible || echo hidden"])
            #expect(host.out == "hidden\n" || getpid() <= 4)
        }
    }

    @Test("uts and ipc namespaces: own hostname, no host SysV objects")
    func utsAndIpc() async throws {
        try await withSandbox { (sandbox: Sandbox) async throws in
            #expect(try await sandbox.run(["/bin/hostname"]).out == "sandbox\n")
            let ipc = try await sandbox.run(["/bin/cat", "/proc/sysvipc/shm"])
            #expect(ipc.out.split(separator: "\n").count == 1)  // the header only
        }
    }

    @Test("a daemonized grandchild dies when the run ends")
    func daemonKilled() async throws {
        try await withSandbox { (sandbox: Sandbox) async throws in
            let r = try await sandbox.run(["/bin/sh", "-c", "(setsid sleep 300 >/dev/null 2>&1 &) ; echo started"])
            #expect(r.out == "started\n")
            let ps = try await sandbox.run(["/bin/sh", "-c", "cat /proc/[0-9]*/comm"])
            #expect(!ps.out.contains("sleep"), "\(ps.out)")
        }
    }

    /// Whether this process has CAP_SYS_RESOURCE (some container runtimes drop it; then
    /// init cannot lower its oom_score_adj and keeps 0).
    static var hasSysResource: Bool {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("CapEff:") } ?? ""
        let mask = UInt64(line.split(separator: "\t").last ?? "", radix: 16) ?? 0
        return mask & (1 << 24) != 0
    }

    @Test("init has its own name, is small, and shielded from the OOM killer; exec'd programs are its first pick")
    func initIdentity() async throws {
        try await withSandbox { (sandbox: Sandbox) async throws in
            let comm = try String(contentsOfFile: "/proc/\(sandbox.initPid)/comm", encoding: .utf8)
            #expect(comm == "proctor-init\n")
            let adj = try String(contentsOfFile: "/proc/\(sandbox.initPid)/oom_score_adj", encoding: .utf8)
            #expect(adj == (Self.hasSysResource ? "-1000\n" : "0\n"))
            let r = try await sandbox.run(["/bin/sh", "-c", "cat /proc/self/oom_score_adj; cat /proc/1/comm"])
            #expect(r.out == "1000\nproctor-init\n", "\(r.out) \(r.err)")
            // init gave back the runner's anonymous memory it was forked with.
            let status = try String(contentsOfFile: "/proc/\(sandbox.initPid)/status", encoding: .utf8)
            let anon =
                status.split(separator: "\n").first { $0.hasPrefix("RssAnon:") }
                .flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? .max
            #expect(anon < 16 << 10, "init keeps \(anon) kB of anonymous memory")
        }
    }
}
