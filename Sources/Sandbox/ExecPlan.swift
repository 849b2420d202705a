import CSandbox
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// One exec, prepared before its process is spawned: its slot, its stdio (the child's ends
/// and ours), its environment, limits and uid. Made by `Sandbox.spawn`, and by
/// `Sandbox.make` for a first exec held while init builds the root (`runOnce`).
struct ExecPlan {
    let slot: ExecSlot
    let argv: [String]
    let options: ExecOptions
    /// The child's stdin, stdout and stderr (closed here once it is spawned).
    let childFDs: [FileDescriptor]
    let stdoutRead: FileDescriptor
    let stderrRead: FileDescriptor
    let stdinWriter: StdinWriter?
    let envp: [String]
    let searchPath: String?
    let cwd: String
    let network: SandboxConfiguration.Network
    let rlimits: [proctor_rlimit_t]
    let uid: UInt32
    let keepCaps: UInt64

    init(_ argv: [String], _ options: ExecOptions, configuration: SandboxConfiguration, uid: UInt32, slot: ExecSlot) throws {
        var opened: [FileDescriptor] = []
        do {
            let (input, writer) = try Sandbox.openInput(options.stdin)
            opened.append(input)
            let out = try Sandbox.pipe()
            opened += [out.writeEnd, out.readEnd]
            let err = try Sandbox.pipe()
            opened += [err.writeEnd, err.readEnd]
            childFDs = [input, out.writeEnd, err.writeEnd]
            stdoutRead = out.readEnd
            stderrRead = err.readEnd
            stdinWriter = writer
        } catch {
            for fd in opened { try? fd.close() }
            throw error
        }
        var environment = configuration.environment
        environment.merge(options.environment) { $1 }
        envp = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        searchPath = environment["PATH"]
        cwd = (options.cwd ?? configuration.workdir).string
        network = configuration.network
        rlimits = Sandbox.rlimits(configuration.limits)
        self.uid = configuration.buildStep ? 0 : uid
        keepCaps = configuration.buildStep ? SandboxConfiguration.buildCapabilities : 0
        self.slot = slot
        self.argv = argv
        self.options = options
    }

    /// The slot's counters now (its peak reset first) and the sandbox group's OOM count: an
    /// exec's figures are differences from these.
    func baselines(_ cgroups: CgroupSet) -> (slot: CgroupCounters, group: CgroupCounters) {
        slot.meters.resetPeak()
        return (slot.meters.read(), cgroups.oomMeters.read())
    }

    /// Calls `body` with the exec's C spec and the slot's cgroup.procs fds, valid only
    /// during the call. `goFD`: -1, or the read end a held first exec waits on.
    func withSpec<R>(
        policy: SeccompPolicy, capLast: Int32, nsPidfd: Int32, goFD: Int32,
        _ body: (UnsafePointer<proctor_exec_spec_t>, UnsafeBufferPointer<Int32>) -> R
    ) -> R {
        let strings = CStrings()
        return policy.program.withUnsafeBytes { bpf in
            rlimits.withUnsafeBufferPointer { rl in
                var spec = proctor_exec_spec_t(
                    ns_pidfd: nsPidfd, ns_flags: Sandbox.joinedNamespaces(network),
                    cwd: strings.string(cwd), argv: strings.array(argv), envp: strings.array(envp),
                    search_path: strings.optional(searchPath),
                    path_buffer: strings.buffer(8192), path_buffer_size: 8192,
                    stdin_fd: childFDs[0].rawValue, stdout_fd: childFDs[1].rawValue, stderr_fd: childFDs[2].rawValue,
                    uid: uid, gid: uid, rlimits: rl.baseAddress, rlimit_count: Int32(rl.count),
                    cap_last: capLast, seccomp_filter: bpf.baseAddress,
                    seccomp_length: UInt16(policy.instructionCount), keep_caps: keepCaps, go_fd: goFD)
                let procs = slot.procs.map(\.rawValue)
                return withExtendedLifetime(strings) { procs.withUnsafeBufferPointer { body(&spec, $0) } }
            }
        }
    }

    /// Once the process exists (or could not be made): its ends are its own.
    func closeChildEnds() {
        for fd in childFDs { try? fd.close() }
    }

    /// Our ends, when there is no process to read from.
    func closeParentEnds() {
        try? stdoutRead.close()
        try? stderrRead.close()
    }
}
