import CSandbox
import Dispatch
import Glibc
import Logging
import Synchronization
import SystemPackage

/// A group of processes jailed together, in the shape of Modal's sandboxes: create it with
/// an image, limits and a network policy, `exec` commands in it, read and write its files
/// through `fs`, and `terminate` it. Its pid 1 is a tiny init that lives until then.
public final class Sandbox: Sendable {
    public let id: String
    public let configuration: SandboxConfiguration
    /// Host-side access to the workdir and /tmp, safe against anything the program did.
    public let fs: SandboxFileSystem
    /// The unprivileged uid (and gid) of every process of this sandbox.
    public let uid: UInt32
    public var cgroupVersion: CgroupVersion { runtime.driver.version }

    let runtime: SandboxRuntime
    let logger: Logger
    let cgroups: CgroupSet
    var group: String { cgroups.group }
    let initPid: pid_t
    let initPidfd: FileDescriptor
    let lifeline: FileDescriptor
    let lease: UidAllocator.Lease
    let policy: SeccompPolicy
    /// init's fd on the folder holding the writable layer (`upper`) of an image's tmpfs, or -1.
    let layerFD: Int32
    private let state = Mutex(State())

    struct State {
        var terminated = false
        var running: [Int: ExecMonitor] = [:]
        var nextExec = 0
        var lifetimeTask: Task<Void, Never>? = nil
    }

    private init(
        id: String, configuration: SandboxConfiguration, fs: SandboxFileSystem, runtime: SandboxRuntime,
        logger: Logger, cgroups: CgroupSet, initPid: pid_t, initPidfd: FileDescriptor, lifeline: FileDescriptor,
        lease: UidAllocator.Lease, policy: SeccompPolicy, layerFD: Int32
    ) {
        self.layerFD = layerFD
        self.id = id
        self.configuration = configuration
        self.fs = fs
        self.uid = lease.uid
        self.runtime = runtime
        self.logger = logger
        self.cgroups = cgroups
        self.initPid = initPid
        self.initPidfd = initPidfd
        self.lifeline = lifeline
        self.lease = lease
        self.policy = policy
    }

    /// For processes that run one sandbox and exit (a CLI's one-shot run): take the
    /// sandbox's cgroups from up to `count` sets kept ready across processes instead of
    /// making and removing them each time, as isolate keeps initialised boxes. Whoever
    /// takes a set kills what is left in it and writes every limit anew. Call before the
    /// first `create`; a long-lived process keeps its own sets and needs none of this.
    public static func useReadyCgroups(_ count: Int = 16) {
        SandboxRuntime.readyCgroupCount.withLock { $0 = max(0, count) }
    }

    /// Creates a sandbox: its cgroup, its init in fresh namespaces, its root.
    public static func create(
        _ configuration: SandboxConfiguration = .init(),
        logger: Logger = Logger(label: "proctor.sandbox")
    ) async throws -> Sandbox {
        let sandbox = try await Blocking.run { try make(configuration, logger: logger) }
        if let lifetime = configuration.lifetime {
            let task = Task { [weak sandbox] in
                try? await Task.sleep(for: lifetime)
                if !Task.isCancelled { await sandbox?.terminate() }
            }
            sandbox.state.withLock { $0.lifetimeTask = task }
        }
        return sandbox
    }

    /// `create` on the calling thread, for a process that runs one sandbox and exits (a
    /// CLI's one-shot run): with `runSynchronously` and `terminateSynchronously` no task,
    /// executor thread or monitor thread is started, and a run costs none of their start.
    /// A `lifetime` needs `create`'s timer task, so it is refused here.
    public static func createSynchronously(
        _ configuration: SandboxConfiguration = .init(),
        logger: Logger = Logger(label: "proctor.sandbox")
    ) throws -> Sandbox {
        if configuration.lifetime != nil {
            throw SandboxError(.invalidConfiguration, "a sandbox with a lifetime is made by create, not createSynchronously")
        }
        return try make(configuration, logger: logger)
    }

