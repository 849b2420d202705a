import Foundation
import Grading
import Logging
import Sandbox

/// One worker's warm interpreter, started on demand and replaced when it ends or is unclean.
final class InterpreterSlot: @unchecked Sendable {
    let pool: SandboxPool
    let options: EvalOptions
    let logger: Logger
    var server: WarmInterpreter?

    init(pool: SandboxPool, options: EvalOptions, logger: Logger) {
        self.pool = pool
        self.options = options
        self.logger = logger
    }

    /// The answer's text, or nil when the request ended its evaluator (counted against the request).
    func ask(_ request: [String: Any], timeout: Double) async throws -> String? {
        var request = request
        request["timeout"] = timeout
        request["memory"] = options.sampleMemory
        for attempt in 0..<2 {
            if server == nil { server = try await WarmInterpreter.start(pool, options, logger) }
            switch await server!.send(request, timeout: timeout) {
            case .answer(let text, let clean):
                if !clean { await close() }
                return text
            case .serverEnded(let why):
                await close()
                if attempt == 0 && why == .notStarted { continue }
                return nil
            }
        }
        return nil
    }

    func close() async {
        if let s = server {
            server = nil
            await s.close()
        }
    }
}
