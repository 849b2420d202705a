import Foundation
import Grading
import HTTPTypes
import Hummingbird
import Sandbox

/// Judge0 CE 1.13.1's vocabulary: language ids, statuses, configuration. Kept faithful so
/// Judge0 clients work unchanged; Proctor's own API (/execute, /grade) says more (MLE, OLE).
enum Judge0 {
    static let version = "1.13.1"
    static let statuses: [(Int, String)] = [
        (1, "In Queue"), (2, "Processing"), (3, "Accepted"), (4, "Wrong Answer"), (5, "Time Limit Exceeded"),
        (6, "Compilation Error"), (7, "Runtime Error (SIGSEGV)"), (8, "Runtime Error (SIGXFSZ)"),
        (9, "Runtime Error (SIGFPE)"), (10, "Runtime Error (SIGABRT)"), (11, "Runtime Error (NZEC)"),
        (12, "Runtime Error (Other)"), (13, "Internal Error"), (14, "Exec Format Error"),
    ]
    static func description(_ id: Int) -> String { statuses.first { $0.0 == id }?.1 ?? "Internal Error" }

    /// Judge0 CE ids for Proctor's languages (the ids Judge0's own clients use for 1.13.1).
    static let ids: [(Int, String)] = [
        (46, "bash"), (50, "c"), (52, "cpp"), (54, "cpp"), (62, "java"), (63, "javascript"), (71, "python3"),
        (73, "rust"), (83, "swift"),
        (51, "csharp"), (55, "lisp"), (56, "d"), (57, "elixir"), (58, "erlang"), (59, "fortran"), (60, "go"),
        (61, "haskell"), (64, "lua"), (65, "ocaml"), (67, "pascal"), (68, "php"), (69, "prolog"), (70, "python2"),
        (72, "ruby"), (74, "typescript"), (78, "kotlin"), (80, "r"), (81, "scala"), (85, "perl"),
    ]

    // Judge0's own defaults and maxima, its names and units (seconds, kilobytes).
    static let cpuTimeLimit = 5.0, maxCpuTimeLimit = 15.0, cpuExtraTime = 1.0, maxCpuExtraTime = 5.0
    static let wallTimeLimit = 10.0, maxWallTimeLimit = 20.0
    static let memoryLimit = 128_000, maxMemoryLimit = 512_000, stackLimit = 64_000, maxStackLimit = 128_000
    static let maxProcesses = 60, maxMaxProcesses = 120, maxFileSize = 1024, maxMaxFileSize = 4096
    static let maxBatch = 20

    /// The limits this server applies: Judge0's, lowered to the operator's caps (the caps on
    /// uploaded suites and on /execute), so no Judge0 submission can ask for more than a
    /// suite or /execute could. A default above its maximum comes down to the maximum.
    struct Limits {
        var cpuTime: Double, maxCpuTime: Double, cpuExtraTime: Double, maxCpuExtraTime: Double
        var wallTime: Double, maxWallTime: Double
        var memory: Int, maxMemory: Int, stack: Int, maxStack: Int
        var processes: Int, maxProcesses: Int, fileSize: Int, maxFileSize: Int

        init(_ c: ServerConfiguration) {
            maxCpuTime = min(Judge0.maxCpuTimeLimit, c.suiteCaps.cpuTime.seconds)
            maxCpuExtraTime = min(Judge0.maxCpuExtraTime, c.suiteCaps.cpuTime.seconds)
            maxWallTime = min(Judge0.maxWallTimeLimit, c.suiteCaps.wallTime.seconds, c.maxTimeout)
            maxMemory = max(2048, min(Judge0.maxMemoryLimit, c.suiteCaps.memory / 1024, c.maxMemory / 1024))
            maxStack = min(Judge0.maxStackLimit, maxMemory)
            maxProcesses = max(1, min(Judge0.maxMaxProcesses, c.suiteCaps.processes))
            maxFileSize = max(1, min(Judge0.maxMaxFileSize, c.suiteCaps.output / 1024))
            cpuTime = min(Judge0.cpuTimeLimit, maxCpuTime)
            cpuExtraTime = min(Judge0.cpuExtraTime, maxCpuExtraTime)
            wallTime = min(Judge0.wallTimeLimit, maxWallTime)
            memory = min(Judge0.memoryLimit, maxMemory)
            stack = min(Judge0.stackLimit, maxStack)
            processes = min(Judge0.maxProcesses, maxProcesses)
            fileSize = min(Judge0.maxFileSize, maxFileSize)
        }
    }

