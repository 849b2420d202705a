import Foundation
import Grading
import HTTPTypes
import Hummingbird
import Sandbox

/// A size in bytes, given as a number or as text with a unit ("256M").
struct ByteSize: Codable, Sendable {
    var bytes: Int
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Int.self) {
            bytes = n
        } else if let s = try? c.decode(String.self), let n = Units.bytes(s) {
            bytes = n
        } else {
            throw APIError.badRequest("a size is a number of bytes or text such as \"256M\"")
        }
    }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(bytes)
    }
}

/// A file sent with a program: UTF-8 text, or base64 with `"encoding": "base64"`.
struct FileUpload: Codable, Sendable {
    var path: String
    var content: String
    var encoding: String?

    func decoded(limit: Int) throws -> CodeRun.File {
        try Paths.check(path)
        let bytes: [UInt8]
        switch encoding ?? "utf8" {
        case "utf8", "utf-8", "text": bytes = Array(content.utf8)
        case "base64":
            guard let d = Data(base64Encoded: content) else { throw APIError.badRequest("file '\(path)': content is not base64") }
            bytes = Array(d)
        default: throw APIError.badRequest("file '\(path)': encoding is utf8 or base64")
        }
        if bytes.count > limit {
            throw APIError(.contentTooLarge, "too_large", "file '\(path)' is larger than \(limit) bytes")
        }
        return CodeRun.File(path: path, bytes: bytes)
    }
}

enum Paths {
    /// A sandbox path a caller names: relative to the workdir, or below it; never `..`.
    static func check(_ path: String) throws {
        if path.isEmpty || path.utf8.count > 1024 || path.contains("\u{0}")
            || path.split(separator: "/").contains(where: { $0 == ".." }) {
            throw APIError.badRequest("bad path '\(path.prefix(100))': relative paths inside the sandbox only, no '..'")
        }
    }
}

struct ExecuteRequest: Codable, Sendable {
    var code: String
    var language: String
    var stdin: String?
    var files: [FileUpload]?
    var args: [String]?
    /// Seconds (wall clock, and CPU); capped at the server's maximum (60 s).
    var timeout: Double?
    var memory: ByteSize?
}

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

/// POST /execute: the code-playground call.
struct ExecuteController {
    let service: ProctorService

    func addRoutes(to router: Router<ProctorContext>) {
        router.post("/execute", use: execute)
    }

    @Sendable func execute(_ request: Request, context: ProctorContext) async throws -> Response {
        let caller = try context.requireCaller()
        let c = service.configuration
        let body = try await JSON.decode(ExecuteRequest.self, from: request, limit: c.maxBodySize, timeout: c.bodyTimeout)
        let language = try service.language(body.language)
        let run = try service.codeRun(language: language, code: body.code, stdin: body.stdin, files: body.files, args: body.args,
                                      timeout: body.timeout, memory: body.memory?.bytes)
        let started = ContinuousClock.now
        let outcome: CodeOutcome
        let executor = service.executor
        do {
            // A client that hangs up cancels the run: its process is killed, its slot freed.
            outcome = try await ClientWatch.cancelling(await context.clientWatch()) { try await executor.run(run) }
        } catch let e as APIError {
            service.metrics.count("proctor_rejected_total", ["reason": e.code])
            throw e
        }
        let answer = ExecuteResponse(outcome, language: language.id)
        await service.record(caller: caller, endpoint: "execute", language: language.id, code: run.code, answer: answer,
                       seconds: (ContinuousClock.now - started).seconds)
        return JSON.response(answer)
    }
}

extension ExecuteResponse {
    init(_ outcome: CodeOutcome, language: String) {
        switch outcome {
        case .compileError(let message):
            self.init(stdout: "", stderr: "", return_code: nil, signal: nil, execution_time: 0, cpu_time: 0, memory_peak: 0,
                      status: "compile-error", verdict: Verdict.compileError.rawValue, compile_output: message,
                      stdout_truncated: false, stderr_truncated: false, language: language)
        case .judgeError(let message):
            self.init(stdout: "", stderr: message, return_code: nil, signal: nil, execution_time: 0, cpu_time: 0, memory_peak: 0,
                      status: "judge-error", verdict: Verdict.judgeError.rawValue, compile_output: nil,
                      stdout_truncated: false, stderr_truncated: false, language: language)
        case .ran(let r):
            self.init(stdout: String(decoding: r.stdout, as: UTF8.self), stderr: String(decoding: r.stderr, as: UTF8.self),
                      return_code: r.exitCode, signal: r.signal, execution_time: r.wallTime, cpu_time: r.cpuTime,
                      memory_peak: r.memoryPeak, status: r.status.rawValue,
                      verdict: (Verdict.of(r) ?? .accepted).rawValue, compile_output: nil,
                      stdout_truncated: r.stdoutTruncated, stderr_truncated: r.stderrTruncated, language: language)
        }
    }
}
