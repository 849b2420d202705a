import Foundation
import Sandbox
import SystemPackage
import Yams

/// Reads typed values out of a composed YAML document, collecting diagnostics (with the
/// node's line and column) instead of stopping at the first.
final class YAMLReader {
    let file: String
    /// The file's folder: every path the file names is read beneath it.
    let root: ConfinedRoot
    /// What the file may ask for at most; nil: no caps (a suite of one's own, on the CLI).
    var caps: SuiteCaps?
    /// The image store a suite's `image:` names (`SuiteLoader.image`).
    var images = ImageStoreFolder()
    private(set) var diagnostics: [Diagnostic] = []

    init(file: FilePath) {
        self.file = file.string
        let folder = file.removingLastComponent()
        self.root = ConfinedRoot(folder.isEmpty ? FilePath(".") : folder)
    }

    /// Parses the file; nil (with a diagnostic) when it is not YAML.
    func compose(_ text: String) -> Node? {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                error(at: nil, "the file is empty; expected a mapping")
                return nil
            }
            return node
        } catch let e as YamlError {
            switch e {
            case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
                .composer(let context, let problem, let mark, _):
                let where_ = context.map { " (\($0.text) at \($0.mark.line):\($0.mark.column))" } ?? ""
                diagnostics.append(
                    Diagnostic(
                        file: file, line: mark.line, column: mark.column,
                        message: "invalid YAML: \(problem)\(where_)"))
            default:
                error(at: nil, "invalid YAML: \(e)")
            }
            return nil
        } catch {
            self.error(at: nil, "invalid YAML: \(error)")
            return nil
        }
    }

    func error(at node: Node?, _ message: String) {
        let mark = node?.mark
        diagnostics.append(Diagnostic(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, message: message))
    }

    /// A mapping's entries, in order, after checking every key is known.
    func mapping(_ node: Node, _ what: String, allowed: [String]) -> [(key: String, keyNode: Node, value: Node)]? {
        guard let map = node.mapping else {
            error(at: node, "\(what) must be a mapping (key: value), not \(describe(node))")
            return nil
        }
        var out: [(String, Node, Node)] = []
        var seen: Set<String> = []
        for (k, v) in map {
            guard let key = k.scalar?.string else {
                error(at: k, "keys of \(what) must be strings")
                continue
            }
            guard allowed.contains(key) else {
                let hint = Self.suggestion(for: key, among: allowed).map { "; did you mean '\($0)'?" } ?? ""
                error(at: k, "unknown key '\(key)' in \(what)\(hint) (expected one of: \(allowed.joined(separator: ", ")))")
                continue
            }
            if !seen.insert(key).inserted {
                error(at: k, "duplicate key '\(key)' in \(what)")
                continue
            }
            out.append((key, k, v))
        }
        return out
    }

    func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let s): return "'\(s.string)'"
        case .alias: return "an alias"
        }
    }

    func string(_ node: Node, _ what: String) -> String? {
        guard let s = node.scalar else {
            error(at: node, "\(what) must be a string, not \(describe(node))")
            return nil
        }
        return s.string
    }

    func nonEmptyString(_ node: Node, _ what: String) -> String? {
        guard let s = string(node, what) else { return nil }
        if s.isEmpty { error(at: node, "\(what) must not be empty") }
        return s.isEmpty ? nil : s
    }

    func bool(_ node: Node, _ what: String) -> Bool? {
        guard let b = node.bool else {
            error(at: node, "\(what) must be true or false, not \(describe(node))")
            return nil
        }
        return b
    }

    func number(_ node: Node, _ what: String, minimum: Double = 0) -> Double? {
        guard let s = node.scalar, let v = Double(s.string), v.isFinite, v >= minimum else {
            error(at: node, "\(what) must be a number of at least \(minimum), not \(describe(node))")
            return nil
        }
        return v
    }

    func integer(_ node: Node, _ what: String, minimum: Int = 1) -> Int? {
        guard let s = node.scalar, let v = Int(s.string), v >= minimum else {
            error(at: node, "\(what) must be a whole number of at least \(minimum), not \(describe(node))")
            return nil
        }
        return v
    }

    /// "2s", "500ms", or a number of seconds.
    func duration(_ node: Node, _ what: String) -> Duration? {
        guard let s = node.scalar, let d = Units.duration(s.string), d > .zero else {
            error(at: node, "\(what) must be a duration such as 500ms, 2s or 1.5 (seconds), not \(describe(node))")
            return nil
        }
        return d
    }

    /// "256M", "1G", or a number of bytes.
    func size(_ node: Node, _ what: String) -> Int? {
        guard let s = node.scalar, let b = Units.bytes(s.string), b > 0 else {
            error(at: node, "\(what) must be a size such as 64K, 256M or 1G, not \(describe(node))")
            return nil
        }
        return b
    }

    func list(_ node: Node, _ what: String) -> [Node]? {
        guard let seq = node.sequence else {
            error(at: node, "\(what) must be a list, not \(describe(node))")
            return nil
        }
        return Array(seq)
    }

    /// A list of strings, or one string.
    func strings(_ node: Node, _ what: String) -> [String]? {
        if node.scalar != nil { return string(node, what).map { [$0] } }
        guard let items = list(node, what) else { return nil }
        let out = items.compactMap { string($0, "an item of \(what)") }
        return out.count == items.count ? out : nil
    }

    /// One of a fixed set of words.
    func choice<T: RawRepresentable & CaseIterable>(_ node: Node, _ what: String, _: T.Type) -> T? where T.RawValue == String {
        guard let s = string(node, what) else { return nil }
        if let v = T(rawValue: s) { return v }
        let all = T.allCases.map(\.rawValue)
        let hint = Self.suggestion(for: s, among: all).map { "; did you mean '\($0)'?" } ?? ""
        error(at: node, "\(what) must be one of \(all.joined(separator: ", ")), not '\(s)'\(hint)")
        return nil
    }

    /// A regular file beneath the file's folder (relative, no '..' or symlink that leads
    /// out), which must exist.
    func existingFile(_ node: Node, _ what: String) -> RootedPath? {
        guard let s = nonEmptyString(node, what) else { return nil }
        do {
            let file = try root.file(s)
            return checkSize(file, at: node, what) ? file : nil
        } catch {
            self.error(at: node, "\(what): \(error)")
            return nil
        }
    }

    /// False (with a diagnostic) when the file is larger than the caps allow.
    func checkSize(_ file: RootedPath, at node: Node, _ what: String) -> Bool {
        guard let cap = caps?.fileSize else { return true }
        do {
            let size = try file.size()
            if size <= cap { return true }
            error(
                at: node,
                "\(what): \(file.relative) is \(SuiteCaps.bytes(size)), above the cap of \(SuiteCaps.bytes(cap)) per file")
        } catch {
            self.error(at: node, "\(what): \(error)")
        }
        return false
    }

    /// The closest known word, when it is close enough to be a typo.
    static func suggestion(for word: String, among candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return best.1 <= max(2, (word.count + 1) / 2) ? best.0 : nil
    }

    /// Edit distance counting a swap of neighbours as one edit (optimal string alignment):
    /// "tset" is one swap and one insertion away from "tests".
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
