import SystemPackage

/// How a sandbox is made: its image, workdir, limits, network, environment and lifetime.
/// A value type, so a pool can compare what it was asked for with what it holds.
public struct SandboxConfiguration: Sendable, Hashable {
    /// What the sandbox's root is built from.
    public enum Image: Sendable, Hashable {
        /// The host's system folders (/usr /bin /lib /lib64 /etc ...), read-only.
        case host
        /// A root file system in a host folder (for example one made by debootstrap),
        /// its top-level folders bound read-only.
        case rootfs(FilePath)
        /// An image's layers (folders made by `proctor image build` or a snapshot), the top
        /// one first, stacked read-only by overlayfs inside the sandbox's mount namespace.
        /// The sandbox writes to a layer of its own: a tmpfs of `limits.workdirSize` that
        /// dies with it (or `layerFolder`). The root stays writable there; the workdir is a
        /// folder of that layer owned by the sandbox's uid, so `snapshot` keeps it.
        case layers([FilePath])
    }

    /// Whether the sandbox reaches a network.
    public enum Network: Sendable, Hashable {
        /// An empty network namespace with loopback only, and no socket family but AF_UNIX.
        case blocked
        /// The host's network.
        case allowed
    }

    /// A host folder made visible read-only inside (a toolchain outside /usr, data).
    public struct Bind: Sendable, Hashable {
        public var source: FilePath
        public var target: FilePath
        public var writable: Bool
        public init(_ source: FilePath, at target: FilePath? = nil, writable: Bool = false) {
            self.source = source
            self.target = target ?? source
            self.writable = writable
        }
    }

    public var image: Image = .host
    public var workdir: FilePath = "/sandbox"
    public var limits: Limits = .init()
    public var network: Network = .blocked
    /// The environment every exec starts from; an exec may add to it.
    public var environment: [String: String] = SandboxConfiguration.defaultEnvironment
    /// The sandbox terminates itself this long after creation (nil: never).
    public var lifetime: Duration? = nil
    /// Host devices passed through (character devices only, e.g. /dev/nvidia0). Off by default.
    public var devices: [FilePath] = []
    /// Extra host folders bound into the sandbox.
    public var binds: [Bind] = []
    public var hostname: String = "sandbox"
    /// With a `.layers` image: a host folder for the writable layer (its `upper` and
    /// `work` folders must exist) instead of a tmpfs. An image build's step writes its new
    /// layer there.
    public var layerFolder: FilePath? = nil
    /// Execs run as uid 0 with only `buildCapabilities` in their bounding set, and /proc/sys
    /// and the other kernel knobs of /proc read-only: for an image build's steps (a package
    /// manager needs root), never for graded code. See docs/threat-model.md, "Image builds".
    public var buildStep: Bool = false

    public init() {}

    /// CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID, CAP_KILL, CAP_SETGID, CAP_SETUID,
    /// CAP_SETFCAP: what dpkg, apt (its _apt user) and pip need to own and move files. Not
    /// CAP_DAC_READ_SEARCH (open_by_handle_at), CAP_SYS_ADMIN, CAP_MKNOD, CAP_NET_*,
    /// CAP_SYS_CHROOT, CAP_SYS_PTRACE or any other.
    public static let buildCapabilities: UInt64 = [0, 1, 3, 4, 5, 6, 7, 31].reduce(0) { $0 | (1 << $1) }

    public static let defaultEnvironment: [String: String] = [
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": "/sandbox",
        "LANG": "C.UTF-8",
        "TMPDIR": "/tmp",
    ]
}

/// Limits of a whole sandbox, enforced by cgroups, tmpfs sizes and rlimits.
public struct Limits: Sendable, Hashable {
    /// Memory of all processes together, swap included (bytes).
    public var memory: Int? = 512 << 20
    /// CPU bandwidth, in cores (0.5 = half a core); nil is unlimited.
    public var cpus: Double? = nil
    /// Processes and threads together.
    public var processes: Int? = 64
    /// Size of the workdir's tmpfs (bytes).
    public var workdirSize: Int = 64 << 20
    /// Size of /tmp and of /dev/shm (bytes, each).
    public var tmpSize: Int = 64 << 20
    /// RLIMIT_NOFILE.
    public var openFiles: Int = 256
    /// RLIMIT_FSIZE: the largest file a process may write (bytes).
    public var fileSize: Int = 64 << 20
    /// RLIMIT_STACK (bytes); nil keeps the default.
    public var stack: Int? = 64 << 20
    /// RLIMIT_AS (bytes): the address space of each exec'd process; nil: none. The memory
    /// cgroup is the sandbox's memory limit (what a program touches); this counts what it
    /// reserves, as judges that limit memory this way do (problemtools, for legacy Kattis
    /// packages): an allocation past it fails at once instead of after the pages are touched.
    public var addressSpace: Int? = nil

    public init() {}
}

/// Limits and wiring of one exec.
public struct ExecOptions: Sendable {
    /// Where the process's standard input comes from.
    public enum Input: Sendable {
        /// /dev/null.
        case null
        /// These bytes (through a memfd: the process sees a regular file).
        case bytes([UInt8])
        /// A host file, opened read-only by the runner.
        case file(FilePath)
        /// A pipe the caller writes to through `Execution.stdin`, then closes.
        case pipe
        /// An fd of the runner's own (the CLI passes its stdin through); duplicated, not taken.
        case inherit(FileDescriptor)
    }

    public var stdin: Input = .null
    /// Added to (and overriding) the sandbox's environment.
    public var environment: [String: String] = [:]
    /// Working directory inside the sandbox (default: the workdir).
    public var cwd: FilePath? = nil
    /// CPU time of the process and all its threads and children (cgroup accounting).
    public var cpuTime: Duration? = nil
    /// Wall time from start to the end of the main process.
    public var wallTime: Duration? = nil
    /// Largest number of bytes the process may write to stdout, and the same for stderr;
    /// past it the run is stopped with `output-limit`.
    public var outputLimit: Int = 64 << 20
    /// How many bytes of each stream the result keeps.
    public var captureLimit: Int = 16 << 20
    /// Deliver output chunks on `Execution.stdout`/`.stderr` as they come.
    public var streamOutput: Bool = false
    /// With `streamOutput`: at most this many chunks wait unread on each stream; when that
    /// many are waiting, the run's output waits too (the process blocks on its pipe) until
    /// the reader catches up. Nil: unbounded (a slow reader makes the buffer grow).
    public var streamBacklog: Int? = nil
    /// Memory for this exec alone (bytes); default: the sandbox's limit.
    public var memory: Int? = nil

    public init() {}
}
