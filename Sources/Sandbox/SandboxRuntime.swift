import CSandbox
import Glibc
import Logging
import Synchronization
import SystemPackage

/// What every sandbox of this process shares: the cgroup driver, the exported seccomp
/// filters, the runner's own cgroup folder and the state folder. Made once per process.
///
/// State lives in two places only: cgroups under `proctor/r<pid>-<starttime>` (one folder
/// per runner process) and /run/proctor (uid lock files, and the compiled seccomp filters
/// shared by every runner, see `SeccompCache`). A runner killed with SIGKILL
/// leaves an empty cgroup folder (its sandboxes die with their init when the lifeline
/// pipe closes); the next runner to start removes folders whose owner is gone.
final class SandboxRuntime: Sendable {
    static let stateFolder = FilePath(environment("PROCTOR_STATE_DIR") ?? "/run/proctor")

    /// One environment variable (getenv: no dictionary of the whole environment, no
    /// Foundation on a one-shot run's path).
    static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// mkdir -p, mode 0755 (what is there already is left as it is). The folder itself is
    /// tried first: it is there on every run but the first, and then one call answers.
    static func makeFolders(_ path: FilePath) throws {
        if mkdir(path.string, 0o755) == 0 || errno == EEXIST { return }
        var current = FilePath(path.root?.string ?? "")
        for component in path.components {
            current.append(component)
            if mkdir(current.string, 0o755) != 0 && errno != EEXIST {
                throw SandboxError(.setup, "mkdir \(current)", errno: Errno(rawValue: errno))
            }
        }
    }

    let driver: any CgroupDriver
    let runnerGroup: String
    let capLast: Int32
    let rootMountPoint: String
    let uids: UidAllocator
    let cgroupSets: CgroupSetStash
    /// By network policy: blocked, allowed (two slots, not a dictionary: each generic type a
    /// one-shot run instantiates costs it tens of microseconds of metadata and conformance
    /// lookups).
    private let policies: Mutex<(blocked: SeccompPolicy?, allowed: SeccompPolicy?)> = Mutex((nil, nil))
    private let counter = Atomic<Int>(0)

    private static let shared: Mutex<SandboxRuntime?> = Mutex(nil)
    /// How many cgroup sets this process may take from the ready ones (`ReadyCgroupSets`);
    /// 0: none, the sandbox's cgroups are made in the runner's own folder.
    static let readyCgroupCount = Mutex(0)

    static func get(logger: Logger) throws -> SandboxRuntime {
        try shared.withLock { slot in
            if let runtime = slot { return runtime }
            let runtime = try SandboxRuntime(logger: logger)
            slot = runtime
            return runtime
        }
    }

    private init(logger: Logger) throws {
        guard geteuid() == 0 else {
            throw SandboxError(.unsupported, "sandboxes need root (namespaces, cgroups, mounts)")
        }
        // A write to a pipe whose reader died must be an error, not the runner's death.
        signal(SIGPIPE, SIG_IGN)
        let mounts = CgroupDetection.mounts()
        driver = try CgroupDetection.driver(mounts: mounts)
        capLast = proctor_cap_last()
        let me = getpid()
        runnerGroup = "r\(me)-\(Self.startTime(of: me) ?? 0)"
        try Self.makeFolders(Self.stateFolder)
        rootMountPoint = Self.stateFolder.appending("root").string
        try Self.makeFolders(FilePath(rootMountPoint))
        uids = try UidAllocator(folder: Self.stateFolder.appending("uids"))
        let readyCount = Self.readyCgroupCount.withLock { $0 }
        cgroupSets = CgroupSetStash(
            runnerGroup: runnerGroup,
            ready: readyCount > 0 ? try ReadyCgroupSets(stateFolder: Self.stateFolder, capacity: readyCount) : nil)
        Self.sweep(driver: driver, logger: logger)
        Self.favorDynamicModifications(mounts, logger: logger)
        Self.removeRunnerFoldersAtExit(driver: driver, runnerGroup: runnerGroup, stash: cgroupSets)
    }

    /// Moving a process between cgroups takes a global lock that, once idle, makes the next
    /// writer wait for an RCU grace period: 5-25 ms here for every exec that follows a
    /// pause. The `favordynmods` mount option (Linux 6.1+) keeps that lock in its writer-
    /// friendly mode; setting it on any cgroup mount (the lock is shared by all) brought
    /// a 3-hierarchy join from 11.5 ms to 0.2 ms median. It is a host-wide trade (forks
    /// and exits a little dearer), so PROCTOR_FAVORDYNMODS=0 leaves the mounts alone.
    static func favorDynamicModifications(_ mounts: [CgroupDetection.Mount], logger: Logger) {
        if environment("PROCTOR_FAVORDYNMODS") == "0" { return }
        guard !mounts.contains(where: \.favorsDynamicModifications) else { return }
        for mount in mounts.sorted(by: { $0.isV2 && !$1.isV2 }) {
            if Glibc.mount(nil, mount.point.string, nil, UInt(MS_REMOUNT), "favordynmods") == 0 {
                logger.info("remounted a cgroup hierarchy with favordynmods", metadata: ["mount": "\(mount.point)"])
                return
            }
        }
    }

