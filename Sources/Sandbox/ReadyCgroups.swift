import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// Cgroup sets kept ready across runner processes, the way isolate keeps initialised
/// boxes between its runs. A one-shot runner (`proctor exec`) lives for one sandbox: made
/// in its own runner folder, that sandbox's cgroups would be created and removed on every
/// call, and folders (memory ones above all) cost more to make and remove than the rest
/// of the run. Ready sets live in `proctor/ready/k<N>` and outlive their users.
///
/// A set is taken by holding an exclusive flock on `/run/proctor/cgroups/<N>`: the lock
/// dies with its holder, so a runner killed with SIGKILL frees its set at once. Whoever
/// takes a set kills what may be left in it (the sandbox of a killed runner dies with its
/// init, but nothing here relies on that) and writes every limit anew, absent ones as
/// "no limit"; nothing of one user's limits or processes reaches the next. The lock file
/// records what its set was made for (cgroup layout and limits), written after the limits
/// and emptied before they are changed: a taker that wants the same finds the set as it
/// needs it and only opens its files (the folders' mkdirs and eight limit writes were half
/// of a one-shot run's cgroup work). Only root writes there or to the cgroups; a sandbox
/// has neither its cgroups mounted nor the capabilities to change them. Only processes
/// that opt in (`Sandbox.useReadyCgroups`) use them; servers and graders keep their sets
/// in their own runner folder, where they are reused in-process and removed at exit.
struct ReadyCgroupSets: Sendable {
    static let group = "ready"
    let locks: FilePath
    let capacity: Int

    init(stateFolder: FilePath, capacity: Int) throws {
        locks = stateFolder.appending("cgroups")
        self.capacity = capacity
        try SandboxRuntime.makeFolders(locks)
    }

    /// What a set is made for: the files init joins (the cgroup layout) and the limits.
    static func record(driver: any CgroupDriver, group: String, limits: Limits) -> String {
        func text(_ value: Int?) -> String { value.map { "\($0)" } ?? "none" }
        var lines = ["proctor ready cgroup set 1", "version \(driver.version.rawValue)"]
        lines += driver.procsFiles(sandbox: group, leaf: "init").map { "joins \($0)" }
        lines.append("memory \(text(limits.memory))")
        lines.append("processes \(text(limits.processes))")
        lines.append("cpus \(limits.cpus.map { "\($0)" } ?? "none")")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A free ready set made fit for `limits`, or nil when every one is in use.
    func take(driver: any CgroupDriver, limits: Limits) throws -> CgroupSet? {
        for n in 0..<capacity {
            let fd = try FileDescriptor.open(
                locks.appending("\(n)"), .readWrite,
                options: [.create, .closeOnExec], permissions: [.ownerReadWrite])
            guard flock(fd.rawValue, LOCK_EX | LOCK_NB) == 0 else {
                try? fd.close()
                continue
            }
            let group = "\(Self.group)/k\(n)"
            let record = Self.record(driver: driver, group: group, limits: limits)
            if ControlFile.read(fd) == record, driver.isEmptyTree(group),
                let set = try? CgroupSet(driver: driver, group: group, limits: limits, lock: fd, prepared: true)
            {
                return set
            }
            do {
                // Emptied first: a taker that dies while the limits change leaves no record.
                guard ftruncate(fd.rawValue, 0) == 0 else {
                    throw SandboxError(.setup, "truncate \(locks)/\(n)", errno: Errno(rawValue: errno))
                }
                driver.kill(group)
                let set = try CgroupSet(driver: driver, group: group, limits: limits, lock: fd)
                _ = record.withCString { pwrite(fd.rawValue, $0, strlen($0), 0) }
                return set
            } catch {
                try? fd.close()
                throw error
            }
        }
        return nil
    }
}
