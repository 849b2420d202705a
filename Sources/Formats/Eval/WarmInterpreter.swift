import Foundation
import Grading
import Logging
import Sandbox

/// One fork server running in one pooled sandbox; used by one worker at a time.
final class WarmInterpreter: @unchecked Sendable {
    enum Ended: String {
        case notStarted = "the evaluator did not start"
        case died = "the evaluator was killed"
        case stuck = "the evaluator did not answer in time"
    }

    enum Outcome {
        case answer(String, clean: Bool)
        case serverEnded(Ended)
    }

    let pool: SandboxPool
    let sandbox: Sandbox
    let execution: Execution
    var iterator: AsyncStream<[UInt8]>.AsyncIterator
    var buffer: [UInt8] = []
    var closed = false
    /// The watchdog killed the server (it did not answer in time).
    let fired = Locked(false)

    private init(pool: SandboxPool, sandbox: Sandbox, execution: Execution) {
        self.pool = pool
        self.sandbox = sandbox
        self.execution = execution
        iterator = execution.stdout.makeAsyncIterator()
    }

    static func start(_ pool: SandboxPool, _ options: EvalOptions, _ logger: Logger) async throws -> WarmInterpreter {
        let sandbox = try await pool.acquire()
        var o = ExecOptions()
        o.stdin = .pipe
        o.streamOutput = true
        o.captureLimit = 0
        o.outputLimit = 1 << 40
        let execution: Execution
        do {
            execution = try await sandbox.exec([options.python, "-c", ForkServer.script, "--in-proctor-sandbox"], o)
        } catch {
            await pool.release(sandbox)
            throw error
        }
        let server = WarmInterpreter(pool: pool, sandbox: sandbox, execution: execution)
        Task { for await _ in execution.stderr {} }
        guard let ready = await server.line(deadline: .seconds(30)), ready.contains("ready") else {
            await server.close()
            throw FormatsError(.sandbox, "the evaluator did not start in its sandbox")
        }
        return server
    }

    /// The next line of the server's stdout; nil when it ended (or was killed at the deadline).
    func line(deadline: Duration) async -> String? {
        let execution = self.execution
        let fired = self.fired
        let watchdog = Task {
            try await Task.sleep(for: deadline)
            fired.withLock {
                $0 = true
                return ()
            }
            execution.kill()
        }
        defer { watchdog.cancel() }
        while true {
            if let nl = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<nl], as: UTF8.self)
                buffer.removeSubrange(...nl)
                return line
            }
            guard let chunk = await iterator.next() else { return nil }
            buffer += chunk
        }
    }

    func run(_ program: String, timeout: Double, memory: Int) async -> Outcome {
        await send(["program": program, "timeout": timeout, "memory": memory], timeout: timeout)
    }

    /// One request (a JSON object: kind, timeout, memory and what the kind needs); its answer.
    func send(_ request: [String: Any], timeout: Double) async -> Outcome {
        guard let data = try? JSONSerialization.data(withJSONObject: request), let stdin = execution.stdin else {
            return .serverEnded(.notStarted)
        }
        do {
            try await stdin.write(Array(data) + [0x0A])
        } catch {
            return .serverEnded(.notStarted)
        }
        // The server answers within timeout + 1 s plus its cleanup; past a generous margin it is stuck.
        guard let line = await line(deadline: .milliseconds(Int64((timeout + 10) * 1000))) else {
            return .serverEnded(fired.withLock { $0 } ? .stuck : .died)
        }
        guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            let result = o["result"] as? String
        else {
            return .serverEnded(.died)
        }
        return .answer(result, clean: (o["clean"] as? Bool) ?? false)
    }

    func close() async {
        if closed { return }
        closed = true
        execution.stdin?.close()
        execution.kill()
        _ = await execution.wait()
        await pool.release(sandbox)
    }
}