    /// At exit the runner's own cgroup folders go too, so the next runner has nothing to
    /// sweep. Sandboxes still alive would die with their init once the runner is gone; they
    /// are killed first here, since a folder that still holds a process cannot be removed
    /// (waiting on each for EBUSY held a stopping server for seconds). A runner that took
    /// only ready sets (`proctor exec`) made no folder: nothing to look for.
    private static func removeRunnerFoldersAtExit(driver: any CgroupDriver, runnerGroup: String, stash: CgroupSetStash) {
        exitCleanup.withLock {
            $0 = {
                guard stash.madeInRunnerFolder else { return }
                driver.kill(runnerGroup)
                driver.remove(runnerGroup)
            }
        }
        atexit {
            let cleanup = SandboxRuntime.exitCleanup.withLock { $0 }
            cleanup?()
        }
    }

    private static let exitCleanup: Mutex<(@Sendable () -> Void)?> = Mutex(nil)

    /// A sandbox id unique in this runner ("s1", "s2", ...).
    func nextSandboxID() -> String {
        "s\(counter.wrappingAdd(1, ordering: .relaxed).newValue)"
    }

    func policy(for network: SandboxConfiguration.Network) throws -> SeccompPolicy {
        if let cached = policies.withLock({ network == .blocked ? $0.blocked : $0.allowed }) { return cached }
        // Cached in the state folder across processes: a one-shot runner loads the bytes.
        let built = try SeccompPolicy.build(network: network, cacheFolder: Self.stateFolder)
        policies.withLock { if network == .blocked { $0.blocked = built } else { $0.allowed = built } }
        return built
    }

    /// The start time of a process (field 22 of /proc/PID/stat), to tell a live runner
    /// from a later process that reuses its pid.
    static func startTime(of pid: pid_t) -> UInt64? {
        guard let stat = ControlFile.read(FilePath("/proc/\(pid)/stat")),
            let close = stat.utf8.lastIndex(of: UInt8(ascii: ")"))
        else { return nil }
        // Bytes, not Characters (see CgroupDetection.mounts).
        let fields = stat.utf8[stat.utf8.index(after: close)...].split(separator: UInt8(ascii: " "))
        // fields[0] is the state (field 3), so field 22 is fields[19].
        return fields.count > 19 ? UInt64(String(decoding: fields[19], as: UTF8.self)) : nil
    }

    static func isAlive(runnerGroup name: String) -> Bool {
        let parts = name.dropFirst().split(separator: "-")
        guard name.hasPrefix("r"), parts.count == 2, let pid = pid_t(parts[0]), let start = UInt64(parts[1]) else {
            return false
        }
        return startTime(of: pid) == start
    }

    /// Removes the cgroups of runners that are gone (killed with SIGKILL, say).
    static func sweep(driver: any CgroupDriver, logger: Logger) {
        for runner in driver.children("") where runner != ReadyCgroupSets.group && !isAlive(runnerGroup: runner) {
            logger.info("removing leftovers of a dead runner", metadata: ["cgroup": "\(runner)"])
            driver.kill(runner)
            driver.remove(runner)
        }
    }
}

/// Hands out a distinct unprivileged uid (= gid) per sandbox, across runner processes:
/// a uid is taken while its lock file is flock'ed, and the lock dies with its holder.
final class UidAllocator: Sendable {
    let folder: FilePath
    let base: UInt32
    let count: UInt32

    init(folder: FilePath) throws {
        self.folder = folder
        base = SandboxRuntime.environment("PROCTOR_UID_BASE").flatMap(UInt32.init) ?? 600_000
        count = SandboxRuntime.environment("PROCTOR_UID_COUNT").flatMap(UInt32.init) ?? 10_000
        try SandboxRuntime.makeFolders(folder)
    }

    final class Lease: Sendable {
        let uid: uid_t
        private let fd: FileDescriptor
        init(uid: uid_t, fd: FileDescriptor) {
            self.uid = uid
            self.fd = fd
        }
        deinit { try? fd.close() }
    }

    func lease() throws -> Lease {
        // The first free uid from the base: lock files get reused instead of piling up.
        for i in 0..<count {
            let uid = base + i
            let fd = try FileDescriptor.open(
                folder.appending("\(uid)"), .readWrite,
                options: [.create, .closeOnExec], permissions: [.ownerReadWrite])
            if flock(fd.rawValue, LOCK_EX | LOCK_NB) == 0 { return Lease(uid: uid, fd: fd) }
            try? fd.close()
        }
        throw SandboxError(.setup, "no free sandbox uid in \(base)..<\(base + count)")
    }
}