    static func configInfo(queueSize: Int, limits l: Limits) -> [String: AnyJSON] {
        [
            "maintenance_mode": .bool(false), "enable_wait_result": .bool(true), "enable_compiler_options": .bool(false),
            "allowed_languages_for_compile_options": .array([]), "enable_command_line_arguments": .bool(true),
            "enable_submission_delete": .bool(false), "enable_callbacks": .bool(true), "callbacks_max_tries": .int(3),
            "callbacks_timeout": .number(5), "enable_additional_files": .bool(false), "max_queue_size": .int(queueSize),
            "cpu_time_limit": .number(l.cpuTime), "max_cpu_time_limit": .number(l.maxCpuTime),
            "cpu_extra_time": .number(l.cpuExtraTime), "max_cpu_extra_time": .number(l.maxCpuExtraTime),
            "wall_time_limit": .number(l.wallTime), "max_wall_time_limit": .number(l.maxWallTime),
            "memory_limit": .int(l.memory), "max_memory_limit": .int(l.maxMemory), "stack_limit": .int(l.stack),
            "max_stack_limit": .int(l.maxStack), "max_processes_and_or_threads": .int(l.processes),
            "max_max_processes_and_or_threads": .int(l.maxProcesses),
            "enable_per_process_and_thread_time_limit": .bool(false),
            "allow_enable_per_process_and_thread_time_limit": .bool(false),
            "enable_per_process_and_thread_memory_limit": .bool(false),
            "allow_enable_per_process_and_thread_memory_limit": .bool(false),
            "max_file_size": .int(l.fileSize), "max_max_file_size": .int(l.maxFileSize), "number_of_runs": .int(1),
            "max_number_of_runs": .int(1), "redirect_stderr_to_stdout": .bool(false), "max_extract_size": .int(10240),
            "enable_batched_submissions": .bool(true), "max_submission_batch_size": .int(maxBatch),
            "submission_cache_duration": .number(1), "use_docs_as_homepage": .bool(false),
            "allow_enable_network": .bool(false), "enable_network": .bool(false),
        ]
    }

    static let defaultFields = ["stdout", "time", "memory", "stderr", "token", "compile_output", "message", "status"]

    static func timestamp(_ t: Double?) -> AnyJSON {
        guard let t else { return .null }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"
        return .string(f.string(from: Date(timeIntervalSince1970: t)))
    }

    /// Judge0's comparison: trailing blanks of each line and trailing newlines ignored.
    static func normalized(_ bytes: [UInt8]) -> [UInt8] {
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { line -> ArraySlice<UInt8> in
            var l = line
            while let last = l.last, last == 0x20 || last == 0x09 || last == 0x0D { l = l.dropLast() }
            return l
        }
        var out = Array(lines.joined(separator: [0x0A]))
        while let last = out.last, last == 0x0A || last == 0x20 || last == 0x09 || last == 0x0D { out.removeLast() }
        return out
    }
}

/// What POST /submissions takes (Judge0's field names; text or base64 per `base64_encoded`).
struct Judge0Submission: Codable, Sendable {
    var source_code: String?
    var language_id: Int?
    var compiler_options: String?
    var command_line_arguments: String?
    var stdin: String?
    var expected_output: String?
    var cpu_time_limit: Double?
    var cpu_extra_time: Double?
    var wall_time_limit: Double?
    var memory_limit: Int?
    var stack_limit: Int?
    var max_processes_and_or_threads: Int?
    var enable_per_process_and_thread_time_limit: Bool?
    var enable_per_process_and_thread_memory_limit: Bool?
    var max_file_size: Int?
    var redirect_stderr_to_stdout: Bool?
    var enable_network: Bool?
    var number_of_runs: Int?
    var additional_files: String?
    var callback_url: String?
}

/// A submission as stored: text fields decoded to bytes (kept base64), limits filled in.
struct Judge0Job: Codable, Sendable {
    var source: Data
    var language_id: Int
    var language: String
    var stdin: Data?
    var expected: Data?
    var arguments: [String]
    var cpu_time_limit: Double
    var cpu_extra_time: Double
    var wall_time_limit: Double
    var memory_limit: Int
    var stack_limit: Int
    var max_processes: Int
    var max_file_size: Int
    var redirect_stderr_to_stdout: Bool
    var callback_url: String?
    /// How the submission was created (its callback is encoded the same way).
    var base64_encoded: Bool?
}

