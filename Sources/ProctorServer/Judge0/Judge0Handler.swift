import Foundation
import Grading
import Sandbox

/// Runs stored Judge0 submissions through the executor (admitted: they wait, never 503).
struct Judge0Handler: JobHandler {
    let configuration: ServerConfiguration
    let executor: Executor
    let store: any JobStore
    let metrics: Metrics

    func run(_ job: JobRow) async -> JobOutcome {
        guard let j = try? JSONDecoder().decode(Judge0Job.self, from: job.request),
            let language = configuration.languages.language(id: j.language)
        else {
            return JobOutcome(
                status: .done, result: Data(JSON.encode(Judge0Result(message: "bad stored submission", status_id: 13))))
        }
        var run = CodeRun(
            language: language, code: Array(j.source), cpuTime: j.cpu_time_limit + j.cpu_extra_time,
            wallTime: j.wall_time_limit, memory: j.memory_limit * 1024)
        run.stdin = Array(j.stdin ?? Data())
        run.arguments = j.arguments
        run.processes = j.max_processes
        run.outputLimit = j.max_file_size * 1024
        run.captureLimit = j.max_file_size * 1024
        let started = ContinuousClock.now
        let outcome = (try? await executor.run(run, admitted: true)) ?? .judgeError("not run")
        if Task.isCancelled { return cancelled(job) }
        let result = Self.result(outcome, job: j)
        let answer = ExecuteResponse(outcome, language: language.id)
        metrics.count("proctor_runs_total", ["endpoint": "judge0", "verdict": Judge0.description(result.status_id)])
        metrics.observe("proctor_run_seconds", ["endpoint": "judge0"], seconds: (ContinuousClock.now - started).seconds)
        await store.audit(
            AuditEntry(
                caller: job.owner, endpoint: "judge0", language: language.id,
                subject: "submission \(job.id) " + ProctorService.digest(Array(j.source)),
                verdict: Judge0.description(result.status_id), status: answer.status, exitCode: answer.return_code,
                cpuTime: answer.cpu_time, wallTime: answer.execution_time, memoryPeak: answer.memory_peak))
        return JobOutcome(status: .done, result: Data(JSON.encode(result)))
    }

    /// A submission whose `wait=true` client went away: its run was killed.
    func cancelled(_ job: JobRow) -> JobOutcome {
        let message = "cancelled: the client went away before the result"
        return JobOutcome(
            status: .failed, result: Data(JSON.encode(Judge0Result(message: message, status_id: 13))), error: message)
    }

    /// Judge0's callback: a PUT of the submission's default fields, encoded as it was created.
    func callback(_ row: JobRow) -> (method: String, body: Data) {
        let base64 = (try? JSONDecoder().decode(Judge0Job.self, from: row.request))?.base64_encoded ?? false
        let doc =
            Judge0.document(row, fields: Judge0.defaultFields, base64: base64)
            ?? Judge0.document(row, fields: Judge0.defaultFields, base64: true) ?? [:]
        return ("PUT", Data(JSON.encode(doc)))
    }

    static func result(_ outcome: CodeOutcome, job j: Judge0Job) -> Judge0Result {
        switch outcome {
        case .compileError(let message):
            return Judge0Result(compile_output: Data(message.utf8), status_id: 6)
        case .judgeError(let message):
            return Judge0Result(message: message, status_id: 13)
        case .ran(let r):
            var out = Judge0Result(
                stdout: Data(r.stdout), stderr: r.stderr.isEmpty ? nil : Data(r.stderr), exit_code: r.exitCode,
                exit_signal: r.signal, status_id: 3, time: r.cpuTime, wall_time: r.wallTime,
                memory: r.memoryPeak / 1024)
            if j.redirect_stderr_to_stdout {
                out.stdout = Data(r.stdout + r.stderr)
                out.stderr = nil
            }
            switch r.status {
            case .cpuTimeLimit, .wallTimeLimit:
                out.status_id = 5
                out.message = "Time limit exceeded"
            case .memoryLimit:
                out.status_id = 12
                out.exit_signal = r.signal ?? 9
                out.message = "Memory limit exceeded"
            case .outputLimit:
                out.status_id = 8
                out.message = "Output limit exceeded"
            case .sandboxError:
                out.status_id = (r.error ?? "").contains("ENOEXEC") ? 14 : 13
                out.message = out.status_id == 14 ? "Exec format error" : "Internal error"
            case .signaled:
                switch r.signal ?? 0 {
                case 11: out.status_id = 7
                case 25: out.status_id = 8
                case 8: out.status_id = 9
                case 6: out.status_id = 10
                default: out.status_id = 12
                }
                out.message = "Exited with signal \(r.signal ?? 0)"
            case .exited:
                if r.exitCode != 0 {
                    out.status_id = 11
                    out.message = "Exited with error status \(r.exitCode ?? 0)"
                } else if let expected = j.expected, !Judge0.accepts(expected: Array(expected), stdout: r.stdout) {
                    out.status_id = 4
                }
            }
            return out
        }
    }
}

extension Judge0 {
    /// Judge0's Accepted test: isolate_job.rb compares `strip(expected_output)` with
    /// `strip(stdout)`, where `strip` right-strips each line and then the whole text (Ruby's
    /// `rstrip`). That is Grading's `lines` comparison (whitespace at the end of a line, and
    /// blank lines at the end, ignored), but for one byte: Ruby's `rstrip` drops NUL as well,
    /// which `lines` counts as content; so NULs among a line's trailing whitespace are made
    /// spaces first.
    static func accepts(expected: [UInt8], stdout: [UInt8]) -> Bool {
        CompareMode.lines.comparator(expected: ByteReader(bytes: blankingTrailingNULs(expected)))
            .compare(blankingTrailingNULs(stdout)) == nil
    }

    /// `bytes` with each NUL that stands in a line's trailing run of whitespace and NULs
    /// turned into a space (the set Ruby's `rstrip` removes: NUL, \t, \n, \v, \f, \r, space).
    static func blankingTrailingNULs(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(0) else { return bytes }
        var out = bytes
        var inTail = true
        for i in out.indices.reversed() {
            switch out[i] {
            case 0x0A: inTail = true
            case 0x00 where inTail: out[i] = 0x20
            case 0x09...0x0D, 0x20: break
            default: inTail = false
            }
        }
        return out
    }
}
