import Foundation
import Grading
import Logging
import Sandbox

extension Evaluator {
    /// Runs `count` jobs on `jobs` warm interpreters.
    func parallel(_ slots: [InterpreterSlot], count: Int, _ body: @escaping @Sendable (Int, InterpreterSlot) async throws -> Void)
        async throws
    {
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
    public func evaluatePlus(
        dataset: EvalPlusDataset, samples: [EvalSample], plus: EvalPlusOptions = .init(),
        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws -> EvalPlusResult {
        let clock = ContinuousClock.now
        for (i, s) in samples.enumerated() where dataset.tasks[s.taskID] == nil {
            throw FormatsError(.invalidDataset, "sample \(i + 1): task \(s.taskID) is not in the dataset")
        }
        let used = Set(samples.map(\.taskID))
        let taskIDs = dataset.order.filter { used.contains($0) }
        let pool = SandboxPool(configuration: configuration, capacity: options.jobs, logger: logger)
        let slots = (0..<options.jobs).map { _ in InterpreterSlot(pool: pool, options: options, logger: logger) }
        do {
            let result = try await judgePlus(
                dataset: dataset, samples: samples, taskIDs: taskIDs, slots: slots, plus: plus,
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

    private func judgePlus(
        dataset: EvalPlusDataset, samples: [EvalSample], taskIDs: [String], slots: [InterpreterSlot],
        plus: EvalPlusOptions, clock: ContinuousClock.Instant,
        progress: @escaping @Sendable (Int, Int) -> Void
    ) async throws -> EvalPlusResult {
        let flavor = dataset.flavor.rawValue

        // 1. Ground truth, once per task.
        let truths = Locked([String: GroundTruth]())
        let failures = Locked([String]())
        try await parallel(slots, count: taskIDs.count) { i, slot in
            let task = dataset.tasks[taskIDs[i]]!
            let text = try await slot.ask(
                ["kind": "truth", "task": task.line, "dataset": flavor], timeout: plus.groundTruthTimeout)
            guard let text, let o = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                let b = o["base"] as? String, let bt = o["base_time"] as? [NSNumber], let p = o["plus"] as? String,
                let pt = o["plus_time"] as? [NSNumber], bt.count == task.baseCount, pt.count == task.plusCount
            else {
                let why =
                    text.flatMap {
                        (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["error"] as? String
                    }
                    ?? (text == nil
                        ? "its evaluator ended"
                        : text == "timed out" ? "timed out after \(plus.groundTruthTimeout) s" : "no answer")
                failures.withLock {
                    $0.append("\(task.taskID): the canonical solution failed: \(why)")
                    return ()
                }
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
                let text = try await slot.ask(
                    [
                        "kind": "plus", "task": task.line, "dataset": flavor, "which": which, "solution": solution,
                        "expected": expected, "time_limits": limits, "fast_check": !plus.testDetails,
                    ],
                    timeout: EvalPlus.checkTimeout(limits, plus))
                return EvalPlus.parseCheck(text, inputs: n)
            }
            let base = try await check("base", gt.base, gt.baseTime, task.baseCount)
            var extra: EvalPlusCheck?
            if !plus.baseOnly { extra = try await check("plus", gt.plus, gt.plusTime, task.plusCount) }
            let r = EvalPlusSampleResult(
                taskID: s.taskID, completionID: ids[i], solution: solution, base: base, plus: extra,
                baseFailTests: EvalPlus.failedTests(base, task.baseInputs, testDetails: plus.testDetails),
                plusFailTests: extra.map { EvalPlus.failedTests($0, task.plusInputs, testDetails: plus.testDetails) } ?? [])
            results.withLock {
                $0[i] = r
                return ()
            }
            progress(
                done.withLock { n -> Int in
                    n += 1
                    return n
                }, samples.count)
        }
        let out = results.withLock { $0 }.map { $0! }
        let (base, plusK) = EvalPlus.passAtK(out, ks: options.ks)
        return EvalPlusResult(
            results: out, passAtKBase: base, passAtKPlus: plusK, groundTruthDuration: (truthClock - clock).seconds,
            duration: (ContinuousClock.now - clock).seconds)
    }
}
