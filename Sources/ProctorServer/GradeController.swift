import Foundation
import Grading
import HTTPTypes
import Hummingbird
import Logging
import Reports
import SystemPackage

/// POST /grade: a suite (a name the server holds, or uploaded files) and solutions.
struct GradeRequest: Codable, Sendable {
    struct UploadedSuite: Codable, Sendable {
        /// The suite's files; the suite itself is `suite.yaml` (or `main`).
        var files: [FileUpload]
        var main: String?
    }
    struct Solution: Codable, Sendable {
        /// A file name; its extension picks the language unless `language` is given.
        var name: String
        var code: String
        var language: String?
    }
    var suite: String?
    var suite_upload: UploadedSuite?
    var solutions: [Solution]
    var callback_url: String?
    var fail_fast: Bool?
}

/// Lays a grading request out in a folder (suite, fixtures, solutions) and grades it.
struct GradeHandler: JobHandler {
    let configuration: ServerConfiguration
    let jobsFolder: String
    let store: Store
    let metrics: Metrics
    let logger: Logger

    /// The suite file and the solution files of a request, written under `folder`.
    static func materialize(_ r: GradeRequest, in folder: String, configuration: ServerConfiguration) throws -> (suite: String, solutions: [(String, String?)]) {
        let fm = FileManager.default
        try? fm.removeItem(atPath: folder)
        try fm.createDirectory(atPath: folder + "/solutions", withIntermediateDirectories: true)
        let suitePath: String
        if let name = r.suite {
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }),
                  !name.hasPrefix(".") else {
                throw APIError.badRequest("a suite name is letters, digits, '-', '_' and '.'")
            }
            let base = configuration.suitesDirectory + "/" + name
            let candidates = [base + "/suite.yaml", base + ".yaml", base]
            guard let found = candidates.first(where: { var isDir: ObjCBool = false
                return fm.fileExists(atPath: $0, isDirectory: &isDir) && !isDir.boolValue }) else {
                throw APIError.notFound("no suite named '\(name)' on this server")
            }
            suitePath = found
        } else if let upload = r.suite_upload {
            guard upload.files.count <= 1000 else { throw APIError.badRequest("at most 1000 suite files") }
            for f in upload.files {
                let file = try f.decoded(limit: configuration.maxFileSize)
                let target = folder + "/suite/" + file.path
                try fm.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data(file.bytes).write(to: URL(fileURLWithPath: target))
            }
            let main = upload.main ?? "suite.yaml"
            try Paths.check(main)
            suitePath = folder + "/suite/" + main
            guard fm.fileExists(atPath: suitePath) else { throw APIError.badRequest("the upload has no '\(main)'") }
        } else {
            throw APIError.badRequest("give 'suite' (a name) or 'suite_upload' (files)")
        }
        var solutions: [(String, String?)] = []
        for (i, s) in r.solutions.enumerated() {
            let name = (s.name as NSString).lastPathComponent
            guard !name.isEmpty, !name.hasPrefix(".") else { throw APIError.badRequest("solution \(i): bad name") }
            guard s.code.utf8.count <= configuration.maxFileSize else {
                throw APIError(.contentTooLarge, "too_large", "solution '\(name)' is larger than \(configuration.maxFileSize) bytes")
            }
            let dir = folder + "/solutions/\(i)"
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try Data(s.code.utf8).write(to: URL(fileURLWithPath: dir + "/" + name))
            solutions.append((dir + "/" + name, s.language))
        }
        return (suitePath, solutions)
    }

    /// Errors as the caller may see them: host folders replaced by neutral names.
    static func scrub(_ text: String, folder: String, configuration: ServerConfiguration) -> String {
        text.replacingOccurrences(of: folder + "/suite/", with: "")
            .replacingOccurrences(of: folder + "/solutions/", with: "solutions/")
            .replacingOccurrences(of: folder, with: "job")
            .replacingOccurrences(of: configuration.suitesDirectory + "/", with: "suites/")
    }

    /// Loads the suite and the solutions; any problem is a 400 (at POST) or a failed job.
    static func prepare(_ r: GradeRequest, in folder: String, configuration: ServerConfiguration,
                        logger: Logger) throws -> (Grader, Suite, [Submission]) {
        let (suitePath, solutions) = try materialize(r, in: folder, configuration: configuration)
        var options = GradingOptions()
        options.jobs = configuration.workers
        options.failFast = r.fail_fast ?? false
        let grader = Grader(options: options, languages: configuration.languages, logger: logger)
        do {
            let suite = try SuiteLoader.load(FilePath(suitePath))
            let submissions = try solutions.map { try grader.submission($0.0, language: $0.1) }
            return (grader, suite, submissions)
        } catch let e as APIError {
            throw e
        } catch {
            throw APIError.badRequest(scrub("\(error)", folder: folder, configuration: configuration))
        }
    }

    func run(_ job: JobRow) async -> JobOutcome {
        let folder = jobsFolder + "/" + job.id
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            let request = try JSONDecoder().decode(GradeRequest.self, from: job.request)
            let (grader, suite, submissions) = try Self.prepare(request, in: folder, configuration: configuration, logger: logger)
            var result = try await grader.grade(suites: [suite], submissions: submissions)
            for i in result.results.indices {
                result.results[i].submissionPath = Self.scrub(result.results[i].submissionPath, folder: folder, configuration: configuration)
            }
            for r in result.results {
                metrics.count("proctor_runs_total", ["endpoint": "grade", "verdict": r.verdict.rawValue], by: Double(r.tests.count))
                await store.audit(AuditEntry(caller: job.owner, endpoint: "grade", language: r.language,
                                       subject: "job \(job.id) \(r.submission) problem \(r.problem)",
                                       verdict: r.verdict.rawValue, status: "\(r.passed)/\(r.tests.count) passed",
                                       cpuTime: r.tests.reduce(0) { $0 + $1.cpuTime }, wallTime: r.time,
                                       memoryPeak: r.tests.map(\.memoryPeak).max() ?? 0))
            }
            let json = try JSONReport.render(result)
            let junit = try JUnitReport.render(result)
            return JobOutcome(status: .done, result: Data(json), junit: Data(junit))
        } catch let e as APIError {
            return JobOutcome(status: .failed, error: e.message)
        } catch {
            return JobOutcome(status: .failed, error: Self.scrub("\(error)", folder: folder, configuration: configuration))
        }
    }
}

