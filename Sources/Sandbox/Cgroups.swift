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
    /// The group's counter files, opened once (an exec slot keeps them for its life).
    func meters(_ path: String) -> CgroupMeters
    /// The OOM kills of a sandbox group outside the exec slots' own counts (v2: the group's
    /// memory.events, which adds up all descendants; v1: the group's and init's leaf's):
    /// the OOM killer acts in the group whose limit was hit, which for a sandbox-wide
    /// limit is the sandbox group, and it may take a process outside the exec's slot.
    func oomMeters(_ path: String) -> CgroupMeters
    /// Kills every process of the group and its descendants and waits until none is left.
    func kill(_ path: String)
    /// True when no process is in the group (a leaf: no descendants to look at).
    func isEmpty(_ path: String) -> Bool
    /// True when no process is in the group or any of its descendants.
    func isEmptyTree(_ path: String) -> Bool
    /// Removes the group and its descendants (kill first).
    func remove(_ path: String)
    /// Names of the child groups of `path`.
    func children(_ path: String) -> [String]
}

extension CgroupDriver {
    func counters(_ path: String) -> CgroupCounters { meters(path).read() }
}

/// Open counter files of one group, read with pread: an exec reads them before and after
/// (and every 10 ms under a CPU limit), and opening cgroup files costs more than reading.
final class CgroupMeters: @unchecked Sendable {
    enum Field {
        /// cpu.stat's usage_usec (v2, and the v2 mount of a hybrid machine).
        case cpuStatMicroseconds
        /// cpuacct.usage (v1).
        case cpuacctNanoseconds
        /// memory.oom_control's oom_kill (v1).
        case oomControl
        /// memory.failcnt (v1).
        case failcnt
        /// memory.events' oom_kill and max (v2).
        case memoryEvents
    }

    private let sources: [(FileDescriptor, Field)]
    private let peakFile: FileDescriptor?
    private let peakReset: String

    /// `peakReset` is what a write to the peak file takes to start anew ("0" for v1's
    /// max_usage_in_bytes; v2's memory.peak resets per fd on any write, Linux 6.12+).
    init(files: [(FilePath, Field)], peak: FilePath?, peakReset: String = "") {
        sources = files.compactMap { path, field in
            (try? FileDescriptor.open(path, .readOnly, options: .closeOnExec)).map { ($0, field) }
        }
        peakFile = peak.flatMap { try? FileDescriptor.open($0, .readWrite, options: .closeOnExec) }
        self.peakReset = peakReset
    }

    func read() -> CgroupCounters {
        var c = CgroupCounters()
        for (fd, field) in sources {
            let text = ControlFile.read(fd)
            switch field {
            case .cpuStatMicroseconds: c.cpuNanoseconds = UInt64(ControlFile.keyed(text, "usage_usec") ?? 0) * 1000
            case .cpuacctNanoseconds: c.cpuNanoseconds = UInt64(text.flatMap { Int($0.trimmingSuffixNewline) } ?? 0)
            case .oomControl: c.oomKills += ControlFile.keyed(text, "oom_kill") ?? 0
            case .failcnt: c.memoryFailures += text.flatMap { Int($0.trimmingSuffixNewline) } ?? 0
            case .memoryEvents:
                c.oomKills += ControlFile.keyed(text, "oom_kill") ?? 0
                c.memoryFailures += ControlFile.keyed(text, "max") ?? 0
            }
        }
        return c
    }

    func resetPeak() {
        if let peakFile { _ = try? peakFile.writeAll(Array(peakReset.utf8)) }
    }

    /// Peak memory since the last reset, in bytes.
    var peak: Int {
        peakFile.flatMap(ControlFile.read).flatMap { Int($0.trimmingSuffixNewline) } ?? 0
    }

    func close() {
        for (fd, _) in sources { try? fd.close() }
        try? peakFile?.close()
    }
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

    /// Waits (up to ~5 s) until the group and its descendants hold no process. A v2 group
    /// answers from its cgroup.events "populated" line (one read, whatever the depth);
    /// elsewhere the procs files are read. Killed processes are usually gone within a
    /// millisecond, so it looks every 50 µs at first. (Not poll on cgroup.events: the
    /// kernel rate-limits those notifications to one per 10 ms.)
    /// True once the group is empty; false when it still was after 5 s.
    @discardableResult
    static func waitEmpty(_ path: FilePath, kill: () -> Void) -> Bool {
        let events = try? FileDescriptor.open(path.appending("cgroup.events"), .readOnly, options: .closeOnExec)
        defer { try? events?.close() }
        let start = monotonicNow()
        var attempt = 0
        while monotonicNow() - start < 5 {
            if isEmpty(path, events: events.flatMap { ControlFile.read($0) }) { return true }
            usleep(attempt < 40 ? 50 : 1000)
            attempt += 1
            if attempt % 100 == 0 { kill() }
        }
        return false
    }

