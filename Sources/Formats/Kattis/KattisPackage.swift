import Foundation
import Grading
import SystemPackage
import Yams

/// A Kattis / ICPC problem package folder (legacy format and the 2023-07 draft), read as it
/// is and mapped onto the Suite model: one problem per set of output-validator flags (one,
/// almost always), tests named by their path under data/ without the extension, in the
/// package's order. The test-data tree (groups, testdata.yaml) is kept beside it, so that
/// verdicts and scores aggregate as the default grader does.
public struct KattisPackage: Sendable {
    public var root: FilePath
    /// The folder's name: the problem's short name.
    public var shortName: String
    public var title: String?
    public var scoring: Bool
    public var interactive: Bool
    /// Validation "custom score", or a scoring problem with a custom validator: test scores
    /// come from the validator's score.txt.
    public var customScore: Bool
    /// problem.yaml limits.time_limit, else a .timelimit file; nil: computed from the
    /// accepted submissions by `verify` (a fixed default for `run`).
    public var fixedTimeLimit: Double?
    /// Slowest AC x this = the time limit (legacy time_multiplier, 2023-07 ac_to_time_limit).
    public var timeMultiplier: Double
    /// The time limit x this: the limit at which "OK with extra time" is judged.
    public var safetyMargin: Double
    public var timeResolution: Double
    public var memory: Int
    public var output: Int
    /// The custom validator (or interactor), if any.
    public var validator: JudgeProgram?
    /// problem.yaml validator_flags (legacy).
    public var validatorFlags: [String]
    public var tests: [KattisTest]
    public var data: KattisGroup
    /// The fixed time limit is problem.yaml's limits.time_limit (not a .timelimit file).
    public var timeLimitInProblemYAML = false
    /// problem.yaml's problem_format_version ("legacy" when absent).
    public var formatVersion = "legacy"
    /// Multi-pass (legacy `validation: custom multi-pass`, 2023-07 `type: multi-pass`): the
    /// most passes a test may take (limits.validation_passes, default 2); nil: one pass.
    public var validationPasses: Int?
    /// Limits of the output validator / interactor (limits.validation_time, _memory, _output;
    /// problemtools' defaults 60 s, 1024 MiB, 8 MiB; the memory is at least 2 GiB here, as
    /// problemtools applies none to validators).
    public var validationTime: Double = 60
    public var validationMemory: Int = 2048 << 20
    /// limits.code (KiB, default 128): a larger submission is CE ("code size limit").
    public var codeLimit: Int = 128 << 10
    /// limits.compilation_time (s, default 60) and compilation_memory (MiB, default 1024).
    public var compilationTime: Double = 60
    public var compilationMemory: Int = 1024 << 20

    /// include/<language>/ and include/default/: files added to every submission (in that
    /// language) before it is built, by the folder's name.
    public var includedFiles: [String: [ExtraFile]] = [:]

    /// Used by `run` when the package fixes no time limit.
    public static let defaultTimeLimit = 1.0

    /// How output over `limits.output` is judged, by the package's format version.
    public enum OutputRule: String, Sendable {
        /// Legacy packages, as problemtools judges them: the run goes on (a submission that
        /// prints without end is TLE); output over the limit is OLE when the run ended in
        /// time without crashing.
        case afterRun =
            "problemtools (legacy format): output over the limit is OLE after a run that ended in time; the run is not stopped"
        /// 2023-07 and later: the run is stopped at the limit, OLE.
        case stopped = "problem package spec (2023-07 and later): the run is stopped at the output limit, OLE"
    }

    public var outputRule: OutputRule { formatVersion.hasPrefix("legacy") ? .afterRun : .stopped }

    /// How the memory limit is enforced, by the package's format version (the spec does not
    /// say how memory is counted; each rule follows the tool of its format).
    public enum MemoryRule: String, Sendable {
        /// Legacy packages, as problemtools judges them: an address-space limit (RLIMIT_AS)
        /// as large as the memory limit for every language but those whose runtime reserves
        /// address space up front (problemtools leaves out Java, Scala, Kotlin and Common
        /// Lisp; here, every language not marked `address_space_limit`), and the memory
        /// cgroup for all.
        case addressSpace =
            "problemtools (legacy format): address space (RLIMIT_AS) for C, C++, Rust, Python and other runtimes that allow it; the memory cgroup for all"
        /// 2023-07 and later: the memory a program uses (the memory cgroup).
        case used = "memory used (the memory cgroup)"
    }

    public var memoryRule: MemoryRule { formatVersion.hasPrefix("legacy") ? .addressSpace : .used }

    /// The safety cap of a legacy package's run (its output is streamed, never stored).
    public static let afterRunOutputCap = 1 << 30

    public static func isPackage(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
            && FileManager.default.fileExists(atPath: path + "/problem.yaml")
    }
}