    /// The blocking part of `create`: cgroups, init's spawn, waiting for its root.
    private static func make(_ configuration: SandboxConfiguration, logger: Logger) throws -> Sandbox {
        let runtime = try SandboxRuntime.get(logger: logger)
        let driver = runtime.driver
        let lease = try runtime.uids.lease()
        let cgroups = try runtime.cgroupSets.take(driver: driver, limits: configuration.limits)
        do {
            let layout = try RootLayout(
                mountPoint: runtime.rootMountPoint, configuration: configuration,
                uid: lease.uid, gid: lease.uid)
            let (readEnd, writeEnd) = try FileDescriptor.pipe()
            defer { try? readEnd.close() }
            _ = fcntl(writeEnd.rawValue, F_SETFD, FD_CLOEXEC)
            _ = fcntl(readEnd.rawValue, F_SETFD, FD_CLOEXEC)
            let procs = cgroups.initProcs

            let strings = CStrings()
            let ops = layout.cOps(strings)
            let flags = joinedNamespaces(configuration.network)
            var pending: proctor_spawn_pending_t = ops.withUnsafeBufferPointer { opsBuffer in
                var spec = proctor_init_spec_t(
                    clone_flags: flags, root: strings.string(runtime.rootMountPoint),
                    root_data: strings.string(layout.rootData),
                    ops: opsBuffer.baseAddress, op_count: Int32(opsBuffer.count),
                    hostname: strings.string(configuration.hostname),
                    loopback_up: configuration.network == .blocked ? 1 : 0,
                    lifeline_fd: readEnd.rawValue, uid: lease.uid, gid: lease.uid, cap_last: runtime.capLast,
                    root_writable: layout.rootWritable ? 1 : 0)
                let raw = procs.map(\.rawValue)
                return raw.withUnsafeBufferPointer { proctor_spawn_init_start(&spec, $0.baseAddress, Int32($0.count)) }
            }
            // While init builds its root (on a copy of this process's memory: the spec may
            // go), what the first exec needs: the seccomp policy, an exec slot.
            let policy = Result { try runtime.policy(for: configuration.network) }
            if let slot = try? cgroups.acquireSlot(memory: configuration.limits.memory) { cgroups.releaseSlot(slot) }
            let result = proctor_spawn_init_wait(&pending)
            guard result.step == 0 else {
                try? writeEnd.close()
                throw SandboxError(.childSetup, "sandbox setup failed: " + ChildStep.describe(result, layout: layout))
            }
            let seccomp: SeccompPolicy
            do {
                seccomp = try policy.get()
            } catch {
                try? writeEnd.close()
                kill(result.pid, SIGKILL)
                waitpid(result.pid, nil, 0)
                throw error
            }
            let pidfdRaw = proctor_pidfd_open(result.pid)
            guard pidfdRaw >= 0 else {
                kill(result.pid, SIGKILL)
                throw SandboxError(.setup, "pidfd_open", errno: Errno(rawValue: errno))
            }
            let fs = try SandboxFileSystem(initPid: result.pid, workdir: configuration.workdir, uid: lease.uid)
            let sandbox = Sandbox(
                id: runtime.nextSandboxID(), configuration: configuration, fs: fs,
                runtime: runtime, logger: logger, cgroups: cgroups, initPid: result.pid,
                initPidfd: FileDescriptor(rawValue: pidfdRaw), lifeline: writeEnd, lease: lease, policy: seccomp,
                layerFD: result.layer_fd)
            logger.debug("sandbox created", metadata: ["id": "\(sandbox.id)", "uid": "\(lease.uid)", "init": "\(result.pid)"])
            return sandbox
        } catch {
            cgroups.destroy()
            throw error
        }
    }

    public var isTerminated: Bool { state.withLock { $0.terminated } }

    /// The host path of the sandbox's writable layer (overlayfs's upper folder) when its
    /// image is `.layers`: the folder on disk (`layerFolder`), or the tmpfs inside the
    /// sandbox reached through init's fd (valid while the sandbox lives). What is in it was
    /// written by the sandbox: walk it with dir fds and O_NOFOLLOW, never by path.
    public var writableLayer: FilePath? {
        guard case .layers = configuration.image else { return nil }
        if let folder = configuration.layerFolder { return folder.appending("upper") }
        return layerFD >= 0 ? FilePath("/proc/\(initPid)/fd/\(layerFD)/upper") : nil
    }

    /// False once the sandbox is terminated or its init has died (killed from the host, or
    /// by anything else): such a sandbox runs nothing more, and a pool replaces it.
    public var isAlive: Bool {
        // Under the lock: terminate() marks the sandbox first and closes the pidfd after.
        state.withLock { s in !s.terminated && proctor_pidfd_exited(initPidfd.rawValue) == 0 }
    }

    // MARK: exec

