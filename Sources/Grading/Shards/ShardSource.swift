import Foundation

/// Where a command's shard came from: `--shard I/N`, else the environment a scheduler sets.
/// The flag wins over the environment; among the variables, the first of these that is set:
///
/// 1. `PROCTOR_SHARD=I/N`: the flag's syntax, for any scheduler.
/// 2. `JOB_COMPLETION_INDEX` (a Kubernetes Indexed Job sets it, 0-based), with the count from
///    `PROCTOR_SHARDS` (the Job's `completions`; Kubernetes does not expose that to the pod).
/// 3. `SLURM_ARRAY_TASK_ID` (a Slurm job array), counted from `SLURM_ARRAY_TASK_MIN` by
///    `SLURM_ARRAY_TASK_STEP`, with the count `SLURM_ARRAY_TASK_COUNT`: `--array=0-3`,
///    `--array=1-4` and `--array=0-6:2` all give shards 1/4 to 4/4. An array of listed
///    indexes that are not evenly spaced (`--array=1,2,7`) is refused.
///
/// `--shard 1/1` runs the whole work whatever the environment says.
public struct ShardSource: Sendable, Hashable {
    public var shard: Shard
    /// "--shard", or the variable it came from ("PROCTOR_SHARD", "JOB_COMPLETION_INDEX",
    /// "SLURM_ARRAY_TASK_ID"); partial reports record it.
    public var origin: String

    public init(shard: Shard, origin: String) {
        self.shard = shard
        self.origin = origin
    }

    /// The shard from the flag's value, else from the environment; nil when neither names one.
    public static func resolve(flag: String?, environment: [String: String]) throws -> ShardSource? {
        if let flag { return ShardSource(shard: try Shard(parsing: flag), origin: "--shard") }
        if let text = environment["PROCTOR_SHARD"] {
            do {
                return ShardSource(shard: try Shard(parsing: text), origin: "PROCTOR_SHARD")
            } catch let e as GradingError {
                throw GradingError(.usage, "PROCTOR_SHARD: \(e.message)")
            }
        }
        if let text = environment["JOB_COMPLETION_INDEX"] {
            guard let i = number(text) else {
                throw GradingError(.usage, "JOB_COMPLETION_INDEX='\(text)' is not an index (0, 1, ...)")
            }
            guard let countText = environment["PROCTOR_SHARDS"] else {
                throw GradingError(
                    .usage,
                    "JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but PROCTOR_SHARDS is not: "
                        + "set it to the Job's completions, or give --shard I/N")
            }
            guard let n = number(countText) else {
                throw GradingError(.usage, "PROCTOR_SHARDS='\(countText)' is not a count")
            }
            return ShardSource(shard: try checked(i + 1, n, "JOB_COMPLETION_INDEX"), origin: "JOB_COMPLETION_INDEX")
        }
        if let text = environment["SLURM_ARRAY_TASK_ID"] {
            let name = "SLURM_ARRAY_TASK_ID"
            guard let id = number(text), let n = environment["SLURM_ARRAY_TASK_COUNT"].flatMap(number) else {
                throw GradingError(
                    .usage,
                    "\(name)='\(text)' with SLURM_ARRAY_TASK_COUNT='\(environment["SLURM_ARRAY_TASK_COUNT"] ?? "")': "
                        + "not numbers; give --shard I/N")
            }
            let low = environment["SLURM_ARRAY_TASK_MIN"].flatMap(number) ?? 0
            let step = max(1, environment["SLURM_ARRAY_TASK_STEP"].flatMap(number) ?? 1)
            guard id >= low, (id - low) % step == 0 else {
                throw GradingError(
                    .usage,
                    "\(name)=\(id) is not min + k x step (min \(low), step \(step)): submit the array as "
                        + "--array=0-\(n - 1), or give --shard I/N")
            }
            return ShardSource(shard: try checked((id - low) / step + 1, n, name), origin: name)
        }
        return nil
    }

    static func checked(_ i: Int, _ n: Int, _ name: String) throws -> Shard {
        do {
            return try Shard(index: i, count: n)
        } catch let e as GradingError {
            throw GradingError(.usage, "\(name): \(e.message)")
        }
    }

    static func number(_ text: String) -> Int? {
        Shard.integer(Substring(text.trimmingCharacters(in: .whitespaces)))
    }
}
