import Foundation
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

public enum CgroupVersion: String, Sendable, Hashable, Codable {
    case v1, v2
}

/// Counters of one cgroup at one moment; an exec's figures are differences of two.
struct CgroupCounters: Sendable {
    var cpuNanoseconds: UInt64 = 0
    var oomKills: Int = 0
    /// Times an allocation hit the memory limit (v1 memory.failcnt, v2 memory.events max).
    var memoryFailures: Int = 0
}

/// The cgroup controller protocol Proctor needs. A group is named by its path below the
/// driver's root ("proctor/<sandbox>/<exec>"); the driver maps it onto its hierarchies.
/// Two implementations: `CgroupV1` (one hierarchy per controller, plus the v2 mount's
/// cgroup.kill and cpu.stat where a hybrid machine has one) and `CgroupV2`.
protocol CgroupDriver: Sendable {
    var version: CgroupVersion { get }
    /// Creates a sandbox group and sets its limits.
    func createSandbox(_ path: String, limits: Limits) throws
    /// Creates a group for processes inside a sandbox group (init's, or an exec slot).
    func createLeaf(_ path: String, memory: Int?) throws
    /// The cgroup.procs files a process writes "0" into to join leaf `leaf` of `sandbox`.
    func procsFiles(sandbox: String, leaf: String) -> [FilePath]
    func counters(_ path: String) -> CgroupCounters
    /// Starts measuring peak memory anew; the meter reads the peak since then.
    func startPeakMeter(_ path: String) -> PeakMeter
    /// Kills every process of the group and its descendants and waits until none is left.
    func kill(_ path: String)
    /// Removes the group and its descendants (kill first).
    func remove(_ path: String)
    /// Names of the child groups of `path`.
    func children(_ path: String) -> [String]
}

/// Reads a group's peak memory since it was started.
final class PeakMeter: @unchecked Sendable {
    private let path: FilePath
    private let fd: FileDescriptor?

    init(path: FilePath, fd: FileDescriptor?) {
        self.path = path
        self.fd = fd
    }

    var bytes: Int {
        let text = fd.flatMap(ControlFile.read) ?? ControlFile.read(path)
        return text.flatMap { Int($0.trimmingSuffixNewline) } ?? 0
    }

    deinit { try? fd?.close() }
}

/// Helpers shared by both drivers.
enum CgroupTree {
    static func mkdir(_ path: FilePath) throws {
        if Glibc.mkdir(path.string, 0o755) != 0 && errno != EEXIST {
            throw SandboxError(.setup, "mkdir cgroup \(path)", errno: Errno(rawValue: errno))
        }
    }

    /// mkdir of `root`, then of each prefix of `path` below it; `made` sees each folder.
    static func mkdirs(_ root: FilePath, _ path: String, made: (FilePath) -> Void = { _ in }) throws {
        try mkdir(root)
        made(root)
        var current = root
        for part in path.split(separator: "/") {
            current = current.appending(String(part))
            try mkdir(current)
            made(current)
        }
    }

    static func subfolders(_ path: FilePath) -> [String] {
        guard let dir = opendir(path.string) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            guard entry.pointee.d_type == UInt8(DT_DIR) else { continue }
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// rmdir children first; a group with processes cannot be removed, so callers kill first.
    static func removeRecursively(_ path: FilePath) {
        for child in subfolders(path) { removeRecursively(path.appending(child)) }
        for _ in 0..<200 {
            if rmdir(path.string) == 0 || errno == ENOENT { return }
            if errno != EBUSY { return }
            usleep(1000)
        }
    }

    static func pids(_ procs: FilePath) -> [pid_t] {
        (ControlFile.read(procs) ?? "").split(separator: "\n").compactMap { pid_t($0) }
    }

    /// All pids of a group and its descendants.
    static func pidsRecursively(_ path: FilePath) -> [pid_t] {
        pids(path.appending("cgroup.procs")) + subfolders(path).flatMap { pidsRecursively(path.appending($0)) }
    }

    /// Waits (up to ~5 s) until the group and its descendants hold no process.
    static func waitEmpty(_ path: FilePath, kill: () -> Void) {
        for attempt in 0..<5000 {
            if pidsRecursively(path).isEmpty { return }
            if attempt % 50 == 49 { kill() }
            usleep(1000)
        }
    }

    /// Kills through cgroup.kill (v2, and the v2 mount of a hybrid machine).
    static func killWithCgroupKill(_ path: FilePath) -> Bool {
        let file = path.appending("cgroup.kill")
        guard (try? ControlFile.write(file, "1")) != nil else { return false }
        waitEmpty(path) { _ = try? ControlFile.write(file, "1") }
        return true
    }

    /// Kills by freezing (so nothing forks meanwhile), SIGKILL to every task, thawing.
    static func killFrozen(freezeFile: FilePath, freeze: String, thaw: String, group: FilePath) {
        let frozen = (try? ControlFile.write(freezeFile, freeze)) != nil
        func killAll() { for pid in pidsRecursively(group) { Glibc.kill(pid, SIGKILL) } }
        killAll()
        if frozen { _ = try? ControlFile.write(freezeFile, thaw) }
        waitEmpty(group, kill: killAll)
    }
}

/// Finds the cgroup layout of this machine.
enum CgroupDetection {
    struct Mount {
        var point: FilePath
        var isV2: Bool
        var controllers: Set<String>
    }

    static func mounts(mountinfo: String? = ControlFile.read("/proc/self/mountinfo")) -> [Mount] {
        var result: [Mount] = []
        for line in (mountinfo ?? "").split(separator: "\n") {
            let halves = line.components(separatedBy: " - ")
            guard halves.count == 2 else { continue }
            let left = halves[0].split(separator: " ")
            let right = halves[1].split(separator: " ")
            guard left.count >= 5, right.count >= 3 else { continue }
            let point = FilePath(String(left[4]))
            if right[0] == "cgroup2" {
                result.append(Mount(point: point, isV2: true, controllers: []))
            } else if right[0] == "cgroup" {
                let options = Set(right[2].split(separator: ",").map(String.init))
                result.append(Mount(point: point, isV2: false, controllers: options))
            }
        }
        return result
    }

    /// The driver for this machine: v2 where a cgroup2 mount offers memory and pids,
    /// else v1 where memory and pids hierarchies exist. PROCTOR_CGROUP=v1|v2 forces one.
    static func driver(base: String = "proctor") throws -> any CgroupDriver {
        let all = mounts()
        let forced = getenv("PROCTOR_CGROUP").map { String(cString: $0) }
        let v2 = all.first { m in
            m.isV2 && (ControlFile.read(m.point.appending("cgroup.controllers")) ?? "")
                .split(separator: " ").map { $0.trimmingCharacters(in: .newlines) }
                .contains("memory")
        }
        if forced != "v1", let v2 {
            return CgroupV2(root: v2.point.appending(base))
        }
        func point(_ controller: String) -> FilePath? {
            all.first { !$0.isV2 && $0.controllers.contains(controller) }?.point
        }
        if forced != "v2", let memory = point("memory"), let pids = point("pids") {
            let unified = all.first { $0.isV2 }.map { $0.point.appending(base) }
            return CgroupV1(
                memory: memory.appending(base), pids: pids.appending(base),
                cpu: point("cpu")?.appending(base), cpuacct: point("cpuacct")?.appending(base),
                freezer: point("freezer")?.appending(base), unified: unified)
        }
        throw SandboxError(.unsupported, "no usable cgroup hierarchy (need memory and pids controllers, v1 or v2)")
    }
}

