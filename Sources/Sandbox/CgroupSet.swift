import Synchronization
import SystemPackage

/// The cgroups of one sandbox — its group with the limits, init's leaf and the exec slots,
/// with their files open — kept for the next sandbox once a sandbox is terminated (and
/// its group killed and empty), like an initialised isolate box. Making and removing
/// cgroup folders (memory ones above all) costs more than the rest of a one-shot run.
final class CgroupSet: @unchecked Sendable {
    let group: String
    let limits: CgroupLimits
    let initProcs: [FileDescriptor]
    /// The sandbox group's OOM-kill counter (all descendants included), kept open.
    let oomMeters: CgroupMeters
    /// The flock that holds a ready set (`ReadyCgroupSets`); nil for a set of this runner.
    private let lock: FileDescriptor?
    private let driver: any CgroupDriver
    private let slots = Mutex<(free: [ExecSlot], made: Int)>(([], 0))

    /// The limits a cgroup set is made for; a set is reused only for equal ones.
    struct CgroupLimits: Hashable, Sendable {
        var memory: Int?
        var processes: Int?
        var cpus: Double?
        init(_ l: Limits) {
            memory = l.memory
            processes = l.processes
            cpus = l.cpus
        }
    }

    /// Makes the group (or, for a ready set, finds it made) and writes its limits; `prepared`:
    /// a ready set whose folders and limits are known to be as `limits` asks (see
    /// `ReadyCgroupSets.take`), whose files are only opened.
    init(driver: any CgroupDriver, group: String, limits: Limits, lock: FileDescriptor? = nil, prepared: Bool = false) throws {
        self.driver = driver
        self.group = group
        self.limits = CgroupLimits(limits)
        self.lock = lock
        do {
            if !prepared {
                try driver.createSandbox(group, limits: limits)
                try driver.createLeaf("\(group)/init", memory: nil)
            }
            initProcs = try Self.openProcsFiles(driver.procsFiles(sandbox: group, leaf: "init"))
            oomMeters = driver.oomMeters(group)
        } catch {
            driver.remove(group)
            throw error
        }
    }

    /// A ready set goes back to the other runners: files closed, lock released, folders
    /// kept (a set that still holds a process is removed instead).
    var isReady: Bool { lock != nil }

    func release() {
        guard isEmpty else {
            destroy()
            return
        }
        closeFiles()
        try? lock?.close()
    }

    static func openProcsFiles(_ paths: [FilePath]) throws -> [FileDescriptor] {
        var fds: [FileDescriptor] = []
        for path in paths {
            do {
                fds.append(try FileDescriptor.open(path, .writeOnly, options: .closeOnExec))
            } catch let errno as Errno {
                for fd in fds { try? fd.close() }
                throw SandboxError(.setup, "open \(path)", errno: errno)
            }
        }
        return fds
    }

    /// A free exec slot, or a new one; its memory limit set to `memory`.
    func acquireSlot(memory: Int?) throws -> ExecSlot {
        let (reused, number) = slots.withLock { s -> (ExecSlot?, Int) in
            if let slot = s.free.popLast() { return (slot, 0) }
            s.made += 1
            return (nil, s.made)
        }
        if let reused {
            if reused.memory != memory {
                try driver.createLeaf(reused.path, memory: memory)
                reused.memory = memory
            }
            return reused
        }
        let path = "\(group)/x\(number)"
        try driver.createLeaf(path, memory: memory)
        let procs = try Self.openProcsFiles(driver.procsFiles(sandbox: group, leaf: "x\(number)"))
        return ExecSlot(path: path, procs: procs, meters: driver.meters(path), memory: memory)
    }

    func releaseSlot(_ slot: ExecSlot) {
        slots.withLock { $0.free.append(slot) }
    }

    /// True when no process is left in the set's group (checked before it is reused).
    var isEmpty: Bool {
        driver.isEmpty("\(group)/init") && slots.withLock { $0.free }.allSatisfy { driver.isEmpty($0.path) }
    }

    /// Closes the files and removes the folders.
    func destroy() {
        closeFiles()
        driver.kill(group)
        driver.remove(group)
        try? lock?.close()
    }

    private func closeFiles() {
        for fd in initProcs { try? fd.close() }
        oomMeters.close()
        slots.withLock { s in
            for slot in s.free { slot.close() }
            s.free = []
        }
    }
}

/// Spare cgroup sets of this runner, for `Sandbox.create`; first the ready sets shared
/// with other runners, where this process opted in.
final class CgroupSetStash: Sendable {
    private let spare = Mutex<[CgroupSet]>([])
    private let counter = Atomic<Int>(0)
    let runnerGroup: String
    let ready: ReadyCgroupSets?
    let capacity = 8

    /// Whether a set was made in the runner's own folder (which then exists).
    var madeInRunnerFolder: Bool { counter.load(ordering: .relaxed) > 0 }

    init(runnerGroup: String, ready: ReadyCgroupSets? = nil) {
        self.runnerGroup = runnerGroup
        self.ready = ready
    }

    func take(driver: any CgroupDriver, limits: Limits) throws -> CgroupSet {
        if let ready, let set = try ready.take(driver: driver, limits: limits) { return set }
        let wanted = CgroupSet.CgroupLimits(limits)
        let found = spare.withLock { sets -> CgroupSet? in
            guard let i = sets.lastIndex(where: { $0.limits == wanted }) else { return nil }
            return sets.remove(at: i)
        }
        if let found { return found }
        let n = counter.wrappingAdd(1, ordering: .relaxed).newValue
        return try CgroupSet(driver: driver, group: "\(runnerGroup)/g\(n)", limits: limits)
    }

    /// Keeps an emptied set for the next sandbox; past `capacity` the set kept longest is
    /// destroyed instead (the one just freed is the likeliest to be asked for again: a pool's
    /// next sandbox has its limits). A ready set goes back to all runners.
    func give(back set: CgroupSet) {
        if set.isReady {
            set.release()
            return
        }
        guard set.isEmpty else {
            set.destroy()
            return
        }
        let evicted = spare.withLock { sets -> CgroupSet? in
            sets.append(set)
            return sets.count > capacity ? sets.removeFirst() : nil
        }
        evicted?.destroy()
    }
}
