/// One of `count` parts of a batch's work (`proctor run`, `verify`, `eval`), so that N
/// machines (a Kubernetes Indexed Job, a Slurm job array) each run a part and `proctor merge`
/// puts the parts' reports back together.
///
/// `index` counts from 1, as `--shard 2/3` reads (the notation of Jest's and Playwright's
/// `--shard`); the schedulers' 0-based indexes are converted where they are read
/// (`ShardSource`).
///
/// The split is deterministic and needs no coordination: each command lists its units of
/// work in one canonical order that every machine computes alike from the same inputs, and
/// unit number `k` (0-based in that order) belongs to shard `k % count + 1` (round robin).
/// Round robin rather than a hash of the unit's id: the shards' sizes differ by at most
/// one unit, whatever the ids.
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    /// 1...count.
    public let index: Int
    public let count: Int

    /// More shards than this is surely a mistake (Kubernetes caps an Indexed Job at 10^5
    /// completions, so does this).
    public static let maximumCount = 100_000

    /// The whole work: what a run without `--shard` does.
    public static let whole = Shard(checkedIndex: 1, count: 1)

    private init(checkedIndex index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    public init(index: Int, count: Int) throws {
        guard count >= 1, count <= Self.maximumCount else {
            throw GradingError(.usage, "shard count \(count): it must be 1...\(Self.maximumCount)")
        }
        guard index >= 1, index <= count else {
            throw GradingError(.usage, "shard \(index)/\(count): the index counts from 1 to \(count)")
        }
        self.init(checkedIndex: index, count: count)
    }

    /// "I/N", I counting from 1: "1/3", "3/3".
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Self.integer(parts[0]), let n = Self.integer(parts[1]) else {
            throw GradingError(.usage, "'\(text)' is not a shard: write I/N, I counting from 1 (1/3, 2/3, 3/3)")
        }
        try self.init(index: i, count: n)
    }

    /// Whether unit number `ordinal` (0-based, in the command's canonical order) is this shard's.
    public func owns(_ ordinal: Int) -> Bool { ordinal % count == index - 1 }

    public var isWhole: Bool { count == 1 }

    public var description: String { "\(index)/\(count)" }

    /// Decimal digits only (no sign, no spaces), at most 9 of them.
    static func integer(_ s: Substring) -> Int? {
        guard !s.isEmpty, s.count <= 9, s.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(s)
    }
}