/// A finished submission's outcome, stored as JSON.
struct Judge0Result: Codable, Sendable {
    var stdout: Data?
    var stderr: Data?
    var compile_output: Data?
    var message: String?
    var exit_code: Int?
    var exit_signal: Int?
    var status_id: Int
    var time: Double?
    var wall_time: Double?
    var memory: Int?
}

/// Runs stored Judge0 submissions through the executor (admitted: they wait, never 503).
struct Judge0Handler: JobHandler {
    let configuration: ServerConfiguration
    let executor: Executor
    let store: Store
    let metrics: Metrics

    func run(_ job: JobRow) async -> JobOutcome {
        guard let j = try? JSONDecoder().decode(Judge0Job.self, from: job.request),
              let language = configuration.languages.language(id: j.language) else {
            return JobOutcome(status: .done, result: Data(JSON.encode(Judge0Result(message: "bad stored submission", status_id: 13))))
        }
        var run = CodeRun(language: language, code: Array(j.source), cpuTime: j.cpu_time_limit + j.cpu_extra_time,
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
        await store.audit(AuditEntry(caller: job.owner, endpoint: "judge0", language: language.id,
                               subject: "submission \(job.id) " + ProctorService.digest(Array(j.source)),
                               verdict: Judge0.description(result.status_id), status: answer.status, exitCode: answer.return_code,
                               cpuTime: answer.cpu_time, wallTime: answer.execution_time, memoryPeak: answer.memory_peak))
        return JobOutcome(status: .done, result: Data(JSON.encode(result)))
    }

    /// A submission whose `wait=true` client went away: its run was killed.
    func cancelled(_ job: JobRow) -> JobOutcome {
        let message = "cancelled: the client went away before the result"
        return JobOutcome(status: .failed, result: Data(JSON.encode(Judge0Result(message: message, status_id: 13))), error: message)
    }

    /// Judge0's callback: a PUT of the submission's default fields, encoded as it was created.
    func callback(_ row: JobRow) -> (method: String, body: Data) {
        let base64 = (try? JSONDecoder().decode(Judge0Job.self, from: row.request))?.base64_encoded ?? false
        let doc = Judge0.document(row, fields: Judge0.defaultFields, base64: base64)
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
            var out = Judge0Result(stdout: Data(r.stdout), stderr: r.stderr.isEmpty ? nil : Data(r.stderr), exit_code: r.exitCode,
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
                } else if let expected = j.expected, Judge0.normalized(Array(expected)) != Judge0.normalized(r.stdout) {
                    out.status_id = 4
                }
            }
            return out
        }
    }
}

/// Judge0 CE's endpoints: /submissions (single and batch), /languages, /statuses, /about, /config_info.
struct Judge0Controller {
    let service: ProctorService

    func addRoutes(to router: Router<ProctorContext>) {
        router.post("/submissions", use: create)
        router.post("/submissions/batch", use: createBatch)
        router.get("/submissions/batch", use: showBatch)
        router.get("/submissions/:token", use: show)
        router.get("/languages", use: languages)
        router.get("/languages/:id", use: language)
        router.get("/statuses") { _, _ in
            JSON.response(Judge0.statuses.map { ["id": AnyJSON.int($0.0), "description": .string($0.1)] })
        }
        router.get("/about") { _, _ in
            JSON.response(["version": Judge0.version, "homepage": "https://github.com/proctor",
                           "source_code": "Proctor (Judge0 CE compatible API)", "maintainer": "Proctor"])
        }
        router.get("/config_info") { _, _ in
            JSON.response(Judge0.configInfo(queueSize: service.configuration.jobQueueCapacity, limits: Judge0.Limits(service.configuration)))
        }
    }

    /// The languages served: Judge0's ids whose Proctor toolchain is installed.
    var served: [(Int, Language)] {
        Judge0.ids.compactMap { id, name in
            guard let l = service.configuration.languages.language(id: name), l.missingTools.isEmpty else { return nil }
            return (id, l)
        }
    }

    func languageName(_ l: Language) -> String { l.name }

