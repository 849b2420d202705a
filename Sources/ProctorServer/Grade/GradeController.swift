import Foundation
import Hummingbird
import Reports

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
            do {
                _ = try await c.callbackTargets.check(url)
            } catch {
                throw APIError.badRequest("\(error)")
            }
        }
        // Check it now, so a bad suite is a 400 and not a failed job.
        let id = "job-" + UUID().uuidString.lowercased()
        let folder = service.jobsFolder + "/check-" + id
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = try await GradeHandler.prepare(body, in: folder, configuration: c, logger: service.logger)
        try await service.jobs.submit([
            JobRow(id: id, kind: "grade", owner: caller, request: Data(bytes), callbackURL: body.callback_url)
        ])
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
            throw APIError(
                .conflict, "not_finished",
                row.status == .failed
                    ? "the job failed: \(row.error ?? "")"
                    : "the job has not finished (status \(row.status.rawValue))")
        }
        return Response(
            status: .ok, headers: [.contentType: "application/xml"], body: .init(byteBuffer: ByteBuffer(bytes: [UInt8](xml))))
    }
}
