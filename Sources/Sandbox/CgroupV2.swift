import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// cgroup v2: one tree. Controllers are enabled down to each sandbox group; processes
/// only live in leaves (init's and the exec slots'), as v2's no-internal-process rule asks.
struct CgroupV2: CgroupDriver {
    /// Our base group, e.g. /sys/fs/cgroup/proctor.
    let root: FilePath

    var version: CgroupVersion { .v2 }

    private func enableControllers(in group: FilePath) {
        let available = (ControlFile.read(group.appending("cgroup.controllers")) ?? "memory pids cpu")
            .split(whereSeparator: { $0 == " " || $0 == "\n" })
        // One write for all (each write is one command); if the kernel refuses one controller
        // (cpu, with real-time tasks around), the write fails whole: then one at a time.
        let wanted = ["memory", "pids", "cpu"].filter { available.contains(Substring($0)) }
        let file = group.appending("cgroup.subtree_control")
        if (try? ControlFile.write(file, wanted.map { "+" + $0 }.joined(separator: " "))) == nil {
            for controller in wanted { _ = try? ControlFile.write(file, "+" + controller) }
        }
    }

    func createSandbox(_ path: String, limits: Limits) throws {
        enableControllers(in: root.removingLastComponent())
        try CgroupTree.mkdirs(root, path) { enableControllers(in: $0) }
        let group = root.appending(path)
        // Every limit is written, an absent one as "max": a reused group (a ready set) must
        // not keep its last user's.
        try setMemoryLimit(group, limits.memory)
        try ControlFile.write(group.appending("pids.max"), limits.processes.map { "\($0)" } ?? "max")
        let period = 100_000
        if let cpus = limits.cpus {
            try ControlFile.write(group.appending("cpu.max"), "\(max(1000, Int(cpus * Double(period)))) \(period)")
        } else {
            _ = try? ControlFile.write(group.appending("cpu.max"), "max \(period)")  // absent without the cpu controller
        }
    }

    func createLeaf(_ path: String, memory bytes: Int?) throws {
        let group = root.appending(path)
        try CgroupTree.mkdir(group)
        try setMemoryLimit(group, bytes)
    }

    private func setMemoryLimit(_ group: FilePath, _ bytes: Int?) throws {
        try ControlFile.write(group.appending("memory.max"), bytes.map { "\($0)" } ?? "max")
        _ = try? ControlFile.write(group.appending("memory.swap.max"), "0")
    }

    func procsFiles(sandbox: String, leaf: String) -> [FilePath] {
        [root.appending(sandbox).appending(leaf).appending("cgroup.procs")]
    }

    func meters(_ path: String) -> CgroupMeters {
        let group = root.appending(path)
        return CgroupMeters(
            files: [
                (group.appending("cpu.stat"), .cpuStatMicroseconds),
                (group.appending("memory.events"), .memoryEvents),
            ],
            peak: group.appending("memory.peak"), peakReset: "reset\n")
    }

    /// memory.events is hierarchical (unless the mount has memory_localevents): its
    /// oom_kill counts the kills of the group and its descendants.
    func oomMeters(_ path: String) -> CgroupMeters {
        CgroupMeters(files: [(root.appending(path).appending("memory.events"), .memoryEvents)], peak: nil)
    }

    func kill(_ path: String) {
        let group = root.appending(path)
        if CgroupTree.killWithCgroupKill(group) != nil { return }
        CgroupTree.killFrozen(freezeFile: group.appending("cgroup.freeze"), freeze: "1", thaw: "0", group: group)
    }

    func isEmpty(_ path: String) -> Bool {
        CgroupTree.pids(root.appending(path).appending("cgroup.procs")).isEmpty
    }

    func isEmptyTree(_ path: String) -> Bool {
        CgroupTree.isEmpty(root.appending(path))
    }

    func remove(_ path: String) {
        CgroupTree.removeRecursively(root.appending(path))
    }

    func children(_ path: String) -> [String] {
        CgroupTree.subfolders(root.appending(path))
    }
}
