import ArgumentParser
import ExecCLI
import Foundation
import Grading
import Reports

/// `--shard I/N`, shared by run, verify and eval: which part of a batch this process runs.
struct ShardArguments: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Run part I of N (I counts from 1) of the work, a deterministic 1/N, and write a partial --json report for "
                + "`proctor merge`. Without the flag: PROCTOR_SHARD=I/N, else JOB_COMPLETION_INDEX (Kubernetes, 0-based) "
                + "with PROCTOR_SHARDS=N, else SLURM_ARRAY_TASK_ID (with SLURM_ARRAY_TASK_MIN, _STEP, _COUNT); the flag wins "
                + "over the environment, and --shard 1/1 runs the whole work.",
            valueName: "I/N"))
    var shard: String?

    /// The shard, from the flag or the environment; nil when neither names one.
    func source() throws -> ShardSource? {
        do {
            return try ShardSource.resolve(flag: shard, environment: ProcessInfo.processInfo.environment)
        } catch let e as GradingError {
            throw ValidationError(e.message)
        }
    }

    /// A bad shard is bad usage; so is a shard of several without a --json report to merge.
    func validate(json: String?) throws {
        if let s = try source(), s.shard.count > 1, json == nil {
            throw ValidationError(
                "shard \(s.shard) (from \(s.origin)) writes a partial report for `proctor merge`: give --json PATH")
        }
    }

    /// The shard's "shard" object, and a line on stderr saying which part this is: a run
    /// that took its shard from the environment must not pass silently for a whole one.
    func section(
        _ source: ShardSource?, command: String, total: Int, positions: [Int], ks: [Int]? = nil,
        inputs: (inout InputDigest) throws -> Void
    ) throws -> ShardSection? {
        guard let source else { return nil }
        var digest = InputDigest()
        digest.add(command)
        try inputs(&digest)
        Console.error(
            "proctor: shard \(source.shard) (from \(source.origin)): \(positions.count) of \(total) "
                + (command == "eval" ? "samples" : command == "verify" ? "submissions" : "results"))
        return ShardSection(
            command: command, source: source, inputs: digest.finish(), proctorVersion: ProctorVersion.string, total: total,
            positions: positions, ks: ks)
    }

    /// "NAME.shard-2-of-3.EXT" for a file every shard would otherwise write at the same path.
    static func name(_ path: String, _ source: ShardSource?, beforeSuffix suffix: String) -> String {
        guard let s = source?.shard, s.count > 1 else { return path }
        let tag = ".shard-\(s.index)-of-\(s.count)"
        return path.hasSuffix(suffix) ? String(path.dropLast(suffix.count)) + tag + suffix : path + tag
    }
}