    /// Starts `argv` in the sandbox. A relative command is looked up on the sandbox's PATH.
    /// Setup failures inside the child come back as a result with status `sandbox-error`.
    ///
    /// The spawn runs through `Blocking.run`: cgroup writes, fork, and waiting for the
    /// child's execve (up to 200 ms on ETXTBSY) never hold a thread of the cooperative pool.
    public func exec(_ argv: [String], _ options: ExecOptions = .init()) async throws -> Execution {
        guard !argv.isEmpty else { throw SandboxError(.invalidConfiguration, "empty command") }
        return try await Blocking.run { [self] in try spawn(argv, options).execution! }
    }

    /// `run` on the calling thread (see `createSynchronously`): the exec is watched here,
    /// and each output chunk goes to `output` (0: stdout, 1: stderr) when
    /// `options.streamOutput` is set, as it comes.
    public func runSynchronously(
        _ argv: [String], _ options: ExecOptions = .init(),
        output: @escaping (_ stream: Int, _ chunk: [UInt8]) -> Void = { _, _ in }
    ) throws -> ExecResult {
        guard !argv.isEmpty else { throw SandboxError(.invalidConfiguration, "empty command") }
        let (_, monitor, outcome) = try spawn(argv, options, watchHere: true)
        if let monitor {
            monitor.sink = output
            monitor.watchHere()
        }
        return outcome.waitSynchronously()
    }

    /// The blocking part of `exec`. `watchHere`: the monitor is returned to be run by the
    /// caller instead of on a thread of its own.
    private func spawn(
        _ argv: [String], _ options: ExecOptions, watchHere: Bool = false
    ) throws -> (execution: Execution?, monitor: ExecMonitor?, outcome: Promise<ExecResult>) {
        let slot = try acquireSlot(memory: options.memory ?? configuration.limits.memory)
        var childFDs: [FileDescriptor] = []
        var parentFDs: [FileDescriptor] = []
        func cleanup() {
            for fd in childFDs + parentFDs { try? fd.close() }
        }
        let stdinWriter: StdinWriter?
        let stdoutPipe: (readEnd: FileDescriptor, writeEnd: FileDescriptor)
        let stderrPipe: (readEnd: FileDescriptor, writeEnd: FileDescriptor)
        do {
            let (input, writer) = try Self.openInput(options.stdin)
            childFDs.append(input)
            stdinWriter = writer
            stdoutPipe = try Self.pipe()
            childFDs.append(stdoutPipe.writeEnd)
            parentFDs.append(stdoutPipe.readEnd)
            stderrPipe = try Self.pipe()
            childFDs.append(stderrPipe.writeEnd)
            parentFDs.append(stderrPipe.readEnd)
        } catch {
            cleanup()
            releaseSlot(slot)
            throw error
        }

        var environment = configuration.environment
        environment.merge(options.environment) { $1 }
        let envp = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let rlimits = Self.rlimits(configuration.limits)
        let driver = runtime.driver
        slot.meters.resetPeak()
        let baseline = slot.meters.read()
        let groupBaseline = cgroups.oomMeters.read()
        let strings = CStrings()
        let execUid: UInt32 = configuration.buildStep ? 0 : uid
        let start = monotonicNow()
        let result: proctor_spawn_result_t = policy.program.withUnsafeBytes { bpf in
            rlimits.withUnsafeBufferPointer { rl in
                var spec = proctor_exec_spec_t(
                    ns_pidfd: initPidfd.rawValue, ns_flags: Self.joinedNamespaces(configuration.network),
                    cwd: strings.string((options.cwd ?? configuration.workdir).string),
                    argv: strings.array(argv), envp: strings.array(envp),
                    search_path: strings.optional(environment["PATH"]),
                    path_buffer: strings.buffer(8192), path_buffer_size: 8192,
                    stdin_fd: childFDs[0].rawValue, stdout_fd: childFDs[1].rawValue, stderr_fd: childFDs[2].rawValue,
                    uid: execUid, gid: execUid, rlimits: rl.baseAddress, rlimit_count: Int32(rl.count),
                    cap_last: runtime.capLast, seccomp_filter: bpf.baseAddress,
                    seccomp_length: UInt16(policy.instructionCount),
                    keep_caps: configuration.buildStep ? SandboxConfiguration.buildCapabilities : 0)
                let raw = slot.procs.map(\.rawValue)
                return raw.withUnsafeBufferPointer { proctor_spawn_exec(&spec, $0.baseAddress, Int32($0.count)) }
            }
        }
        for fd in childFDs { try? fd.close() }
        childFDs = []

        let outcome = Promise<ExecResult>()
        // Streams for an Execution; a watch on the caller's thread hands chunks to its sink.
        let streams = watchHere ? nil : Self.outputStreams(options)
        let pidfdRaw = result.step == 0 ? proctor_pidfd_open(result.pid) : -1
        guard result.step == 0, pidfdRaw >= 0 else {
            if result.step == 0 {
                kill(result.pid, SIGKILL)
                waitpid(result.pid, nil, 0)
            }
            cleanup()
            releaseSlot(slot)
            streams?.out.continuation.finish()
            streams?.err.continuation.finish()
            let message =
                result.step == 0 ? "pidfd_open: \(Errno(rawValue: errno))" : ChildStep.describe(result, command: argv[0])
            outcome.fulfill(ExecResult(status: .sandboxError, wallTime: monotonicNow() - start, error: message))
            let execution = streams.map {
                Execution(pid: -1, stdout: $0.out.stream, stderr: $0.err.stream, stdin: nil, outcome: outcome) {}
            }
            return (execution, nil, outcome)
        }
        _ = fcntl(stdoutPipe.readEnd.rawValue, F_SETFL, O_NONBLOCK)
        _ = fcntl(stderrPipe.readEnd.rawValue, F_SETFL, O_NONBLOCK)
        let execNumber = state.withLock { s -> Int in
            s.nextExec += 1
            return s.nextExec
        }
        let monitor = ExecMonitor(
            pidfd: FileDescriptor(rawValue: pidfdRaw), options: options, slot: slot, driver: driver, start: start,
            baseline: baseline, groupMeters: cgroups.oomMeters, groupBaseline: groupBaseline,
            stdout: .init(fd: stdoutPipe.readEnd, continuation: streams?.out.continuation),
            stderr: .init(fd: stderrPipe.readEnd, continuation: streams?.err.continuation),
            outcome: outcome
        ) { [weak self] in
            self?.finished(execNumber, slot: slot)
        }
        let accepted = state.withLock { s -> Bool in
            if s.terminated { return false }
            s.running[execNumber] = monitor
            return true
        }
        if !watchHere { monitor.startThread() }
        if !accepted { monitor.stop() }
        let execution = streams.map {
            Execution(pid: result.pid, stdout: $0.out.stream, stderr: $0.err.stream, stdin: stdinWriter, outcome: outcome) {
                [monitor] in monitor.stop()
            }
        }
        return (execution, watchHere ? monitor : nil, outcome)
    }

