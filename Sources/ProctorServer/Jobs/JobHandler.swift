import Foundation

/// What a kind of job does with its stored request: a result to store, or a failure message.
protocol JobHandler: Sendable {
    /// Runs the job; when its task is cancelled, stops what it started and returns soon.
    func run(_ job: JobRow) async -> JobOutcome
    /// What the callback URL is sent when the job ends.
    func callback(_ row: JobRow) -> (method: String, body: Data)
    /// What a job cancelled by `JobSystem.cancel` ends as.
    func cancelled(_ job: JobRow) -> JobOutcome
}

extension JobHandler {
    func cancelled(_ job: JobRow) -> JobOutcome {
        JobOutcome(status: .failed, error: "cancelled: the client went away")
    }

    /// By default: a POST of the job document (GET /jobs/{id}), report included.
    func callback(_ row: JobRow) -> (method: String, body: Data) {
        ("POST", Data(JSON.encode(JobDocument(row, includeResult: true))))
    }
}

struct JobOutcome: Sendable {
    var status: JobRow.Status
    var result: Data?
    var junit: Data?
    var error: String?
}
