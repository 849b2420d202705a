import Foundation
import Grading
import Logging
import Sandbox
import Synchronization
import SystemPackage

/// One problem of a HumanEval-style dataset.
public struct EvalTask: Sendable, Hashable {
    public var taskID: String
    public var prompt: String
    public var test: String
    public var entryPoint: String
}

/// One generated sample: the original JSON line is kept for the results file.
public struct EvalSample: Sendable, Hashable {
    public var taskID: String
    public var completion: String
    /// The sample's own completion_id, if it has one.
    public var completionID: Int?
    /// The sample's line as read (a JSON object).
    public var line: String
    /// EvalPlus' alternative to completion: the whole program (prompt included).
    public var solution: String? = nil
}

public struct EvalSampleResult: Sendable, Hashable {
    public var taskID: String
    /// The sample's completion_id, else its index among the samples of its task (as the reference).
    public var completionID: Int?
    public var passed: Bool
    /// "passed", "timed out", "failed: <exception>".
    public var result: String
}

public struct EvalResult: Sendable {
    public var samples: Int
    public var passed: Int
    /// k -> mean over tasks of the unbiased estimator; only k with every task having >= k samples.
    public var passAtK: [Int: Double]
    public var results: [EvalSampleResult]
    public var duration: Double
}

public struct EvalOptions: Sendable {
    /// Per sample, wall clock, as the reference harness (3 s).
    public var timeout: Double = 3
    /// Samples at once: one warm interpreter per pooled sandbox.
    public var jobs: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// RLIMIT_AS of each sample's process.
    public var sampleMemory: Int = 1 << 30
    /// The sandbox's memory (cgroup, every process of it, the server included).
    public var sandboxMemory: Int = 2 << 30
    public var processes: Int = 64
    public var ks: [Int] = [1, 10, 100]
    public var python = "/usr/bin/python3"

    public init() {}
}

public enum HumanEval {
    public static func loadDataset(_ path: String) throws -> [String: EvalTask] {
        var tasks: [String: EvalTask] = [:]
        for (i, line) in try JSONLines.read(path).enumerated() {
            let o = try JSONLines.object(line, path, i + 1)
            guard let id = o["task_id"] as? String, let prompt = o["prompt"] as? String, let test = o["test"] as? String,
                  let entry = o["entry_point"] as? String else {
                throw FormatsError(.invalidDataset, "\(path):\(i + 1): a task needs task_id, prompt, test and entry_point (strings)")
            }
            tasks[id] = EvalTask(taskID: id, prompt: prompt, test: test, entryPoint: entry)
        }
        return tasks
    }

    public static func loadSamples(_ path: String) throws -> [EvalSample] {
        try JSONLines.read(path).enumerated().map { i, line in
            let o = try JSONLines.object(line, path, i + 1)
            let solution = o["solution"] as? String
            guard let id = o["task_id"] as? String, let completion = (o["completion"] as? String) ?? (solution != nil ? "" : nil) else {
                throw FormatsError(.invalidDataset, "\(path):\(i + 1): a sample needs task_id and completion (strings)")
            }
            return EvalSample(taskID: id, completion: completion, completionID: (o["completion_id"] as? NSNumber)?.intValue,
                              line: line.trimmingCharacters(in: .whitespaces), solution: solution)
        }
    }

    /// The program the reference runs: prompt + completion + "\n" + test + "\n" + check(entry_point).
    public static func program(_ task: EvalTask, _ completion: String) -> String {
        task.prompt + completion + "\n" + task.test + "\n" + "check(\(task.entryPoint))"
    }

    /// 1 - comb(n - c, k) / comb(n, k), as the reference computes it (a product, no big numbers).
    public static func passAtK(n: Int, c: Int, k: Int) -> Double {
        if n - c < k { return 1 }
        var product = 1.0
        for i in stride(from: n - c + 1, through: n, by: 1) { product *= 1 - Double(k) / Double(i) }
        return 1 - product
    }

    /// pass@k per k, averaged over tasks, for the k every task has enough samples for.
    public static func passAtK(_ results: [EvalSampleResult], ks: [Int]) -> [Int: Double] {
        var order: [String] = []
        var counts: [String: (n: Int, c: Int)] = [:]
        for r in results {
            if counts[r.taskID] == nil { order.append(r.taskID) }
            counts[r.taskID, default: (0, 0)].n += 1
            if r.passed { counts[r.taskID, default: (0, 0)].c += 1 }
        }
        var out: [Int: Double] = [:]
        guard !order.isEmpty else { return out }
        for k in ks where k > 0 && order.allSatisfy({ counts[$0]!.n >= k }) {
            out[k] = order.map { passAtK(n: counts[$0]!.n, c: counts[$0]!.c, k: k) }.reduce(0, +) / Double(order.count)
        }
        return out
    }

    /// The reference's results file: each sample line, plus "result" and "passed".
    public static func resultLine(_ sample: EvalSample, _ r: EvalSampleResult) -> String {
        let extra = "\"result\": \(JSONText.quoted(r.result)), \"passed\": \(r.passed)"
        var line = sample.line
        if let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], o["result"] == nil, o["passed"] == nil,
           line.hasSuffix("}") {
            line.removeLast()
            let body = line.trimmingCharacters(in: .whitespaces)
            return body + (body.hasSuffix("{") ? "" : ", ") + extra + "}"
        }
        var o = (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]) ?? [:]
        o["result"] = r.result
        o["passed"] = r.passed
        let data = (try? JSONSerialization.data(withJSONObject: o, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

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

    public func evaluate(tasks: [String: EvalTask], samples: [EvalSample],
                         progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> EvalResult {
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
                        results.withLock { $0[i] = text; return () }
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
            EvalSampleResult(taskID: samples[i].taskID, completionID: ids[i], passed: texts[i] == "passed", result: texts[i] ?? "timed out")
        }
        let elapsed = ContinuousClock.now - clock
        return EvalResult(samples: out.count, passed: out.filter(\.passed).count, passAtK: HumanEval.passAtK(out, ks: options.ks),
                          results: out, duration: elapsed.seconds)
    }
}

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
            fired.withLock { $0 = true; return () }
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
        guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let result = o["result"] as? String else {
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

