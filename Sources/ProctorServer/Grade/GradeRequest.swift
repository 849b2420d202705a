import Reports

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
        /// One file's source; or `files`, a submission of several files (a folder named `name`);
        /// or `archive`, a zip or tar archive in base64 (`name` ends in .zip, .tar, .tar.gz, ...),
        /// judged as the folder it holds (`SubmissionArchive`, as on the CLI).
        var code: String?
        var files: [FileUpload]?
        var archive: String?
        var language: String?
    }
    var suite: String?
    var suite_upload: UploadedSuite?
    var solutions: [Solution]
    var callback_url: String?
    var fail_fast: Bool?
}
