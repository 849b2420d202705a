import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// cgroup v1: one hierarchy per controller. Sandbox groups live in every hierarchy; exec
/// groups (leaves) only where per-exec figures come from: memory (peak, OOM), and for CPU
/// time and killing the v2 mount of a hybrid machine (cpu.stat, cgroup.kill) or else
/// cpuacct and the freezer.
struct CgroupV1: CgroupDriver {
    let memory: FilePath
    let pids: FilePath
    let cpu: FilePath?
    let cpuacct: FilePath?
    let freezer: FilePath?
    let unified: FilePath?

    var version: CgroupVersion { .v1 }

    /// The hierarchies every sandbox joins. With a v2 mount (hybrid), it gives CPU time and
    /// killing, so cpuacct and the freezer are left alone: each hierarchy joined costs a
    /// cgroup migration per exec.
    private var sandboxRoots: [FilePath] {
        if let unified { return unique([memory, pids, unified]) }
        return unique([memory, pids, cpuacct, freezer].compactMap { $0 })
    }

    /// Every hierarchy a sandbox group may have been made in (for removal).
    private var allRoots: [FilePath] {
        unique([memory, pids, cpu, cpuacct, freezer, unified].compactMap { $0 })
    }

    private var leafRoots: [FilePath] {
        if let unified { return unique([memory, unified]) }
        return unique([memory, cpuacct, freezer].compactMap { $0 })
    }

    private func unique(_ roots: [FilePath]) -> [FilePath] {
        var out: [FilePath] = []
        for root in roots where !out.contains(root) { out.append(root) }
        return out
    }

    func createSandbox(_ path: String, limits: Limits) throws {
        for root in sandboxRoots { try CgroupTree.mkdirs(root, path) }
        if limits.cpus != nil, let cpu, !sandboxRoots.contains(cpu) { try CgroupTree.mkdirs(cpu, path) }
        let group = memory.appending(path)
        _ = try? ControlFile.write(memory.appending("memory.use_hierarchy"), "1")
        // Every limit is written, an absent one as "none": a reused group (a ready set)
        // must not keep its last user's.
        try setMemoryLimit(group, limits.memory)
        _ = try? ControlFile.write(group.appending("memory.swappiness"), "0")
        try ControlFile.write(pids.appending(path).appending("pids.max"), limits.processes.map { "\($0)" } ?? "max")
        if let cpus = limits.cpus, let cpu {
            let period = 100_000
            try ControlFile.write(cpu.appending(path).appending("cpu.cfs_period_us"), "\(period)")
            try ControlFile.write(cpu.appending(path).appending("cpu.cfs_quota_us"), "\(max(1000, Int(cpus * Double(period))))")
        } else if let cpu, !sandboxRoots.contains(cpu), access(cpu.appending(path).string, F_OK) == 0 {
            try ControlFile.write(cpu.appending(path).appending("cpu.cfs_quota_us"), "-1")
        }
    }

    func createLeaf(_ path: String, memory bytes: Int?) throws {
        for root in leafRoots { try CgroupTree.mkdir(root.appending(path)) }
        try setMemoryLimit(memory.appending(path), bytes)
    }

    /// Memory and memory+swap get the same limit, so swap adds nothing. The kernel wants
    /// memory <= memsw at every moment: raise memsw first, lower memory first. Nil: none.
    private func setMemoryLimit(_ group: FilePath, _ bytes: Int?) throws {
        let value = bytes.map { "\($0)" } ?? "-1"
        let memsw = group.appending("memory.memsw.limit_in_bytes")
        let plain = group.appending("memory.limit_in_bytes")
        if (try? ControlFile.write(plain, value)) != nil {
            _ = try? ControlFile.write(memsw, value)  // absent where swap accounting is off
        } else {
            try ControlFile.write(memsw, value)
            try ControlFile.write(plain, value)
        }
    }

    func procsFiles(sandbox: String, leaf: String) -> [FilePath] {
        let leafPath = "\(sandbox)/\(leaf)"
        var files = leafRoots.map { $0.appending(leafPath).appending("cgroup.procs") }
        for root in sandboxRoots where !leafRoots.contains(root) {
            files.append(root.appending(sandbox).appending("cgroup.procs"))
        }
        // The cpu hierarchy only when the sandbox has a CPU quota (its group exists).
        if let cpu, !sandboxRoots.contains(cpu), access(cpu.appending(sandbox).string, F_OK) == 0 {
            files.append(cpu.appending(sandbox).appending("cgroup.procs"))
        }
        return files
    }

    func meters(_ path: String) -> CgroupMeters {
        let group = memory.appending(path)
        var files: [(FilePath, CgroupMeters.Field)] = [
            (group.appending("memory.oom_control"), .oomControl),
            (group.appending("memory.failcnt"), .failcnt),
        ]
        if let unified {
            files.append((unified.appending(path).appending("cpu.stat"), .cpuStatMicroseconds))
        } else if let cpuacct {
            files.append((cpuacct.appending(path).appending("cpuacct.usage"), .cpuacctNanoseconds))
        }
        return CgroupMeters(files: files, peak: group.appending("memory.max_usage_in_bytes"), peakReset: "0")
    }

    /// v1 counts an OOM kill only in the victim's own group (memory.oom_control's oom_kill
    /// does not add up descendants as v2's memory.events does), so the sandbox's count is
    /// its group's plus init's leaf's; the exec slots have their own meters.
    func oomMeters(_ path: String) -> CgroupMeters {
        let group = memory.appending(path)
        return CgroupMeters(
            files: [
                (group.appending("memory.oom_control"), .oomControl),
                (group.appending("init").appending("memory.oom_control"), .oomControl),
            ], peak: nil)
    }

    func kill(_ path: String) {
        if let unified, let emptied = CgroupTree.killWithCgroupKill(unified.appending(path)) {
            // Every process of a sandbox is in the v2 tree as well (it joins every hierarchy),
            // and an exiting process leaves all hierarchies at once: empty there is empty in
            // memory's. Only a kill that did not finish also waits on memory's view (a walk
            // of its folders: 0.1 ms, twice per one-shot run).
            if !emptied { CgroupTree.waitEmpty(memory.appending(path)) {} }
            return
        }
        if let freezer {
            let group = freezer.appending(path)
            CgroupTree.killFrozen(freezeFile: group.appending("freezer.state"), freeze: "FROZEN", thaw: "THAWED", group: group)
        } else {
            let group = memory.appending(path)
            CgroupTree.killFrozen(freezeFile: group.appending("no-freezer"), freeze: "", thaw: "", group: group)
        }
    }

    func isEmpty(_ path: String) -> Bool {
        CgroupTree.pids((unified ?? memory).appending(path).appending("cgroup.procs")).isEmpty
    }

    /// Every process of a sandbox is in the v2 tree of a hybrid machine too (see `kill`).
    func isEmptyTree(_ path: String) -> Bool {
        CgroupTree.isEmpty((unified ?? memory).appending(path))
    }

    func remove(_ path: String) {
        for root in allRoots { CgroupTree.removeRecursively(root.appending(path)) }
    }

    func children(_ path: String) -> [String] {
        CgroupTree.subfolders(memory.appending(path))
    }
}
