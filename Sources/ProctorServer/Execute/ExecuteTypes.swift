import Grading

/// POST /execute's body: a program, its language, and what it is given.
struct ExecuteRequest: Codable, Sendable {
    var code: String
    var language: String
    var stdin: String?
    var files: [FileUpload]?
    var args: [String]?
    /// Seconds (wall clock, and CPU); capped at the server's maximum (60 s).
    var timeout: Double?
    var memory: ByteSize?
    /// An image of the server's store (GET /images) to compile and run in instead of the
    /// host's system folders; the language's tools are looked for there.
    var image: String?
}

/// POST /execute's answer.
struct ExecuteResponse: Codable, Sendable {
    var stdout: String
    var stderr: String
    var return_code: Int?
    var signal: Int?
    var execution_time: Double
    var cpu_time: Double
    var memory_peak: Int
    /// exited, signaled, cpu-time-limit, wall-time-limit, memory-limit, output-limit,
    /// compile-error, judge-error.
    var status: String
    /// AC when the program exited 0; else TLE, MLE, OLE, RTE, CE or JE.
    var verdict: String
    var compile_output: String?
    var stdout_truncated: Bool
    var stderr_truncated: Bool
    var language: String
}

extension ExecuteResponse {
    init(_ outcome: CodeOutcome, language: String) {
        switch outcome {
        case .compileError(let message):
            self.init(
                stdout: "", stderr: "", return_code: nil, signal: nil, execution_time: 0, cpu_time: 0, memory_peak: 0,
                status: "compile-error", verdict: Verdict.compileError.rawValue, compile_output: message,
                stdout_truncated: false, stderr_truncated: false, language: language)
        case .judgeError(let message):
            self.init(
                stdout: "", stderr: message, return_code: nil, signal: nil, execution_time: 0, cpu_time: 0, memory_peak: 0,
                status: "judge-error", verdict: Verdict.judgeError.rawValue, compile_output: nil,
                stdout_truncated: false, stderr_truncated: false, language: language)
        case .ran(let r):
            self.init(
                stdout: String(decoding: r.stdout, as: UTF8.self), stderr: String(decoding: r.stderr, as: UTF8.self),
                return_code: r.exitCode, signal: r.signal, execution_time: r.wallTime, cpu_time: r.cpuTime,
                memory_peak: r.memoryPeak, status: r.status.rawValue,
                verdict: (Verdict.of(r) ?? .accepted).rawValue, compile_output: nil,
                stdout_truncated: r.stdoutTruncated, stderr_truncated: r.stderrTruncated, language: language)
        }
    }
}
