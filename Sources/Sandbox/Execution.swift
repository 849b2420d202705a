import Dispatch
import Synchronization
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// A running exec: its output streams, its stdin (for `.pipe`), and its result.
public final class Execution: Sendable {
    /// The process's pid on the host.
    public let pid: Int32
    /// Output chunks as they come, when `ExecOptions.streamOutput` is set (else finished at once).
    public let stdout: AsyncStream<[UInt8]>
    public let stderr: AsyncStream<[UInt8]>
    /// The write end of stdin, for `ExecOptions.Input.pipe`.
    public let stdin: StdinWriter?
    let outcome: Promise<ExecResult>
    let stopper: @Sendable () -> Void

    init(
        pid: Int32, stdout: AsyncStream<[UInt8]>, stderr: AsyncStream<[UInt8]>, stdin: StdinWriter?,
        outcome: Promise<ExecResult>, stopper: @escaping @Sendable () -> Void
    ) {
        self.pid = pid
        self.stdout = stdout
        self.stderr = stderr
        self.stdin = stdin
        self.outcome = outcome
        self.stopper = stopper
    }

    /// Waits for the end of the run: the main process ended and every process it left was killed.
    ///
    /// Cancelling the waiting task kills the run (an HTTP client that hung up, a grader
    /// that gave up): nobody is left to read its result, and its processes must not live
    /// on. The wait then returns the result of the killed run (status `signaled`).
    public func wait() async -> ExecResult {
        await withTaskCancellationHandler {
            await outcome.value()
        } onCancel: {
            kill()
        }
    }

    /// Kills the run's processes now (the result says signaled). Returns at once; `wait()`
    /// tells when they are gone.
    public func kill() {
        let stopper = self.stopper
        DispatchQueue.global().async { stopper() }
    }
}

/// Writes to a process's stdin pipe; writes block off the cooperative pool.
public final class StdinWriter: Sendable {
    private let fd: Mutex<FileDescriptor?>
    private let queue = DispatchQueue(label: "proctor.stdin")

    init(fd: FileDescriptor) {
        self.fd = Mutex(fd)
    }

    public func write(_ bytes: [UInt8]) async throws {
        let target = fd.withLock { $0 }
        guard let target else { throw SandboxError(.exec, "stdin is closed", errno: .badFileDescriptor) }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            queue.async {
                do {
                    _ = try target.writeAll(bytes)
                    continuation.resume()
                } catch let errno as Errno {
                    continuation.resume(throwing: SandboxError(.exec, "write to stdin", errno: errno))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    public func write(_ text: String) async throws {
        try await write(Array(text.utf8))
    }

    /// Closes stdin: the process reads end of file.
    public func close() {
        let target = fd.withLock { fd -> FileDescriptor? in
            defer { fd = nil }
            return fd
        }
        queue.async { try? target?.close() }
    }

    deinit {
        try? fd.withLock { $0 }?.close()
    }
}

/// A value that arrives once (an exit status, a build), awaited by any number of tasks;
/// later fulfilments are dropped.
public final class Promise<Value: Sendable>: Sendable {
    private let state = Mutex<(value: Value?, waiters: [CheckedContinuation<Value, Never>], blocked: [DispatchSemaphore])>(
        (nil, [], []))

    public init() {}

    public func fulfill(_ value: Value) {
        let (waiters, blocked) = state.withLock { s -> ([CheckedContinuation<Value, Never>], [DispatchSemaphore]) in
            guard s.value == nil else { return ([], []) }
            s.value = value
            defer {
                s.waiters = []
                s.blocked = []
            }
            return (s.waiters, s.blocked)
        }
        for w in waiters { w.resume(returning: value) }
        for b in blocked { b.signal() }
    }

    /// The value, if it has arrived.
    public var current: Value? { state.withLock { $0.value } }

    /// Waits for the value on this thread (for synchronous callers, never on the cooperative pool).
    public func waitSynchronously() -> Value {
        let semaphore = DispatchSemaphore(value: 0)
        if let v = state.withLock({ s -> Value? in
            if s.value == nil { s.blocked.append(semaphore) }
            return s.value
        }) {
            return v
        }
        semaphore.wait()
        return current!
    }

    /// True once a value is there: `value()` would not wait.
    public var isFulfilled: Bool { state.withLock { $0.value != nil } }

    public func value() async -> Value {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { s -> Value? in
                if let v = s.value { return v }
                s.waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}

/// Monotonic seconds.
func monotonicNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
