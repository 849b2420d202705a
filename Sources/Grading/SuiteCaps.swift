import Sandbox
import SystemPackage

/// The most a suite may ask for: limits of a run, and how many problems, tests and bytes
/// of test files it holds. The server loads callers' suites with caps from its
/// configuration, so that a suite cannot book an hour of CPU or 100 GiB of memory per
/// test. A suite that asks for more is refused with the YAML node's file:line:column and
/// the cap, never quietly clamped: a suite that passed on a smaller limit would mean
/// something else than its author wrote.
///
/// One thing is adjusted rather than refused: the wall time a suite does not set is
/// derived (3 x CPU + 1 s), and is kept at the wall-time cap when the derivation is above it.
public struct SuiteCaps: Sendable, Hashable {
    public var cpuTime: Duration
    public var wallTime: Duration
    public var memory: Int
    public var output: Int
    public var processes: Int
    /// Problems in one suite.
    public var problems: Int
    /// Tests in one suite (all problems together).
    public var tests: Int
    /// Each file a suite names (inputs, answers, extra files, checker sources).
    public var fileSize: Int

    public init(
        cpuTime: Duration = .seconds(10), wallTime: Duration = .seconds(20), memory: Int = 1 << 30,
        output: Int = 64 << 20, processes: Int = 256, problems: Int = 100, tests: Int = 1000,
        fileSize: Int = 64 << 20
    ) {
        self.cpuTime = cpuTime
        self.wallTime = wallTime
        self.memory = memory
        self.output = output
        self.processes = processes
        self.problems = problems
        self.tests = tests
        self.fileSize = fileSize
    }

    /// Why a limit is above the caps, or nil. `what` names the key as the suite wrote it.
    func violation(_ limits: TestLimits, what: String = "limits") -> String? {
        if let v = limits.cpuTime, v > cpuTime {
            return "\(what).time \(Self.seconds(v)) is above the cap of \(Self.seconds(cpuTime)) CPU time"
        }
        if let v = limits.wallTime, v > wallTime {
            return "\(what).wall_time \(Self.seconds(v)) is above the cap of \(Self.seconds(wallTime)) wall time"
        }
        if let v = limits.memory, v > memory {
            return "\(what).memory \(Self.bytes(v)) is above the cap of \(Self.bytes(memory))"
        }
        if let v = limits.output, v > output {
            return "\(what).output \(Self.bytes(v)) is above the cap of \(Self.bytes(output))"
        }
        if let v = limits.processes, v > processes { return "\(what).processes \(v) is above the cap of \(processes)" }
        return nil
    }

    static func seconds(_ d: Duration) -> String {
        let s = d.seconds
        return s == s.rounded() ? "\(Int(s))s" : "\(s)s"
    }

    static func bytes(_ n: Int) -> String {
        for (shift, unit) in [(30, "G"), (20, "M"), (10, "K")] where n >= 1 << shift && n % (1 << shift) == 0 {
            return "\(n >> shift)\(unit)"
        }
        return "\(n) bytes"
    }
}
