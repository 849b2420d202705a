import Foundation
import Grading
import Logging
import Reports
import SystemPackage

/// Lays a grading request out in a folder (suite, fixtures, solutions) and grades it.
struct GradeHandler: JobHandler {
    let configuration: ServerConfiguration
    let jobsFolder: String
    let store: any JobStore
    let metrics: Metrics
    let logger: Logger

    /// The suite file and the solution files of a request, written under `folder`.
    ///
    /// Uploaded names are the caller's: each must be a relative path with no '..', named
    /// once, and is created new beneath the folder (O_EXCL, O_NOFOLLOW at every level:
    /// `ConfinedRoot.create`), within caps on the number of files and their total bytes.
    /// Returns whether the suite was uploaded (an uploaded suite is held to `suiteCaps`).
    static func materialize(
        _ r: GradeRequest, in folder: String,
        configuration: ServerConfiguration
    ) throws -> (suite: String, solutions: [(String, String?)], uploaded: Bool) {
        let fm = FileManager.default
        try? fm.removeItem(atPath: folder)
        try fm.createDirectory(atPath: folder + "/solutions", withIntermediateDirectories: true)
        let suitePath: String
        var uploaded = false
        if let name = r.suite {
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }),
                !name.hasPrefix(".")
            else {
                throw APIError.badRequest("a suite name is letters, digits, '-', '_' and '.'")
            }
            let base = configuration.suitesDirectory + "/" + name
            let candidates = [base + "/suite.yaml", base + ".yaml", base]
            guard
                let found = candidates.first(where: {
                    var isDir: ObjCBool = false
                    return fm.fileExists(atPath: $0, isDirectory: &isDir) && !isDir.boolValue
                })
            else {
                throw APIError.notFound("no suite named '\(name)' on this server")
            }
            suitePath = found
        } else if let upload = r.suite_upload {
            let cap = configuration.maxSuiteFiles
            guard upload.files.count <= cap else {
                throw APIError.badRequest("at most \(cap) suite files (the upload has \(upload.files.count))")
            }
            try fm.createDirectory(atPath: folder + "/suite", withIntermediateDirectories: true)
            let root = ConfinedRoot(FilePath(folder + "/suite"))
            var names: Set<String> = []
            var total = 0
            for f in upload.files {
                let name = try uploadName(f.path, "suite file")
                guard names.insert(name).inserted else {
                    throw APIError.badRequest("suite file '\(name.prefix(100))' is there twice")
                }
                let file = try f.decoded(limit: configuration.maxFileSize)
                total += file.bytes.count
                guard total <= configuration.maxSuiteUploadSize else {
                    throw APIError(
                        .contentTooLarge, "too_large",
                        "the suite's files are larger than \(configuration.maxSuiteUploadSize) bytes together")
                }
                try write(root, name, file.bytes)
            }
            let main = try uploadName(upload.main ?? "suite.yaml", "main")
            guard names.contains(main) else { throw APIError.badRequest("the upload has no '\(main.prefix(100))'") }
            suitePath = folder + "/suite/" + main
            uploaded = true
        } else {
            throw APIError.badRequest("give 'suite' (a name) or 'suite_upload' (files)")
        }
        var solutions: [(String, String?)] = []
        let solutionsRoot = ConfinedRoot(FilePath(folder + "/solutions"))
        for (i, s) in r.solutions.enumerated() {
            let name = s.name
            guard !name.isEmpty, name.utf8.count <= 255, !name.hasPrefix("."), !name.contains("/"), !name.contains("\0") else {
                throw APIError.badRequest("solution \(i): a name is a file name ('main.py'): no '/', not starting with '.'")
            }
            switch (s.code, s.files, s.archive) {
            case (let code?, nil, nil):
                guard code.utf8.count <= configuration.maxFileSize else {
                    throw APIError(
                        .contentTooLarge, "too_large", "solution '\(name)' is larger than \(configuration.maxFileSize) bytes")
                }
                try write(solutionsRoot, "\(i)/\(name)", Array(code.utf8))
            case (nil, let files?, nil):
                // Several files: a folder submission named `name` (problemtools' rules, as on the CLI).
                try writeFolder(files, "\(i)/\(name)", solutionsRoot, what: "solution '\(name)'", configuration: configuration)
            case (nil, nil, let archive?):
                // An archive: unpacked in a sandbox when the solutions are read (`prepare`).
                guard SubmissionArchive.isArchive(name) else {
                    throw APIError.badRequest(
                        "solution '\(name.prefix(100))': an archive's name ends in .zip, .tar, .tar.gz, .tgz, .tar.xz or .tar.bz2"
                    )
                }
                let file = try FileUpload(path: name, content: archive, encoding: "base64").decoded(
                    limit: min(configuration.maxSuiteUploadSize, SubmissionArchive.maxBytes))
                try write(solutionsRoot, "\(i)/\(name)", file.bytes)
            default:
                throw APIError.badRequest("solution \(i): give one of 'code' (one file), 'files' (several) or 'archive' (base64)")
            }
            solutions.append((folder + "/solutions/\(i)/" + name, s.language))
        }
        return (suitePath, solutions, uploaded)
    }

    /// A solution of several files, beneath `prefix`: the suite upload's caps on count and size.
    static func writeFolder(
        _ files: [FileUpload], _ prefix: String, _ root: ConfinedRoot, what: String, configuration: ServerConfiguration
    ) throws {
        guard !files.isEmpty, files.count <= configuration.maxSuiteFiles else {
            throw APIError.badRequest("\(what): 1 to \(configuration.maxSuiteFiles) files (it has \(files.count))")
        }
        var total = 0
        for f in files {
            let name = try uploadName(f.path, "file of \(what)")
            let file = try f.decoded(limit: configuration.maxFileSize)
            total += file.bytes.count
            guard total <= configuration.maxSuiteUploadSize else {
                throw APIError(
                    .contentTooLarge, "too_large", "\(what): larger than \(configuration.maxSuiteUploadSize) bytes together")
            }
            try write(root, prefix + "/" + name, file.bytes)
        }
    }

    /// An uploaded file's name: a relative path, no '..', no NUL, not too long.
    static func uploadName(_ path: String, _ what: String) throws -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.isEmpty, path.utf8.count <= 1024, !path.contains("\0"), !path.hasPrefix("/"),
            !parts.contains(where: { $0 == ".." || $0 == "." || $0.isEmpty })
        else {
            throw APIError.badRequest("\(what) '\(path.prefix(100))': a relative path with no '..', '.' or empty parts is needed")
        }
        return path
    }

    /// Creates an uploaded file (never over another, never through a symlink).
    static func write(_ root: ConfinedRoot, _ name: String, _ bytes: [UInt8]) throws {
        do {
            try root.create(name, bytes)
        } catch let e as GradingError where e.code == .refused {
            throw APIError.badRequest(e.message.replacingOccurrences(of: root.folder.string, with: "the upload"))
        }
    }

    /// Errors as the caller may see them: host folders replaced by neutral names.
    static func scrub(_ text: String, folder: String, configuration: ServerConfiguration) -> String {
        text.replacingOccurrences(of: folder + "/suite/", with: "")
            .replacingOccurrences(of: folder + "/solutions/", with: "solutions/")
            .replacingOccurrences(of: folder, with: "job")
            .replacingOccurrences(of: configuration.suitesDirectory + "/", with: "suites/")
    }

    /// Loads the suite and the solutions; any problem is a 400 (at POST) or a failed job.
    static func prepare(
        _ r: GradeRequest, in folder: String, configuration: ServerConfiguration,
        logger: Logger
    ) async throws -> (Grader, Suite, [Submission]) {
        let (suitePath, solutions, uploaded) = try materialize(r, in: folder, configuration: configuration)
        var options = GradingOptions()
        options.jobs = configuration.workers
        options.failFast = r.fail_fast ?? false
        options.images = configuration.images
        let grader = Grader(options: options, languages: configuration.languages, logger: logger)
        do {
            // Uploaded suites are held to the caps; the server's own suites are the operator's.
            let suite = try SuiteLoader.load(
                FilePath(suitePath), caps: uploaded ? configuration.suiteCaps : nil, images: configuration.images)
            // Archives are unpacked beneath the job's folder, removed with it.
            var submissions: [Submission] = []
            for (path, language) in solutions {
                submissions.append(try await grader.submission(path, language: language, unpackingInto: folder + "/unpacked"))
            }
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
            let (grader, suite, submissions) = try await Self.prepare(
                request, in: folder, configuration: configuration, logger: logger)
            var result = try await grader.grade(suites: [suite], submissions: submissions)
            for i in result.results.indices {
                result.results[i].submissionPath = Self.scrub(
                    result.results[i].submissionPath, folder: folder, configuration: configuration)
            }
            for r in result.results {
                metrics.count("proctor_runs_total", ["endpoint": "grade", "verdict": r.verdict.rawValue], by: r.tests.count)
                await store.audit(
                    AuditEntry(
                        caller: job.owner, endpoint: "grade", language: r.language,
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
