import Foundation
import Grading
import HTTPTypes
import Hummingbird

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
            JSON.response([
                "version": Judge0.version, "homepage": "https://github.com/proctor",
                "source_code": "Proctor (Judge0 CE compatible API)", "maintainer": "Proctor",
            ])
        }
        router.get("/config_info") { _, _ in
            JSON.response(
                Judge0.configInfo(queueSize: service.configuration.jobQueueCapacity, limits: Judge0.Limits(service.configuration))
            )
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
        guard let (_, language) = served.first(where: { $0.0 == id }) else {
            return JSON.response(["error": "language with id \(id) doesn't exist"], status: .notFound)
        }
        // The commands as they run for one source ({files} is its file name).
        let l = language.resolved(original: language.fileName, source: [])
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
        guard let d = Data(base64Encoded: s, options: .ignoreUnknownCharacters) else {
            throw Invalid(errors: [field: ["is not valid base64"]])
        }
        return d
    }

    func job(_ s: Judge0Submission, base64: Bool) async throws -> Judge0Job {
        var errors: [String: [String]] = [:]
        let l = Judge0.Limits(service.configuration)
        func check(_ value: Double?, _ field: String, max: Double) {
            if let v = value, v < 0 || v > max {
                errors[field, default: []].append("must be less than or equal to \(Judge0.number(max))")
            }
        }
        check(s.cpu_time_limit, "cpu_time_limit", max: l.maxCpuTime)
        check(s.cpu_extra_time, "cpu_extra_time", max: l.maxCpuExtraTime)
        check(s.wall_time_limit, "wall_time_limit", max: l.maxWallTime)
        check(s.memory_limit.map(Double.init), "memory_limit", max: Double(l.maxMemory))
        check(s.stack_limit.map(Double.init), "stack_limit", max: Double(l.maxStack))
        check(s.max_processes_and_or_threads.map(Double.init), "max_processes_and_or_threads", max: Double(l.maxProcesses))
        check(s.max_file_size.map(Double.init), "max_file_size", max: Double(l.maxFileSize))
        if let m = s.memory_limit, m < 2048 {
            errors["memory_limit", default: []].append("must be greater than or equal to 2048")
        }
        if (s.source_code ?? "").isEmpty { errors["source_code", default: []].append("can't be blank") }
        var language: String?
        if let id = s.language_id {
            language = served.first { $0.0 == id }?.1.id
            if language == nil { errors["language_id", default: []].append("language with id \(id) doesn't exist") }
        } else {
            errors["language_id", default: []].append("can't be blank")
        }
        if s.enable_network == true { errors["enable_network", default: []].append("enabling network is not allowed") }
        if s.compiler_options?.isEmpty == false {
            errors["compiler_options", default: []].append("setting compiler options is not allowed")
        }
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
        return Judge0Job(
            source: source, language_id: s.language_id!, language: language!,
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
        let s = try await JSON.decode(
            Judge0Submission.self, from: request, limit: service.configuration.maxBodySize,
            timeout: service.configuration.bodyTimeout)
        let j: Judge0Job
        do {
            j = try await job(s, base64: base64)
        } catch let e as Invalid {
            return JSON.response(e.errors, status: .unprocessableContent)
        }
        let token = UUID().uuidString.lowercased()
        try await service.jobs.submit([
            JobRow(id: token, kind: "judge0", owner: caller, request: Data(JSON.encode(j)), callbackURL: j.callback_url)
        ])
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
        let batch = try await JSON.decode(
            Batch.self, from: request, limit: service.configuration.maxBodySize,
            timeout: service.configuration.bodyTimeout)
        guard !batch.submissions.isEmpty, batch.submissions.count <= Judge0.maxBatch else {
            return JSON.response(
                ["error": "number of submissions in a batch should be between 1 and \(Judge0.maxBatch)"],
                status: .unprocessableContent)
        }
        var rows: [JobRow] = []
        var answers: [[String: AnyJSON]] = []
        for s in batch.submissions {
            do {
                let j = try await job(s, base64: base64)
                let token = UUID().uuidString.lowercased()
                rows.append(
                    JobRow(id: token, kind: "judge0", owner: caller, request: Data(JSON.encode(j)), callbackURL: j.callback_url))
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
        let tokens = (request.uri.queryParameters.get("tokens") ?? "").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
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
        JSON.response(
            [
                "error":
                    "some attributes for this submission cannot be converted to UTF-8, use base64_encoded=true query parameter"
            ],
            status: .badRequest)
    }

    func render(_ row: JobRow, fields: [String]?, base64: Bool, status: HTTPResponse.Status = .ok) throws -> Response {
        guard let doc = Judge0.document(row, fields: fields, base64: base64) else { return utf8Error() }
        return JSON.response(doc, status: status)
    }

}
