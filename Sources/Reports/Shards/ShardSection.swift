import Foundation
import Grading

/// The "shard" object of a partial report (`proctor run|verify|eval --shard I/N --json`): what
/// `proctor merge` needs to put the whole run's reports back together and to refuse parts that
/// do not belong together.
public struct ShardSection: Codable, Sendable, Hashable {
    /// "run", "verify" or "eval".
    public var command: String
    /// I of I/N, counting from 1.
    public var index: Int
    public var count: Int
    /// Where I/N came from: "--shard" or an environment variable (`ShardSource`).
    public var origin: String
    /// The whole work's `InputDigest`: every shard of one batch has the same.
    public var inputs: String
    public var proctorVersion: String
    /// Entries of the whole work's report (results, submissions, samples).
    public var total: Int
    /// Each of this report's entries' index among the whole work's, in order.
    public var positions: [Int]
    /// `eval`: the k of pass@k asked for (merge computes pass@k over every task).
    public var ks: [Int]?

    public init(
        command: String, source: ShardSource, inputs: String, proctorVersion: String, total: Int, positions: [Int],
        ks: [Int]? = nil
    ) {
        self.command = command
        index = source.shard.index
        count = source.shard.count
        origin = source.origin
        self.inputs = inputs
        self.proctorVersion = proctorVersion
        self.total = total
        self.positions = positions
        self.ks = ks
    }

    /// `"shard": {...}` on one line (keys sorted), for the reports written by hand.
    var jsonMember: String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return "\"shard\": " + body
    }

    /// A report written by hand (a JSON object ending in "\n}\n") with this section as its
    /// last member.
    func appended(to report: [UInt8]) -> [UInt8] {
        var text = String(decoding: report, as: UTF8.self)
        guard text.hasSuffix("\n}\n") else { return report }
        text.removeLast(3)
        return Array((text + ",\n  " + jsonMember + "\n}\n").utf8)
    }
}
