import Crypto
import Foundation
import SystemPackage

/// A SHA-256 of everything a batch's result depends on (its options, the suites' tests and
/// judges, the solutions' files, a dataset), which each shard writes into its partial report:
/// `proctor merge` refuses parts whose digests differ, so shards run on different inputs (a
/// suite edited between two shards, another list of solutions) are never mixed. The paths
/// the inputs were given by are not part of it, only their order and bytes, so machines that
/// mount the inputs at different places still agree.
public struct InputDigest: Sendable {
    private var hasher = SHA256()

    public init() {}

    /// A string, length-prefixed (so that "ab","c" and "a","bc" differ).
    public mutating func add(_ text: String) { add(bytes: Array(text.utf8)) }

    public mutating func add(bytes: [UInt8]) {
        hasher.update(data: Array(String(bytes.count).utf8) + [0x3A])
        hasher.update(data: bytes)
    }

    /// A host file's bytes, or a folder's files beneath it: each regular file's path relative
    /// to the folder and its bytes, in sorted order; a symlink by its target (never followed).
    public mutating func add(path: String) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else { throw GradingError(.io, "\(path): \(Errno(rawValue: errno))") }
        if st.st_mode & S_IFMT != S_IFDIR {
            add(bytes: try HostFile.read(FilePath(path), limit: 1 << 34))
            return
        }
        for relative in try Self.files(beneath: path) {
            add(relative)
            let full = path + "/" + relative
            if lstat(full, &st) == 0, st.st_mode & S_IFMT == S_IFLNK {
                add("-> " + ((try? FileManager.default.destinationOfSymbolicLink(atPath: full)) ?? ""))
            } else {
                add(bytes: try HostFile.read(FilePath(full), limit: 1 << 34))
            }
        }
    }

    /// A loaded suite: its file (for a YAML suite), then each problem's settings, judges,
    /// files and tests with their data, as the grader reads them.
    public mutating func add(_ suite: Suite) throws {
        add("suite " + suite.name)
        var st = stat()
        if stat(suite.path.string, &st) == 0, st.st_mode & S_IFMT == S_IFREG { try add(path: suite.path.string) }
        for p in suite.problems {
            add("problem \(p.id) \(p.kind) \(p.limits) \(p.maxTestScore) \(p.passes)")
            for g in p.groups { add("group \(g.name) \(g.points) \(g.aggregation)") }
            var judges: [JudgeProgram] = []
            if case .checker(let c) = p.comparison {
                judges.append(c)
            } else if case .builtin(let mode) = p.comparison {
                add("compare \(mode)")
            }
            if let i = p.interactor { judges.append(i) }
            for j in judges {
                add("judge \(j.language ?? "") \(j.arguments)")
                add(bytes: try j.source.read(limit: 1 << 34))
                try add(j.files)
            }
            try add(p.files)
            for t in p.tests {
                add("test \(t.name) \(t.group ?? "") \(t.command ?? []) \(t.limits)")
                for data in [t.input, t.answer] {
                    if let data { add(bytes: try data.bytes()) } else { add("none") }
                }
                try add(t.files)
            }
        }
    }

    mutating func add(_ files: [ExtraFile]) throws {
        for f in files {
            add("file " + f.target)
            add(bytes: try f.source.read(limit: 1 << 34))
        }
    }

    /// "sha256:" and the digest in hex.
    public func finish() -> String {
        "sha256:" + hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Paths of the files beneath a folder, relative to it, sorted; folders are walked, not listed.
    static func files(beneath root: String) throws -> [String] {
        var out: [String] = []
        var pending = [""]
        while let relative = pending.popLast() {
            let folder = relative.isEmpty ? root : root + "/" + relative
            for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
                let child = relative.isEmpty ? name : relative + "/" + name
                var st = stat()
                guard lstat(root + "/" + child, &st) == 0 else { continue }
                if st.st_mode & S_IFMT == S_IFDIR { pending.append(child) } else { out.append(child) }
            }
        }
        return out.sorted()
    }
}
