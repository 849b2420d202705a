/// GET /jobs/{id}: a job's status, and its JSON report once done.
struct JobDocument: Encodable {
    var id: String
    var kind: String
    var status: String
    var created_at: Double
    var started_at: Double?
    var finished_at: Double?
    var attempts: Int
    var error: String?
    var callback_state: String?
    var report: RawJSON?

    init(_ row: JobRow, includeResult: Bool) {
        id = row.id
        kind = row.kind
        status = row.status.rawValue
        created_at = row.created
        started_at = row.started
        finished_at = row.finished
        attempts = row.attempts
        error = row.error
        callback_state = row.callbackState
        report = includeResult ? row.result.map(RawJSON.init) : nil
    }
}