/// POST /grade, GET /jobs/{id}, GET /jobs/{id}/junit.
struct GradeController {
    let service: ProctorService

    func addRoutes(to router: Router<ProctorContext>) {
        router.post("/grade", use: grade)
        router.get("/jobs/:id", use: show)
        router.get("/jobs/:id/junit", use: junit)
    }

    @Sendable func grade(_ request: Request, context: ProctorContext) async throws -> Response {
        let caller = try context.requireCaller()
        let c = service.configuration
        let bytes = try await JSON.body(request, limit: c.maxBodySize)
        let body = try JSON.decode(GradeRequest.self, from: bytes)
        guard !body.solutions.isEmpty, body.solutions.count <= 100 else { throw APIError.badRequest("give 1 to 100 solutions") }
        if let url = body.callback_url {
            guard let u = URL(string: url), u.scheme == "http" || u.scheme == "https", u.host != nil else {
                throw APIError.badRequest("callback_url must be an http(s) URL")
            }
        }
        // Check it now, so a bad suite is a 400 and not a failed job.
        let id = "job-" + UUID().uuidString.lowercased()
        let folder = service.jobsFolder + "/check-" + id
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = try GradeHandler.prepare(body, in: folder, configuration: c, logger: service.logger)
        try await service.jobs.submit([JobRow(id: id, kind: "grade", owner: caller, request: Data(bytes), callbackURL: body.callback_url)])
        return JSON.response(["id": id, "status": "queued"], status: .accepted, headers: [.location: "/jobs/\(id)"])
    }

    func job(_ context: ProctorContext) async throws -> JobRow {
        let caller = try context.requireCaller()
        let id = try context.parameters.require("id")
        guard let row = try await service.store.job(id), row.kind == "grade", row.owner == caller else {
            throw APIError.notFound("no job '\(id.prefix(64))'")
        }
        return row
    }

    @Sendable func show(_ request: Request, context: ProctorContext) async throws -> Response {
        JSON.response(JobDocument(try await job(context), includeResult: true))
    }

    @Sendable func junit(_ request: Request, context: ProctorContext) async throws -> Response {
        let row = try await job(context)
        guard let xml = row.junit else {
            throw APIError(.conflict, "not_finished", row.status == .failed ? "the job failed: \(row.error ?? "")"
                           : "the job has not finished (status \(row.status.rawValue))")
        }
        return Response(status: .ok, headers: [.contentType: "application/xml"], body: .init(byteBuffer: ByteBuffer(bytes: [UInt8](xml))))
    }
}
