/// What one exec came to. A limit hit is a status here, never a thrown error.
public struct ExecResult: Sendable, Hashable, Codable {
    /// Why the run ended.
    public enum Status: String, Sendable, Hashable, Codable {
        case exited
        case signaled
        case cpuTimeLimit = "cpu-time-limit"
        case wallTimeLimit = "wall-time-limit"
        case memoryLimit = "memory-limit"
        case outputLimit = "output-limit"
        case sandboxError = "sandbox-error"
    }

    public var status: Status
    public var exitCode: Int?
    public var signal: Int?
    /// CPU seconds of the process, its threads and its children (cgroup accounting).
    public var cpuTime: Double
    /// Seconds from start to the end of the main process.
    public var wallTime: Double
    /// Peak memory of the exec's cgroup, in bytes.
    public var memoryPeak: Int
    /// The kernel's OOM killer ended a process of the run.
    public var oomKilled: Bool
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    public var stdoutTruncated: Bool
    public var stderrTruncated: Bool
    /// For sandbox-error: which step failed and why ("exec nosuch: ENOENT ...").
    public var error: String?

    public init(
        status: Status, exitCode: Int? = nil, signal: Int? = nil, cpuTime: Double = 0, wallTime: Double = 0,
        memoryPeak: Int = 0, oomKilled: Bool = false, stdout: [UInt8] = [], stderr: [UInt8] = [],
        stdoutTruncated: Bool = false, stderrTruncated: Bool = false, error: String? = nil
    ) {
        self.status = status
        self.exitCode = exitCode
        self.signal = signal
        self.cpuTime = cpuTime
        self.wallTime = wallTime
        self.memoryPeak = memoryPeak
        self.oomKilled = oomKilled
        self.stdout = stdout
        self.stderr = stderr
        self.stdoutTruncated = stdoutTruncated
        self.stderrTruncated = stderrTruncated
        self.error = error
    }

    /// The shell's convention: the exit code, 128+N for signal N, 125 for a sandbox error.
    public var shellExitCode: Int32 {
        if let exitCode { return Int32(exitCode) }
        if let signal { return Int32(128 + signal) }
        return 125
    }

    /// A one-line reason when a limit (not the program) ended the run.
    public var limitReason: String? {
        switch status {
        case .exited, .signaled: return nil
        case .cpuTimeLimit: return "cpu time limit exceeded (\(Self.seconds(cpuTime)) of CPU)"
        case .wallTimeLimit: return "wall time limit exceeded (\(Self.seconds(wallTime)))"
        case .memoryLimit: return "memory limit exceeded (peak \(memoryPeak) bytes\(oomKilled ? ", OOM-killed" : ""))"
        case .outputLimit: return "output limit exceeded"
        case .sandboxError: return "sandbox error: \(error ?? "unknown")"
        }
    }

    private static func seconds(_ s: Double) -> String {
        let ms = Int((s * 1000).rounded())
        return "\(ms / 1000).\(String(repeating: "0", count: 3 - String(ms % 1000).count))\(ms % 1000)s"
    }
}
