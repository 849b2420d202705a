import CSandbox
import Glibc
import Synchronization
import SystemPackage

/// Watches one exec on a thread of its own: drains stdout and stderr (so the program never
/// blocks on a full pipe, and the runner never holds more than the capture cap), enforces
/// the output, CPU-time and wall-time limits, reaps the process through its pidfd, then
/// kills whatever the run left behind and reads the cgroup's figures.
final class ExecMonitor: @unchecked Sendable {
    struct Stream {
        var fd: FileDescriptor
        var open = true
        var total = 0
        var captured: [UInt8] = []
        /// Nil when the chunks go to `sink` (a watch on the caller's thread).
        var continuation: AsyncStream<[UInt8]>.Continuation?
    }

    let pidfd: FileDescriptor
    let options: ExecOptions
    let slot: ExecSlot
    let driver: any CgroupDriver
    let start: Double
    let baseline: CgroupCounters
    /// The sandbox group's OOM counter and its value at the start.
    let groupMeters: CgroupMeters
    let groupBaseline: CgroupCounters
    let outcome: Promise<ExecResult>
    let finished: @Sendable () -> Void
    private var streams: [Stream]
    /// Where output chunks go instead of the streams, for a watch on the caller's thread
    /// (`watchHere`): set before it starts.
    var sink: ((_ stream: Int, _ chunk: [UInt8]) -> Void)?
    private let stopReason = Mutex<ExecResult.Status?>(nil)

    init(
        pidfd: FileDescriptor, options: ExecOptions, slot: ExecSlot, driver: any CgroupDriver, start: Double,
        baseline: CgroupCounters, groupMeters: CgroupMeters, groupBaseline: CgroupCounters,
        stdout: Stream, stderr: Stream,
        outcome: Promise<ExecResult>, finished: @escaping @Sendable () -> Void
    ) {
        self.pidfd = pidfd
        self.options = options
        self.slot = slot
        self.driver = driver
        self.start = start
        self.baseline = baseline
        self.groupMeters = groupMeters
        self.groupBaseline = groupBaseline
        self.streams = [stdout, stderr]
        self.outcome = outcome
        self.finished = finished
    }

    /// Stops the run from outside (`Execution.kill`, sandbox terminate).
    func stop(_ reason: ExecResult.Status = .signaled) {
        let first = stopReason.withLock { r -> Bool in
            if r != nil { return false }
            r = reason
            return true
        }
        if first || reason == .signaled { driver.kill(slot.path) }
    }

    func startThread() {
        startDetachedThread(stackSize: 256 << 10) { [self] in run() }
    }

    /// Watches the exec on the calling thread, until the run is over (`Sandbox.runSynchronously`).
    func watchHere() {
        run()
    }

    private func run() {
        var exitCode: Int? = nil
        var signal: Int? = nil
        var endTime: Double? = nil
        let wallDeadline = options.wallTime.map { start + $0.seconds }
        let cpuLimit = options.cpuTime.map { UInt64($0.seconds * 1e9) }
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var drainDeadline: Double? = nil

        while streams[0].open || streams[1].open || endTime == nil {
            let now = monotonicNow()
            var timeout: Int32 = -1
            if endTime == nil {
                if let wallDeadline {
                    timeout = Int32(max(0, min(Double(Int32.max / 2), (wallDeadline - now) * 1000).rounded(.up)))
                }
                if cpuLimit != nil { timeout = timeout < 0 ? 10 : min(timeout, 10) }
            } else {
                // The main process is gone and its group killed: the pipes close at once,
                // unless a writer outside the group holds them; do not wait forever.
                if drainDeadline == nil { drainDeadline = now + 2 }
                if now >= drainDeadline! { break }
                timeout = 100
            }
            var fds: [pollfd] = []
            var which: [Int] = []
            for i in 0..<2 where streams[i].open {
                fds.append(pollfd(fd: streams[i].fd.rawValue, events: Int16(POLLIN), revents: 0))
                which.append(i)
            }
            if endTime == nil {
                fds.append(pollfd(fd: pidfd.rawValue, events: Int16(POLLIN), revents: 0))
                which.append(2)
            }
            let n = poll(&fds, nfds_t(fds.count), timeout)
            if n < 0 && errno != EINTR { break }
            for (k, pfd) in fds.enumerated() where pfd.revents != 0 {
                let i = which[k]
                if i < 2 {
                    drain(i, &buffer)
                } else {
                    var code: Int32 = -1
                    var sig: Int32 = 0
                    if proctor_wait_pidfd(pidfd.rawValue, &code, &sig) == 0 {
                        if sig != 0 { signal = Int(sig) } else { exitCode = Int(code) }
                    }
                    endTime = monotonicNow()
                    // Whatever the main process left running (daemons, grandchildren) dies with the run.
                    if !driver.isEmpty(slot.path) { driver.kill(slot.path) }
                }
            }
            if endTime == nil {
                let t = monotonicNow()
                if let wallDeadline, t >= wallDeadline { stop(.wallTimeLimit) }
                if let cpuLimit, slot.meters.read().cpuNanoseconds &- baseline.cpuNanoseconds >= cpuLimit {
                    stop(.cpuTimeLimit)
                }
            }
        }
        finish(exitCode: exitCode, signal: signal, endTime: endTime ?? monotonicNow())
    }

