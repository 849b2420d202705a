import Foundation
import Grading
import Logging
import Sandbox

/// Runs samples on warm interpreters: one fork server per pooled sandbox (see ForkServer).
public final class Evaluator: Sendable {
    let options: EvalOptions
    let logger: Logger

    public init(options: EvalOptions = .init(), logger: Logger = Logger(label: "proctor.eval")) {
        self.options = options
        self.logger = logger
    }

    var configuration: SandboxConfiguration {
        var c = SandboxConfiguration()
        c.limits.memory = options.sandboxMemory
        c.limits.processes = options.processes
        return c
    }

    public func evaluate(
        tasks: [String: EvalTask], samples: [EvalSample],
        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws -> EvalResult {
        let clock = ContinuousClock.now
        for (i, s) in samples.enumerated() where tasks[s.taskID] == nil {
            throw FormatsError(.invalidDataset, "sample \(i + 1): task \(s.taskID) is not in the dataset")
        }
        var ordinal: [String: Int] = [:]
        let ids: [Int?] = samples.map { s in
            defer { ordinal[s.taskID, default: 0] += 1 }
            return s.completionID ?? ordinal[s.taskID, default: 0]
        }
        let pool = SandboxPool(configuration: configuration, capacity: options.jobs, logger: logger)
        let next = Locked(0)
        let done = Locked(0)
        let total = samples.count
        let results = Locked([String?](repeating: nil, count: samples.count))
        let options = self.options
        let logger = self.logger
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<min(options.jobs, max(1, samples.count)) {
                group.addTask {
                    var server: WarmInterpreter?
                    defer { if let server { Task { await server.close() } } }
                    while true {
                        let i = next.withLock { n -> Int in
                            n += 1
                            return n - 1
                        }
                        if i >= samples.count { break }
                        let s = samples[i]
                        let program = HumanEval.program(tasks[s.taskID]!, s.completion)
                        var answer: (String, Bool)?
                        for attempt in 0..<2 {
                            if server == nil { server = try await WarmInterpreter.start(pool, options, logger) }
                            switch await server!.run(program, timeout: options.timeout, memory: options.sampleMemory) {
                            case .answer(let text, let clean):
                                answer = (text, clean)
                            case .serverEnded(let why):
                                // The sample (it is the only one in flight) ended its evaluator.
                                if attempt == 0 && why == .notStarted { break }
                                answer = ("failed: the sample ended its evaluator (\(why.rawValue))", false)
                            }
                            if answer != nil { break }
                            await server?.close()
                            server = nil
                        }
                        let (text, clean) = answer ?? ("failed: the evaluator could not run the sample", false)
                        if !clean {
                            await server?.close()
                            server = nil
                        }
                        results.withLock {
                            $0[i] = text
                            return ()
                        }
                        let d = done.withLock { n -> Int in
                            n += 1
                            return n
                        }
                        progress(d, total)
                    }
                    if let s = server {
                        await s.close()
                        server = nil
                    }
                }
            }
            try await group.waitForAll()
        }
        await pool.shutdown()
        let texts = results.withLock { $0 }
        let out = samples.indices.map { i in
            EvalSampleResult(
                taskID: samples[i].taskID, completionID: ids[i], passed: texts[i] == "passed", result: texts[i] ?? "timed out")
        }
        let elapsed = ContinuousClock.now - clock
        return EvalResult(
            samples: out.count, passed: out.filter(\.passed).count, passAtK: HumanEval.passAtK(out, ks: options.ks),
            results: out, duration: elapsed.seconds)
    }
}
