import Foundation
import Grading

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