    /// An exec's stdout and stderr streams, buffered as `options.streamBacklog` says.
    private static func outputStreams(_ options: ExecOptions) -> (
        out: (stream: AsyncStream<[UInt8]>, continuation: AsyncStream<[UInt8]>.Continuation),
        err: (stream: AsyncStream<[UInt8]>, continuation: AsyncStream<[UInt8]>.Continuation)
    ) {
        let buffering: AsyncStream<[UInt8]>.Continuation.BufferingPolicy =
            options.streamBacklog.map { .bufferingOldest(max(1, $0)) } ?? .unbounded
        return (
            AsyncStream.makeStream(of: [UInt8].self, bufferingPolicy: buffering),
            AsyncStream.makeStream(of: [UInt8].self, bufferingPolicy: buffering)
        )
    }

    /// The resource limits each exec'd process gets (the cgroup holds memory, pids and CPU).
    static func rlimits(_ limits: Limits) -> [proctor_rlimit_t] {
        var rlimits: [proctor_rlimit_t] = [
            .init(resource: Int32(RLIMIT_NOFILE.rawValue), soft: rlim_t(limits.openFiles), hard: rlim_t(limits.openFiles)),
            .init(resource: Int32(RLIMIT_FSIZE.rawValue), soft: rlim_t(limits.fileSize), hard: rlim_t(limits.fileSize)),
            .init(resource: Int32(RLIMIT_CORE.rawValue), soft: 0, hard: 0),
        ]
        if let stack = limits.stack {
            rlimits.append(.init(resource: Int32(RLIMIT_STACK.rawValue), soft: rlim_t(stack), hard: rlim_t(stack)))
        }
        if let space = limits.addressSpace {
            rlimits.append(.init(resource: Int32(RLIMIT_AS.rawValue), soft: rlim_t(space), hard: rlim_t(space)))
        }
        return rlimits
    }