    @Sendable func languages(_ request: Request, context: ProctorContext) async throws -> Response {
        JSON.response(served.map { ["id": AnyJSON.int($0.0), "name": .string(languageName($0.1))] })
    }

    @Sendable func language(_ request: Request, context: ProctorContext) async throws -> Response {
        let id = try context.parameters.require("id", as: Int.self)
        guard let (_, l) = served.first(where: { $0.0 == id }) else {
            return JSON.response(["error": "language with id \(id) doesn't exist"], status: .notFound)
        }
        return JSON.response([
            "id": AnyJSON.int(id), "name": .string(languageName(l)), "is_archived": .bool(false),
            "source_file": .string(l.fileName), "compile_cmd": l.compile.map { .string($0.joined(separator: " ")) } ?? .null,
            "run_cmd": .string(l.run.joined(separator: " ")),
        ])
    }

    /// Judge0's validation: 422 with `{"field": ["message"]}`.
    struct Invalid: Error {
        var errors: [String: [String]]
    }

    func decodeText(_ s: String?, base64: Bool, _ field: String) throws -> Data? {
        guard let s else { return nil }
        if !base64 { return Data(s.utf8) }
        guard let d = Data(base64Encoded: s, options: .ignoreUnknownCharacters) else { throw Invalid(errors: [field: ["is not valid base64"]]) }
        return d
    }

    func job(_ s: Judge0Submission, base64: Bool) async throws -> Judge0Job {
        var errors: [String: [String]] = [:]
        let l = Judge0.Limits(service.configuration)
        func check(_ value: Double?, _ field: String, max: Double) {
            if let v = value, v < 0 || v > max { errors[field, default: []].append("must be less than or equal to \(Judge0.number(max))") }
        }
        check(s.cpu_time_limit, "cpu_time_limit", max: l.maxCpuTime)
        check(s.cpu_extra_time, "cpu_extra_time", max: l.maxCpuExtraTime)
        check(s.wall_time_limit, "wall_time_limit", max: l.maxWallTime)
        check(s.memory_limit.map(Double.init), "memory_limit", max: Double(l.maxMemory))
        check(s.stack_limit.map(Double.init), "stack_limit", max: Double(l.maxStack))
        check(s.max_processes_and_or_threads.map(Double.init), "max_processes_and_or_threads", max: Double(l.maxProcesses))
        check(s.max_file_size.map(Double.init), "max_file_size", max: Double(l.maxFileSize))
        if let m = s.memory_limit, m < 2048 { errors["memory_limit", default: []].append("must be greater than or equal to 2048") }
        if (s.source_code ?? "").isEmpty { errors["source_code", default: []].append("can't be blank") }
        var language: String?
        if let id = s.language_id {
            language = served.first { $0.0 == id }?.1.id
            if language == nil { errors["language_id", default: []].append("language with id \(id) doesn't exist") }
        } else {
            errors["language_id", default: []].append("can't be blank")
        }
        if s.enable_network == true { errors["enable_network", default: []].append("enabling network is not allowed") }
        if s.compiler_options?.isEmpty == false { errors["compiler_options", default: []].append("setting compiler options is not allowed") }
        if s.additional_files != nil { errors["additional_files", default: []].append("additional files are not allowed") }
        if let n = s.number_of_runs, n != 1 { errors["number_of_runs", default: []].append("must be less than or equal to 1") }
        if let url = s.callback_url {
            do {
                _ = try await service.configuration.callbackTargets.check(url)
            } catch {
                errors["callback_url", default: []].append("\(error)")
            }
        }
        if !errors.isEmpty { throw Invalid(errors: errors) }
        let source = try decodeText(s.source_code, base64: base64, "source_code") ?? Data()
        if source.count > service.configuration.maxFileSize { throw Invalid(errors: ["source_code": ["is too long"]]) }
        let args = (s.command_line_arguments ?? "").split(separator: " ").map(String.init)
        return Judge0Job(source: source, language_id: s.language_id!, language: language!,
                         stdin: try decodeText(s.stdin, base64: base64, "stdin"),
                         expected: try decodeText(s.expected_output, base64: base64, "expected_output"), arguments: args,
                         cpu_time_limit: s.cpu_time_limit ?? l.cpuTime, cpu_extra_time: s.cpu_extra_time ?? l.cpuExtraTime,
                         wall_time_limit: s.wall_time_limit ?? l.wallTime, memory_limit: s.memory_limit ?? l.memory,
                         stack_limit: s.stack_limit ?? l.stack,
                         max_processes: s.max_processes_and_or_threads ?? l.processes,
                         max_file_size: s.max_file_size ?? l.fileSize,
                         redirect_stderr_to_stdout: s.redirect_stderr_to_stdout ?? false, callback_url: s.callback_url,
                         base64_encoded: base64)
    }

