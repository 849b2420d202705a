import Hummingbird
import Sandbox

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
        var language = try service.language(body.language)
        if let image = body.image {
            _ = try ServerImages(c.images).manifest(image)
            language = language.inImage(image, store: c.images)
        }
        let run = try service.codeRun(
            language: language, code: body.code, stdin: body.stdin, files: body.files, args: body.args,
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
        await service.record(
            caller: caller, endpoint: "execute", language: language.id, code: run.code, answer: answer,
            seconds: (ContinuousClock.now - started).seconds)
        return JSON.response(answer)
    }
}
