import Formats
import Foundation
import Grading
import SystemPackage

/// `proctor merge`: the partial reports of one batch's shards back into the reports one
/// unsharded run writes. Each entry of a part goes back to its place in the whole
/// (`ShardSection.positions`); the figures over the whole (a run's summary, `verify`'s ok,
/// `eval`'s pass@k over every task) are computed again from the entries, by the same code as a
/// run. What cannot be the same as one run's is chosen so: the start is the earliest
/// shard's, the duration the longest shard's, the machine shard 1's.
public enum ShardMerge {
    /// A partial report as read.
    public struct Part: Sendable {
        public var path: String
        public var shard: ShardSection
        var bytes: [UInt8]
    }

    struct Envelope: Decodable {
        var shard: ShardSection?
    }

    /// Reads partial reports; a file that is not one (no "shard" object) is refused.
    public static func read(_ paths: [String]) throws -> [Part] {
        try paths.map { path in
            let bytes: [UInt8]
            do {
                bytes = try HostFile.read(FilePath(path), limit: 1 << 32)
            } catch {
                throw ReportError("\(path): \(error)")
            }
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            let envelope: Envelope
            do {
                envelope = try decoder.decode(Envelope.self, from: Data(bytes))
            } catch {
                throw ReportError("\(path): not a JSON report (\(error))")
            }
            guard let shard = envelope.shard else {
                throw ReportError("\(path): not a partial report (it has no \"shard\" object: write it with --shard I/N --json)")
            }
            return Part(path: path, shard: shard, bytes: bytes)
        }
    }

    /// The parts, in shard order, once checked to be every shard of one batch, each once:
    /// the same command, shard count, inputs, proctor version and size of the whole, and
    /// between them every entry of the whole exactly once.
    public static func check(_ parts: [Part]) throws -> [Part] {
        guard let first = parts.first else { throw ReportError("no partial reports given") }
        let a = first.shard
        for p in parts.dropFirst() {
            let b = p.shard
            func differ(_ what: String, _ x: String, _ y: String) -> ReportError {
                ReportError("\(p.path) is not a part of the same batch as \(first.path): its \(what) is \(y), not \(x)")
            }
            if b.command != a.command { throw differ("command", a.command, b.command) }
            if b.count != a.count { throw differ("shard count", String(a.count), String(b.count)) }
            if b.inputs != a.inputs {
                throw differ("inputs (suites, solutions, options or dataset: their digest)", a.inputs, b.inputs)
            }
            if b.proctorVersion != a.proctorVersion { throw differ("proctor version", a.proctorVersion, b.proctorVersion) }
            if b.total != a.total { throw differ("entries in the whole", String(a.total), String(b.total)) }
            if b.ks != a.ks {
                throw differ("k of pass@k", "\(a.ks ?? [])", "\(b.ks ?? [])")
            }
        }
        var byIndex: [Int: Part] = [:]
        for p in parts {
            if let other = byIndex[p.shard.index] {
                throw ReportError("shard \(p.shard.index)/\(a.count) is given twice: \(other.path) and \(p.path)")
            }
            byIndex[p.shard.index] = p
        }
        let missing = (1...a.count).filter { byIndex[$0] == nil }
        if !missing.isEmpty {
            let names = missing.map { "\($0)/\(a.count)" }.joined(separator: ", ")
            throw ReportError(
                "shard\(missing.count == 1 ? "" : "s") \(names) \(missing.count == 1 ? "is" : "are") missing (given: "
                    + byIndex.keys.sorted().map { "\($0)/\(a.count)" }.joined(separator: ", ") + ")")
        }
        var seen = [String?](repeating: nil, count: a.total)
        for p in parts {
            for i in p.shard.positions {
                guard i >= 0, i < a.total else { throw ReportError("\(p.path): entry \(i) is outside the whole (\(a.total))") }
                if let other = seen[i] { throw ReportError("entry \(i) is in two parts: \(other) and \(p.path)") }
                seen[i] = p.path
            }
        }
        if let hole = seen.firstIndex(where: { $0 == nil }) {
            throw ReportError("entry \(hole) of \(a.total) is in no part: the parts do not cover the whole")
        }
        return (1...a.count).map { byIndex[$0]! }
    }

    /// Puts each part's entries at their places in the whole.
    static func place<T>(_ parts: [Part], _ entries: [[T]]) throws -> [T] {
        var slots = [T?](repeating: nil, count: parts.first?.shard.total ?? 0)
        for (p, list) in zip(parts, entries) {
            guard list.count == p.shard.positions.count else {
                throw ReportError("\(p.path): \(list.count) entries, but its shard object places \(p.shard.positions.count)")
            }
            for (i, e) in zip(p.shard.positions, list) { slots[i] = e }
        }
        return slots.map { $0! }
    }

    static func requireCommand(_ parts: [Part], _ command: String) throws {
        if let p = parts.first, p.shard.command != command {
            throw ReportError("\(p.path): a part of `proctor \(p.shard.command)`, not of `proctor \(command)`")
        }
    }
}