    static func flag(_ request: Request, _ name: String) -> Bool {
        request.uri.queryParameters.get(name) == "true"
    }

    static func fields(_ request: Request) -> [String]? {
        guard let f = request.uri.queryParameters.get("fields") else { return Judge0.defaultFields }
        if f == "*" || f == "all" { return nil }
        return f.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    @Sendable func create(_ request: Request, context: ProctorContext) async throws -> Response {
        let caller = try context.requireCaller()
        let base64 = Self.flag(request, "base64_encoded")
        let s = try await JSON.decode(Judge0Submission.self, from: request, limit: service.configuration.maxBodySize,
                                      timeout: service.configuration.bodyTimeout)
        let j: Judge0Job
        do {
            j = try await job(s, base64: base64)
        } catch let e as Invalid {
            return JSON.response(e.errors, status: .unprocessableContent)
        }
        let token = UUID().uuidString.lowercased()
        try await service.jobs.submit([JobRow(id: token, kind: "judge0", owner: caller, request: Data(JSON.encode(j)), callbackURL: j.callback_url)])
        guard Self.flag(request, "wait") else { return JSON.response(["token": token], status: .created) }
        let jobs = service.jobs
        do {
            try await ClientWatch.cancelling(await context.clientWatch()) {
                await jobs.wait(token, timeout: .seconds(Int64(j.wall_time_limit * 4 + 60)))
                try Task.checkCancellation()
            }
        } catch {
            // The client went away: stop the run it started (a no-op while the server stops:
            // then the job goes back to the queue).
            Task { await jobs.cancel(token) }
            throw error
        }
        guard let row = try await service.store.job(token) else { throw APIError.notFound("no submission") }
        return try render(row, fields: Self.fields(request), base64: base64, status: .created)
    }

    @Sendable func show(_ request: Request, context: ProctorContext) async throws -> Response {
        let caller = try context.requireCaller()
        let token = try context.parameters.require("token")
        guard let row = try await service.store.job(token), row.kind == "judge0", row.owner == caller else {
            return JSON.response(["error": "", "message": "Not Found"], status: .notFound)
        }
        return try render(row, fields: Self.fields(request), base64: Self.flag(request, "base64_encoded"))
    }

    @Sendable func createBatch(_ request: Request, context: ProctorContext) async throws -> Response {
        let caller = try context.requireCaller()
        struct Batch: Decodable { var submissions: [Judge0Submission] }
        let base64 = Self.flag(request, "base64_encoded")
        let batch = try await JSON.decode(Batch.self, from: request, limit: service.configuration.maxBodySize,
                                      timeout: service.configuration.bodyTimeout)
        guard !batch.submissions.isEmpty, batch.submissions.count <= Judge0.maxBatch else {
            return JSON.response(["error": "number of submissions in a batch should be between 1 and \(Judge0.maxBatch)"],
                                 status: .unprocessableContent)
        }
        var rows: [JobRow] = []
        var answers: [[String: AnyJSON]] = []
        for s in batch.submissions {
            do {
                let j = try await job(s, base64: base64)
                let token = UUID().uuidString.lowercased()
                rows.append(JobRow(id: token, kind: "judge0", owner: caller, request: Data(JSON.encode(j)), callbackURL: j.callback_url))
                answers.append(["token": .string(token)])
            } catch let e as Invalid {
                answers.append(e.errors.mapValues { .array($0.map(AnyJSON.string)) })
            }
        }
        if !rows.isEmpty { try await service.jobs.submit(rows) }
        return JSON.response(answers, status: .created)
    }

    @Sendable func showBatch(_ request: Request, context: ProctorContext) async throws -> Response {
        let caller = try context.requireCaller()
        let tokens = (request.uri.queryParameters.get("tokens") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !tokens.isEmpty, tokens.count <= Judge0.maxBatch else {
            return JSON.response(["error": "number of tokens should be between 1 and \(Judge0.maxBatch)"], status: .badRequest)
        }
        let base64 = Self.flag(request, "base64_encoded")
        let fields = Self.fields(request)
        var out: [AnyJSON] = []
        for t in tokens {
            if let row = try await service.store.job(t), row.kind == "judge0", row.owner == caller {
                guard let doc = Judge0.document(row, fields: fields, base64: base64) else { return utf8Error() }
                out.append(.object(doc))
            } else {
                out.append(.null)
            }
        }
        return JSON.response(["submissions": out])
    }

    func utf8Error() -> Response {
        JSON.response(["error": "some attributes for this submission cannot be converted to UTF-8, use base64_encoded=true query parameter"],
                      status: .badRequest)
    }

    func render(_ row: JobRow, fields: [String]?, base64: Bool, status: HTTPResponse.Status = .ok) throws -> Response {
        guard let doc = Judge0.document(row, fields: fields, base64: base64) else { return utf8Error() }
        return JSON.response(doc, status: status)
    }

}

extension Judge0 {
    /// The submission's fields; nil when a text field is not UTF-8 and base64 was not asked for.
    static func document(_ row: JobRow, fields: [String]?, base64: Bool) -> [String: AnyJSON]? {
        guard let j = try? JSONDecoder().decode(Judge0Job.self, from: row.request) else { return [:] }
        let r = row.result.flatMap { try? JSONDecoder().decode(Judge0Result.self, from: $0) }
        var bad = false
        func text(_ d: Data?) -> AnyJSON {
            guard let d else { return .null }
            if base64 { return .string(d.base64EncodedString()) }
            guard let s = String(data: d, encoding: .utf8) else {
                bad = true
                return .null
            }
            return .string(s)
        }
        let statusID = r?.status_id ?? (row.status == .running ? 2 : 1)
        var d: [String: AnyJSON] = [
            "token": .string(row.id), "source_code": text(j.source), "language_id": .int(j.language_id),
            "stdin": text(j.stdin), "expected_output": text(j.expected),
            "stdout": text(r?.stdout), "stderr": text(r?.stderr), "compile_output": text(r?.compile_output),
            "message": r?.message.map { base64 ? .string(Data($0.utf8).base64EncodedString()) : .string($0) } ?? .null,
            "exit_code": r?.exit_code.map(AnyJSON.int) ?? .null, "exit_signal": r?.exit_signal.map(AnyJSON.int) ?? .null,
            "status": .object(["id": .int(statusID), "description": .string(Judge0.description(statusID))]),
            "created_at": Judge0.timestamp(row.created), "finished_at": r == nil ? .null : Judge0.timestamp(row.finished),
            "time": r?.time.map { .string(Judge0.number($0)) } ?? .null,
            "wall_time": r?.wall_time.map { .string(Judge0.number($0)) } ?? .null,
            "memory": r?.memory.map(AnyJSON.int) ?? .null,
            "compiler_options": .null,
            "command_line_arguments": j.arguments.isEmpty ? .null : .string(j.arguments.joined(separator: " ")),
            "cpu_time_limit": .string(Judge0.number(j.cpu_time_limit)), "cpu_extra_time": .string(Judge0.number(j.cpu_extra_time)),
            "wall_time_limit": .string(Judge0.number(j.wall_time_limit)), "memory_limit": .int(j.memory_limit),
            "stack_limit": .int(j.stack_limit), "max_processes_and_or_threads": .int(j.max_processes),
            "enable_per_process_and_thread_time_limit": .bool(false), "enable_per_process_and_thread_memory_limit": .bool(false),
            "max_file_size": .int(j.max_file_size), "redirect_stderr_to_stdout": .bool(j.redirect_stderr_to_stdout),
            "enable_network": .bool(false), "number_of_runs": .int(1), "additional_files": .null,
            "callback_url": j.callback_url.map(AnyJSON.string) ?? .null,
        ]
        if let fields { d = d.filter { fields.contains($0.key) } }
        return bad ? nil : d
    }

    /// Seconds as Judge0 writes them ("0.002").
    static func number(_ v: Double) -> String {
        String(format: "%.3f", v).replacingOccurrences(of: #"\.?0+$"#, with: "", options: .regularExpression)
    }
}
