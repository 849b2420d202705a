import Foundation
import TestSupport
import Testing

@testable import Sandbox

/// What the host looks like from outside: processes of sandbox uids, mounts, cgroup
/// folders of this runner, and Proctor's state folder.
struct HostSnapshot: Equatable {
    var sandboxProcesses: Int
    var mounts: Int
    var cgroupFolders: [String]
    var stateEntries: [String]

    /// Processes are counted by cgroup: a sandboxed process cannot leave its cgroup, and
    /// other runners on the machine (a benchmark, another test process) have their own.
    static func take() -> HostSnapshot {
        let mine = "/proctor/r\(getpid())-"
        var count = 0
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where Int(entry) != nil {
            guard let cgroups = try? String(contentsOfFile: "/proc/\(entry)/cgroup", encoding: .utf8),
                cgroups.contains(mine),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            let state = stat[stat.index(after: close)...].split(separator: " ").first ?? "?"
            if state != "Z" { count += 1 }
        }
        let mounts = ((try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? "").split(separator: "\n").count
        var folders: [String] = []
        for hierarchy in ["memory", "pids", "cpu", "cpuacct", "freezer", "unified", ""] {
            let base = "/sys/fs/cgroup/\(hierarchy)/proctor"
            for runner in (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
            where runner.hasPrefix("r\(getpid())-") {
                let sandboxes = (try? FileManager.default.contentsOfDirectory(atPath: "\(base)/\(runner)")) ?? []
                folders += sandboxes.filter { name in
                    var isDirectory: ObjCBool = false
                    return FileManager.default.fileExists(atPath: "\(base)/\(runner)/\(name)", isDirectory: &isDirectory)
                        && isDirectory.boolValue
                }.map { "\(hierarchy)/\($0)" }
            }
        }
        let state = (try? FileManager.default.contentsOfDirectory(atPath: "/run/proctor")) ?? []
        return HostSnapshot(
            sandboxProcesses: count, mounts: mounts, cgroupFolders: folders.sorted(), stateEntries: state.sorted())
    }
}

@Suite("cleanup: nothing of a run survives it", .needsRoot, .serialized, .timeLimit(.minutes(10)))
struct CleanupTests {
    @Test("1,000 sandboxed runs in a row leave the host as it was")
    func thousandRuns() async throws {
        // Warm the runtime (state folder, seccomp filters) so the first snapshot is fair.
        try await withSandbox { _ = try await $0.run(["/bin/true"]) }
        let before = HostSnapshot.take()
        for i in 0..<1000 {
            // Alternate fresh one-shot sandboxes and several execs in one, with leftovers to clean.
            if i % 2 == 0 {
                let r = try await withSandbox { try await $0.run(["/bin/true"]) }
                #expect(r.status == .exited)
            } else {
                try await withSandbox { (sandbox: Sandbox) async throws in
                    _ = try await sandbox.run(["/bin/sh", "-c", "(sleep 100 &); echo x > /tmp/f"])
                }
            }
        }
        let after = HostSnapshot.take()
        #expect(after == before)
    }

    @Test("terminate kills everything, including processes started in the background")
    func terminateKills() async throws {
        let sandbox = try await Sandbox.create()
        let e = try await sandbox.exec(["/bin/sh", "-c", "sleep 100 & sleep 100"], .limited(wall: .seconds(60)))
        try await Task.sleep(for: .milliseconds(100))
        #expect(HostSnapshot.take().sandboxProcesses >= 2)
        await sandbox.terminate()
        let r = await e.wait()
        #expect(r.status == .signaled)
        #expect(HostSnapshot.take().sandboxProcesses == 0)
        await #expect(throws: SandboxError.self) { try await sandbox.run(["/bin/true"]) }
    }

    @Test("cgroups of a terminated sandbox serve the next one, with nothing carried over")
    func cgroupReuse() async throws {
        var c = SandboxConfiguration()
        c.limits.memory = 200 << 20
        c.limits.processes = 17  // limits of their own, so no other test's set is picked
        let first = try await Sandbox.create(c)
        let big = try await first.run(["/usr/bin/python3", "-c", "b = bytearray(120 << 20); import time; time.sleep(0.1)"])
        #expect(big.memoryPeak > 120 << 20)
        let group = first.group
        await first.terminate()
        let second = try await Sandbox.create(c)
        #expect(second.group == group)  // the same cgroups, reused
        #expect(second.id != first.id)  // but a new sandbox
        let small = try await second.run(["/bin/true"])
        #expect(small.memoryPeak < 16 << 20)  // the peak is this exec's, not the last sandbox's
        #expect(small.cpuTime < 0.1)
        let ps = try await second.run(["/bin/sh", "-c", "cat /proc/[0-9]*/comm | grep -c python || true"])
        #expect(ps.out == "0\n")
        await second.terminate()
    }

    /// A full stash of spare sets (other tests' limits) must not turn away the set just
    /// freed: the longest kept goes instead (CI saw the old rule make a new set here).
    @Test("a full stash keeps the set just freed and lets the oldest go")
    func fullStashKeepsTheNewest() async throws {
        var others: [Sandbox] = []
        for n in 0..<10 {
            var c = SandboxConfiguration()
            c.limits.processes = 40 + n  // ten sets of limits no other test uses
            others.append(try await Sandbox.create(c))
        }
        for s in others { await s.terminate() }
        var c = SandboxConfiguration()
        c.limits.processes = 23
        let first = try await Sandbox.create(c)
        let group = first.group
        await first.terminate()
        let second = try await Sandbox.create(c)
        #expect(second.group == group)
        await second.terminate()
    }

    @Test("the lifetime timeout terminates the sandbox by itself")
    func lifetime() async throws {
        var c = SandboxConfiguration()
        c.lifetime = .milliseconds(300)
        let sandbox = try await Sandbox.create(c)
        let e = try await sandbox.exec(["sleep", "100"], .limited(wall: .seconds(60)))
        let r = await e.wait()
        #expect(r.status == .signaled)
        #expect(sandbox.isTerminated)
    }

    @Test("a sandbox dropped without terminate is killed off the caller's thread, soon")
    func forgotten() async throws {
        var initPid: pid_t = 0
        do {
            let sandbox = try await Sandbox.create()
            initPid = sandbox.initPid
            _ = try await sandbox.run(["/bin/true"])
        }
        var gone = false
        for _ in 0..<200 where !gone {
            try await Task.sleep(for: .milliseconds(10))
            gone = kill(initPid, 0) == -1 && errno == ESRCH
        }
        #expect(gone, "init \(initPid) outlived its forgotten sandbox")
    }
}