    private func drain(_ i: Int, _ buffer: inout [UInt8]) {
        var budget = 1 << 20  // stay responsive to the other stream and the limits
        while budget > 0 {
            let n = buffer.withUnsafeMutableBytes { raw in
                Glibc.read(streams[i].fd.rawValue, raw.baseAddress, raw.count)
            }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN { return }
                streams[i].open = false
                return
            }
            if n == 0 {
                streams[i].open = false
                return
            }
            budget -= n
            take(i, buffer[..<n])
        }
    }

    private func take(_ i: Int, _ bytes: ArraySlice<UInt8>) {
        let before = streams[i].total
        streams[i].total += bytes.count
        let allowed = max(0, min(bytes.count, options.outputLimit - before))
        if allowed > 0 {
            let room = max(0, options.captureLimit - streams[i].captured.count)
            if room > 0 { streams[i].captured.append(contentsOf: bytes.prefix(min(room, allowed))) }
            if options.streamOutput { deliver(i, Array(bytes.prefix(allowed))) }
        }
        if streams[i].total > options.outputLimit { stop(.outputLimit) }
    }

    /// Yields a chunk; with a backlog limit, waits while the reader is that far behind
    /// (unless the run is being stopped or its wall time runs out: then the chunk is dropped).
    private func deliver(_ i: Int, _ chunk: [UInt8]) {
        if let sink {
            sink(i, chunk)
            return
        }
        let deadline = options.wallTime.map { start + $0.seconds }
        while true {
            guard case .dropped = streams[i].continuation?.yield(chunk), options.streamBacklog != nil else { return }
            if stopReason.withLock({ $0 }) != nil { return }
            if let deadline, monotonicNow() >= deadline {
                stop(.wallTimeLimit)
                return
            }
            usleep(200)
        }
    }

    private func finish(exitCode: Int?, signal: Int?, endTime: Double) {
        let counters = slot.meters.read()
        let failures = counters.memoryFailures - baseline.memoryFailures
        // The OOM killer acts in the group whose limit was hit: the exec's slot for a
        // per-exec limit, the sandbox group for the sandbox's. A kill in the slot is this
        // run's. A kill elsewhere in the sandbox during the run (init's leaf, when an older
        // kernel or a failed setting left init killable: then the whole pid namespace goes)
        // is this run's when its main process died of SIGKILL that we did not send.
        let slotKills = counters.oomKills - baseline.oomKills
        let groupKills = groupMeters.read().oomKills - groupBaseline.oomKills
        let stoppedByUs = stopReason.withLock({ $0 }) != nil
        let oomKilled = slotKills > 0 || (groupKills > 0 && signal == Int(SIGKILL) && !stoppedByUs)
        var status: ExecResult.Status
        if let reason = stopReason.withLock({ $0 }) {
            status = reason
        } else if oomKilled {
            status = .memoryLimit
        } else if failures > 0 && !(exitCode == 0) {
            status = .memoryLimit
        } else if signal == Int(SIGXCPU) {
            status = .cpuTimeLimit
        } else {
            status = signal != nil ? .signaled : .exited
        }
        let result = ExecResult(
            status: status, exitCode: exitCode, signal: signal,
            cpuTime: Double(counters.cpuNanoseconds &- baseline.cpuNanoseconds) / 1e9,
            wallTime: endTime - start, memoryPeak: slot.meters.peak, oomKilled: oomKilled,
            stdout: streams[0].captured, stderr: streams[1].captured,
            stdoutTruncated: streams[0].total > streams[0].captured.count,
            stderrTruncated: streams[1].total > streams[1].captured.count)
        for s in streams {
            s.continuation?.finish()
            try? s.fd.close()
        }
        try? pidfd.close()
        finished()
        outcome.fulfill(result)
    }
}

extension Duration {
    /// The duration in seconds, as a Double (reports, JSON, other tools' units).
    public var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
