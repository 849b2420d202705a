import Foundation
import SystemPackage
import TestSupport
import Testing

@testable import Sandbox

/// The v2 implementation, run against a fake cgroup tree in a temp folder: this machine's
/// controllers are v1, so the real v2 path runs on most current distributions only.
@Suite("cgroup v2 driver on a fake tree")
struct CgroupV2FakeTreeTests {
    let base: FilePath

    init() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fake-cgroup-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "cpuset cpu io memory hugetlb pids rdma misc\n".write(
            toFile: folder + "/cgroup.controllers", atomically: false, encoding: .utf8)
        base = FilePath(folder)
    }

    func read(_ path: String) -> String {
        (try? String(contentsOfFile: base.appending(path).string, encoding: .utf8)) ?? "<missing>"
    }

    func write(_ path: String, _ text: String) throws {
        try text.write(toFile: base.appending(path).string, atomically: false, encoding: .utf8)
    }

    @Test("limits land in the v2 files; controllers are enabled down the tree")
    func limits() throws {
        let driver = CgroupV2(root: base.appending("proctor"))
        var limits = Limits()
        limits.memory = 64 << 20
        limits.processes = 32
        limits.cpus = 0.5
        try driver.createSandbox("r1-2/s1", limits: limits)
        #expect(read("proctor/r1-2/s1/memory.max") == "\(64 << 20)")
        #expect(read("proctor/r1-2/s1/memory.swap.max") == "0")
        #expect(read("proctor/r1-2/s1/pids.max") == "32")
        #expect(read("proctor/r1-2/s1/cpu.max") == "50000 100000")
        #expect(read("cgroup.subtree_control").contains("+memory"))
        try driver.createLeaf("r1-2/s1/x1", memory: 32 << 20)
        #expect(read("proctor/r1-2/s1/x1/memory.max") == "\(32 << 20)")
        #expect(driver.procsFiles(sandbox: "r1-2/s1", leaf: "x1") == [base.appending("proctor/r1-2/s1/x1/cgroup.procs")])
    }

    @Test("counters come from cpu.stat and memory.events; peak from memory.peak")
    func counters() throws {
        let driver = CgroupV2(root: base.appending("proctor"))
        try driver.createSandbox("s", limits: Limits())
        try driver.createLeaf("s/x", memory: nil)
        try write("proctor/s/x/cpu.stat", "usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\n")
        try write("proctor/s/x/memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n")
        try write("proctor/s/x/memory.peak", "12345678\n")
        let c = driver.counters("s/x")
        #expect(c.cpuNanoseconds == 1_500_000_000)
        #expect(c.oomKills == 1)
        #expect(c.memoryFailures == 3)
        #expect(driver.meters("s/x").peak == 12_345_678)
    }

    @Test("the sandbox group's OOM kills come from its memory.events (all descendants added up)")
    func groupOOMKills() throws {
        let driver = CgroupV2(root: base.appending("proctor"))
        try driver.createSandbox("s", limits: Limits())
        try write("proctor/s/memory.events", "low 0\nhigh 0\nmax 7\noom 2\noom_kill 2\n")
        let meters = driver.oomMeters("s")
        defer { meters.close() }
        #expect(meters.read().oomKills == 2)
        #expect(meters.peak == 0)  // no peak file for a group meter
    }

    @Test("kill writes cgroup.kill; remove deletes the folders")
    func killAndRemove() throws {
        let driver = CgroupV2(root: base.appending("proctor"))
        try driver.createSandbox("s", limits: Limits())
        try driver.createLeaf("s/x", memory: nil)
        try write("proctor/s/cgroup.procs", "")
        try write("proctor/s/x/cgroup.procs", "")
        driver.kill("s")
        #expect(read("proctor/s/cgroup.kill") == "1")
        #expect(driver.children("s") == ["x"])
    }
}

/// v1 counts an OOM kill only in the victim's own group: the sandbox's count adds init's leaf.
@Suite("cgroup v1 driver on a fake tree")
struct CgroupV1FakeTreeTests {
    @Test("the sandbox group's OOM kills add up the group's and init's memory.oom_control")
    func groupOOMKills() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fake-cgroup-v1-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/memory/proctor/s/init", withIntermediateDirectories: true)
        try "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n".write(
            toFile: folder + "/memory/proctor/s/memory.oom_control", atomically: false, encoding: .utf8)
        try "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n".write(
            toFile: folder + "/memory/proctor/s/init/memory.oom_control", atomically: false, encoding: .utf8)
        let driver = CgroupV1(
            memory: FilePath(folder + "/memory/proctor"), pids: FilePath(folder + "/pids/proctor"),
            cpu: nil, cpuacct: nil, freezer: nil, unified: nil)
        let meters = driver.oomMeters("s")
        defer { meters.close() }
        #expect(meters.read().oomKills == 3)
    }
}

@Suite("cgroup detection")
struct CgroupDetectionTests {
    @Test("mountinfo lines are read into v1 and v2 mounts")
    func parseMountinfo() {
        let info = """
            30 24 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
            31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw
            34 30 0:30 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,memory
            35 30 0:31 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:15 - cgroup cgroup rw,cpu,cpuacct
            """
        let mounts = CgroupDetection.mounts(mountinfo: info)
        #expect(mounts.count == 3)
        #expect(mounts[0].isV2 && mounts[0].point == "/sys/fs/cgroup/unified")
        #expect(mounts[1].point == "/sys/fs/cgroup/memory" && mounts[1].controllers.contains("memory"))
        #expect(mounts[2].point == "/sys/fs/cgroup/cpu,cpuacct")
        #expect(mounts[2].controllers.contains("cpu") && mounts[2].controllers.contains("cpuacct"))
        #expect(mounts.filter(\.favorsDynamicModifications).isEmpty)
    }

    @Test("mountinfo: no optional fields, several, super-block options, and lines that are not mounts")
    func parseMountinfoEdges() {
        let info = """
            29 1 0:25 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate,favordynmods
            40 29 0:40 / /mnt/a rw shared:1 master:2 propagate_from:3 - cgroup cgroup rw,pids
            41 29 0:41 / /mnt/b rw - tmpfs cgroup rw
            42 29 0:42 / /mnt/c rw - cgroup
            garbage
            43 29 0:43 / /mnt/d rw - cgroup cgroup rw,freezer

            """
        let mounts = CgroupDetection.mounts(mountinfo: info)
        #expect(mounts.map(\.point) == ["/sys/fs/cgroup", "/mnt/a", "/mnt/d"])
        #expect(mounts[0].isV2 && mounts[0].controllers.isEmpty && mounts[0].favorsDynamicModifications)
        #expect(!mounts[1].isV2 && mounts[1].controllers == ["rw", "pids"])
        #expect(mounts[2].controllers.contains("freezer"))
        #expect(CgroupDetection.mounts(mountinfo: "").isEmpty)
        #expect(CgroupDetection.mounts(mountinfo: nil).isEmpty)
    }

    @Test("the machine's driver is found and names its version", .needsRoot)
    func detect() throws {
        let driver = try CgroupDetection.driver()
        #expect([.v1, .v2].contains(driver.version))
    }
}