    /// exec and wait: the usual one-call use. Cancelling the calling task kills the run
    /// (see `Execution.wait`).
    public func run(_ argv: [String], _ options: ExecOptions = .init()) async throws -> ExecResult {
        try await exec(argv, options).wait()
    }

    static func joinedNamespaces(_ network: SandboxConfiguration.Network) -> Int32 {
        var flags =
            PROCTOR_CLONE_NEWPID | PROCTOR_CLONE_NEWNS | PROCTOR_CLONE_NEWIPC | PROCTOR_CLONE_NEWUTS | PROCTOR_CLONE_NEWCGROUP
        if network == .blocked { flags |= PROCTOR_CLONE_NEWNET }
        return Int32(flags)
    }

    private static func pipe() throws -> (readEnd: FileDescriptor, writeEnd: FileDescriptor) {
        var fds: [Int32] = [0, 0]
        guard proctor_pipe_cloexec(&fds) == 0 else { throw SandboxError(.setup, "pipe", errno: Errno(rawValue: errno)) }
        return (try aboveStdio(FileDescriptor(rawValue: fds[0])), try aboveStdio(FileDescriptor(rawValue: fds[1])))
    }

    /// The child dup2s its stdio from fds >= 3; a runner started with 0-2 closed could get one.
    private static func aboveStdio(_ fd: FileDescriptor) throws -> FileDescriptor {
        guard fd.rawValue < 3 else { return fd }
        let copy = fcntl(fd.rawValue, F_DUPFD_CLOEXEC, 3)
        try? fd.close()
        guard copy >= 0 else { throw SandboxError(.setup, "dup", errno: Errno(rawValue: errno)) }
        return FileDescriptor(rawValue: copy)
    }

    private static func openInput(_ input: ExecOptions.Input) throws -> (FileDescriptor, StdinWriter?) {
        do {
            switch input {
            case .null:
                return (try aboveStdio(FileDescriptor.open("/dev/null", .readOnly, options: .closeOnExec)), nil)
            case .file(let path):
                // O_NONBLOCK: opening a FIFO with no writer would wait for one forever.
                // Cleared again, so the program reads as from any file.
                let fd = try aboveStdio(FileDescriptor.open(path, .readOnly, options: [.closeOnExec, .nonBlocking]))
                _ = fcntl(fd.rawValue, F_SETFL, 0)
                return (fd, nil)
            case .bytes(let bytes):
                let raw = Int32(proctor_memfd_create("proctor-stdin"))
                guard raw >= 0 else { throw Errno(rawValue: errno) }
                let fd = try aboveStdio(FileDescriptor(rawValue: raw))
                _ = try fd.writeAll(bytes)
                _ = try fd.seek(offset: 0, from: .start)
                return (fd, nil)
            case .inherit(let fd):
                let copy = fcntl(fd.rawValue, F_DUPFD_CLOEXEC, 3)
                guard copy >= 0 else { throw Errno(rawValue: errno) }
                return (FileDescriptor(rawValue: copy), nil)
            case .pipe:
                let p = try pipe()
                return (p.readEnd, StdinWriter(fd: p.writeEnd))
            }
        } catch let errno as Errno {
            throw SandboxError(.setup, "open stdin", errno: errno)
        }
    }

    // MARK: exec slots

    /// A leaf cgroup for one exec at a time, reused: making and removing cgroups costs more
    /// than the exec itself.
    private func acquireSlot(memory: Int?) throws -> ExecSlot {
        if isTerminated { throw SandboxError(.terminated, "sandbox \(id) is terminated") }
        if !isAlive { throw SandboxError(.terminated, "the init of sandbox \(id) has died") }
        return try cgroups.acquireSlot(memory: memory)
    }

    private func releaseSlot(_ slot: ExecSlot) {
        cgroups.releaseSlot(slot)
    }

    private func finished(_ number: Int, slot: ExecSlot) {
        state.withLock { s in s.running[number] = nil }
        cgroups.releaseSlot(slot)
    }

    // MARK: lifecycle

    /// Kills every process, then removes the cgroups; nothing of the sandbox survives.
    public func terminate() async {
        guard let monitors = beginTermination() else { return }
        await Blocking.run { [self] in killAndReap() }
        for monitor in monitors { _ = await monitor.outcome.value() }
        await Blocking.run { [self] in release() }
    }

    /// `terminate` on the calling thread (see `createSynchronously`).
    public func terminateSynchronously() {
        guard let monitors = beginTermination() else { return }
        killAndReap()
        for monitor in monitors { _ = monitor.outcome.waitSynchronously() }
        release()
    }