    /// True when the group and its descendants hold no process: a v2 group's cgroup.events
    /// says so in one read; elsewhere the procs files are read.
    static func isEmpty(_ path: FilePath) -> Bool {
        isEmpty(path, events: ControlFile.read(path.appending("cgroup.events")))
    }

    /// `isEmpty` from the group's cgroup.events text (nil where there is none: v1).
    private static func isEmpty(_ path: FilePath, events: String?) -> Bool {
        if let populated = ControlFile.keyed(events, "populated") { return populated == 0 }
        return pidsRecursively(path).isEmpty
    }

    /// Kills through cgroup.kill (v2, and the v2 mount of a hybrid machine): nil when there
    /// is none, else whether the group emptied.
    static func killWithCgroupKill(_ path: FilePath) -> Bool? {
        let file = path.appending("cgroup.kill")
        guard (try? ControlFile.write(file, "1")) != nil else { return nil }
        return waitEmpty(path) { _ = try? ControlFile.write(file, "1") }
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
        /// Arrays, not sets: a handful of names each, and a one-shot run pays for every
        /// hashed collection it makes (seeding, hashing) more than for these lookups.
        var controllers: [String]
        /// Super-block options (for v1 they name the controllers too).
        var options: [String] = []
        var favorsDynamicModifications: Bool { options.contains("favordynmods") }
    }

    /// The cgroup mounts listed in a mountinfo text. Fields: id, parent, major:minor, root,
    /// mount point, options, optional fields, "-", type, source, super-block options (paths
    /// escape spaces as \040). Scanned byte by byte, in place: no array per line, and
    /// Strings made only for the cgroup mounts (a split into fields per line, and sets of
    /// options, cost a one-shot run twice what reading the file does).
    static func mounts(mountinfo: String? = ControlFile.read("/proc/self/mountinfo")) -> [Mount] {
        guard var text = mountinfo else { return [] }
        return text.withUTF8 { bytes in
            var result: [Mount] = []
            var lineStart = 0
            while lineStart < bytes.count {
                var lineEnd = lineStart
                while lineEnd < bytes.count && bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
                if let mount = mount(UnsafeBufferPointer(rebasing: bytes[lineStart..<lineEnd])) { result.append(mount) }
                lineStart = lineEnd + 1
            }
            return result
        }
    }

    /// One mountinfo line's mount, if it is a cgroup (v1 or v2) mount.
    private static func mount(_ line: UnsafeBufferPointer<UInt8>) -> Mount? {
        func equal(_ field: Range<Int>, _ text: StaticString) -> Bool {
            field.count == text.utf8CodeUnitCount
                && memcmp(line.baseAddress! + field.lowerBound, text.utf8Start, field.count) == 0
        }
        func string(_ field: Range<Int>) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: line[field]), as: UTF8.self)
        }
        var point: Range<Int>? = nil
        var type: Range<Int>? = nil
        var superOptions: Range<Int>? = nil
        var index = 0
        var afterDash = -1  // fields after "-": 0 type, 1 source, 2 super-block options
        var start = 0
        while start < line.count {
            var end = start
            while end < line.count && line[end] != UInt8(ascii: " ") { end += 1 }
            let field = start..<end
            if afterDash >= 0 {
                if afterDash == 0 { type = field } else if afterDash == 2 { superOptions = field }
                afterDash += 1
            } else if index == 4 {
                point = field
            } else if index > 5 && equal(field, "-") {
                afterDash = 0
            }
            index += 1
            start = end + 1
        }
        guard let point, let type, let superOptions else { return nil }
        let isV2 = equal(type, "cgroup2")
        guard isV2 || equal(type, "cgroup") else { return nil }
        let options = string(superOptions).split(separator: ",").map(String.init)
        return Mount(point: FilePath(string(point)), isV2: isV2, controllers: isV2 ? [] : options, options: options)
    }

    /// The driver for this machine: v2 where a cgroup2 mount offers memory and pids,
    /// else v1 where memory and pids hierarchies exist. PROCTOR_CGROUP=v1|v2 forces one.
    static func driver(base: String = "proctor", mounts all: [Mount] = mounts()) throws -> any CgroupDriver {
        let forced = getenv("PROCTOR_CGROUP").map { String(cString: $0) }
        let v2 = all.first { m in
            m.isV2
                && (ControlFile.read(m.point.appending("cgroup.controllers")) ?? "")
                    .split(whereSeparator: { $0 == " " || $0 == "\n" }).contains("memory")
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