    /// Marks the sandbox terminated; the runs still being watched, or nil if it already was.
    private func beginTermination() -> [ExecMonitor]? {
        let (monitors, lifetimeTask, first) = state.withLock { s in
            defer {
                s.terminated = true
                s.lifetimeTask = nil
            }
            return (Array(s.running.values), s.lifetimeTask, !s.terminated)
        }
        guard first else { return nil }
        lifetimeTask?.cancel()
        return monitors
    }

    /// Kills every process of the sandbox and waits for init to go. init is pid 1 of the
    /// sandbox's pid namespace, which every process of the sandbox is in: its death kills
    /// them all, and the kernel lets init be reaped only once they are all gone (a cgroup
    /// kill first, then a wait for the group to empty, cost a one-shot run 0.1 ms of
    /// polling). The cgroup kill stays for anything left in the group: an exec's middle
    /// process between joining its slot and entering the namespaces (an exec racing this).
    private func killAndReap() {
        _ = proctor_pidfd_kill(initPidfd.rawValue)
        try? lifeline.close()
        var code: Int32 = 0
        var sig: Int32 = 0
        _ = proctor_wait_pidfd(initPidfd.rawValue, &code, &sig)
        if !runtime.driver.isEmptyTree(group) { runtime.driver.kill(group) }
    }

    /// Once every run is over: closes what the sandbox held; emptied, its cgroups serve the
    /// next sandbox (or are removed if anything is left).
    private func release() {
        try? initPidfd.close()
        fs.close()
        runtime.cgroupSets.give(back: cgroups)
        logger.debug("sandbox terminated", metadata: ["id": "\(id)"])
    }

    /// Makes the sandbox as new for its next user: every process killed, workdir, /tmp and
    /// /dev/shm emptied, SysV IPC objects and POSIX message queues removed. (Counters start
    /// anew with each exec anyway.) A sandbox started from an image is not reset: what it
    /// wrote anywhere in its writable layer cannot be emptied while the overlay is mounted,
    /// so this throws and a pool makes a new one.
    public func reset() async throws {
        if case .layers = configuration.image {
            throw SandboxError(.invalidConfiguration, "a sandbox started from an image is made anew, not reset")
        }
        let monitors = try state.withLock { s -> [ExecMonitor] in
            if s.terminated { throw SandboxError(.terminated, "sandbox \(id) is terminated") }
            return Array(s.running.values)
        }
        // A sandbox whose init died (its namespaces with it) cannot be made as new.
        if !isAlive { throw SandboxError(.terminated, "the init of sandbox \(id) has died") }
        for monitor in monitors {
            await Blocking.run { monitor.stop() }
            _ = await monitor.outcome.value()
        }
        try await Blocking.run { [fs, initPidfd] in
            try fs.wipe()
            guard proctor_clear_ipc(initPidfd.rawValue) == 0 else {
                throw SandboxError(.setup, "clearing the sandbox's IPC objects failed")
            }
        }
    }

    deinit {
        if !state.withLock({ $0.terminated }) {
            // Forgotten without terminate: the last reference may go on a thread of the
            // cooperative pool, so the killing and waiting go to a blocking thread. The
            // uid lease lives until init is gone, so no new sandbox gets its uid sooner.
            let (driver, group, lifeline, initPidfd, fs, cgroups, lease) =
                (runtime.driver, group, lifeline, initPidfd, fs, cgroups, lease)
            DispatchQueue.global().async {
                driver.kill(group)
                try? lifeline.close()
                var code: Int32 = 0
                var sig: Int32 = 0
                _ = proctor_wait_pidfd(initPidfd.rawValue, &code, &sig)
                try? initPidfd.close()
                fs.close()
                cgroups.destroy()
                withExtendedLifetime(lease) {}
            }
        }
    }
}

/// A leaf cgroup that runs one exec at a time, with its cgroup.procs and counter files
/// kept open.
final class ExecSlot: @unchecked Sendable {
    let path: String
    let procs: [FileDescriptor]
    let meters: CgroupMeters
    var memory: Int?

    init(path: String, procs: [FileDescriptor], meters: CgroupMeters, memory: Int?) {
        self.path = path
        self.procs = procs
        self.meters = meters
        self.memory = memory
    }

    func close() {
        for fd in procs { try? fd.close() }
        meters.close()
    }
}
