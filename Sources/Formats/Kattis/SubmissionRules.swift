import Glibc
import Grading
import Yams

/// What the problem package spec (2023-07 and 2025-09) expects of the example submissions:
/// the default directories' requirements and `submissions/submissions.yaml`. A requirement
/// holds on the verdicts of single test cases (`permitted`: every case's verdict is in the
/// set; `required`: at least one case's is), so a submission judged by these rules runs
/// every test, not up to its first failure as problemtools' folder rules allow.
///
/// Used for 2025-09 packages, and for 2023-07 ones that ship a submissions.yaml (the
/// 2023-07 drafts without one, such as problemtools' own examples, are judged by
/// problemtools' folder rules, which is how their authors checked them).
struct SubmissionRules: Sendable {
    /// The four verdicts the spec's rules speak of.
    enum Verdict: String, Sendable, CaseIterable, Comparable {
        case AC, WA, TLE, RTE
        static func < (a: Self, b: Self) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
    }

    /// `use_for_time_limit`: absent (the spec's inference), false, lower or upper.
    enum TimeLimitUse: Sendable, Equatable {
        case inferred, excluded, lower, upper
    }

    struct Requirement: Sendable {
        /// A glob over test cases and groups (relative to data/, no .in); nil: all.
        var tests: String?
        var permitted: Set<Verdict>?
        var required: Set<Verdict>?
        /// Top-level only: the submission's score in this inclusive range.
        var score: ClosedRange<Double>?
        var message: String?
        var timeLimitUse: TimeLimitUse = .inferred
        /// Where it was written, for messages: "submissions.yaml:12 (wrong_answer/*)".
        var source: String

        /// A lower bound on the time limit: no TLE permitted, or `lower`.
        var lowerBound: Bool {
            switch timeLimitUse {
            case .excluded, .upper: return false
            case .lower: return true
            case .inferred: return permitted.map { !$0.contains(.TLE) } ?? false
            }
        }

        /// An upper bound: required is exactly [TLE], or `upper`.
        var upperBound: Bool {
            switch timeLimitUse {
            case .excluded, .lower: return false
            case .upper: return true
            case .inferred: return required == [.TLE]
            }
        }
    }

    /// The spec's default directories.
    static let defaults: [String: (permitted: Set<Verdict>?, required: Set<Verdict>?)] = [
        "accepted": ([.AC], nil),
        "rejected": (nil, [.RTE, .TLE, .WA]),
        "wrong_answer": ([.AC, .WA], [.WA]),
        "time_limit_exceeded": ([.AC, .TLE], [.TLE]),
        "run_time_error": ([.AC, .RTE], [.RTE]),
        "brute_force": ([.AC, .RTE, .TLE], [.RTE, .TLE]),
    ]

    /// One top-level entry of submissions.yaml.
    struct Entry: Sendable {
        var glob: String
        var line: Int
        var language: String?
        var entrypoint: String?
        var requirements: [Requirement]
    }

    var entries: [Entry] = []

    static let submissionKeys: Set<String> = [
        "language", "entrypoint", "authors", "model_solution", "permitted", "required", "score", "message",
        "use_for_time_limit",
    ]
    static let requirementKeys: Set<String> = ["permitted", "required", "score", "message", "use_for_time_limit"]

    /// No submissions.yaml: the default directories only.
    init() {}

    /// Reads `text` (the file `name`, for messages); errors name file:line.
    init(yaml text: String, name: String) throws {
        func fail(_ line: Int?, _ message: String) -> FormatsError {
            FormatsError(.invalidPackage, "\(name)\(line.map { ":\($0)" } ?? ""): \(message)")
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw FormatsError(.invalidPackage, "\(name): \(error)", underlyingError: error)
        }
        guard let node else { return }
        guard let top = node.mapping else { throw fail(node.mark?.line, "a mapping of submission globs expected") }
        for (key, value) in top {
            let line = key.mark?.line ?? 0
            guard let glob = key.string, !glob.isEmpty else { throw fail(line, "a submission glob (a string) expected") }
            guard let map = value.mapping else { throw fail(line, "'\(glob)': a mapping expected") }
            var entry = Entry(glob: glob, line: line, requirements: [])
            var own = Requirement(source: "\(name):\(line) (\(glob))")
            var ownGiven = false
            for (k, v) in map {
                guard let keyName = k.string else { throw fail(k.mark?.line, "a key (a string) expected") }
                let at = k.mark?.line ?? line
                switch keyName {
                case "language": entry.language = v.string
                case "entrypoint": entry.entrypoint = v.string
                case "authors", "model_solution": break
                case "score":
                    own.score = try Self.score(v, top: true) { fail(at, "score: \($0)") }
                    ownGiven = true
                default:
                    if Self.requirementKeys.contains(keyName) {
                        try Self.read(keyName, v, into: &own) { fail(at, $0) }
                        ownGiven = true
                    } else {
                        // Any other key is a glob over test cases and groups.
                        guard let groupMap = v.mapping else { throw fail(at, "'\(keyName)': a mapping of requirements expected") }
                        var r = Requirement(tests: keyName, source: "\(name):\(at) (\(glob), \(keyName))")
                        for (gk, gv) in groupMap {
                            guard let gName = gk.string, Self.requirementKeys.contains(gName) else {
                                throw fail(
                                    gk.mark?.line,
                                    "'\(gk.string ?? "?")' under '\(keyName)': one of \(Self.requirementKeys.sorted().joined(separator: ", ")) expected"
                                )
                            }
                            if gName == "score" {
                                throw fail(
                                    gk.mark?.line, "a score for a test group is not supported (only the submission's score)")
                            }
                            try Self.read(gName, gv, into: &r) { fail(gk.mark?.line, $0) }
                        }
                        entry.requirements.append(r)
                    }
                }
            }
            if ownGiven { entry.requirements.insert(own, at: 0) }
            entries.append(entry)
        }
    }

    private static func verdicts(_ v: Node, _ fail: (String) -> FormatsError) throws -> Set<Verdict> {
        guard let seq = v.sequence else { throw fail("a sequence of AC, WA, TLE, RTE expected") }
        var out = Set<Verdict>()
        for item in seq {
            guard let s = item.string, let verdict = Verdict(rawValue: s) else {
                throw fail("'\(item.string ?? "?")' is not one of AC, WA, TLE, RTE")
            }
            out.insert(verdict)
        }
        return out
    }

    private static func read(_ key: String, _ v: Node, into r: inout Requirement, _ fail: (String) -> FormatsError) throws {
        switch key {
        case "permitted": r.permitted = try verdicts(v) { fail("permitted: \($0)") }
        case "required": r.required = try verdicts(v) { fail("required: \($0)") }
        case "message":
            guard let s = v.string else { throw fail("message: a string expected") }
            r.message = s
        case "use_for_time_limit":
            switch v.string {
            case "true": r.timeLimitUse = .inferred
            case "false": r.timeLimitUse = .excluded
            case "lower": r.timeLimitUse = .lower
            case "upper": r.timeLimitUse = .upper
            default: throw fail("use_for_time_limit: true, false, lower or upper expected")
            }
        default: break
        }
    }

    private static func score(_ v: Node, top: Bool, _ fail: (String) -> FormatsError) throws -> ClosedRange<Double> {
        if let s = v.string, let x = Double(s) { return x...x }
        if let seq = v.sequence, seq.count == 2, let a = seq[0].string.flatMap(Double.init),
            let b = seq[1].string.flatMap(Double.init), a <= b
        {
            return a...b
        }
        throw fail("a number or a list of two numbers (low, high) expected")
    }

    /// The requirements on the submission at `path` (relative to submissions/, e.g.
    /// "wrong_answer/x.py" or a folder submission's folder): its directory's default (or the
    /// entry named exactly like the directory, which replaces the keys it gives), then every
    /// other entry whose glob matches the submission or a folder above it.
    func requirements(for path: String) -> [Requirement] {
        let directory = String(path.prefix { $0 != "/" })
        var out: [Requirement] = []
        if let d = Self.defaults[directory] {
            var r = Requirement(permitted: d.permitted, required: d.required, source: "the spec's default for \(directory)/")
            if let override = entries.first(where: { $0.glob == directory }), let own = override.requirements.first,
                own.tests == nil
            {
                r.permitted = own.permitted ?? r.permitted
                r.required = own.required ?? r.required
                r.score = own.score
                r.message = own.message
                r.timeLimitUse = own.timeLimitUse
                r.source = own.source
            }
            out.append(r)
        }
        for e in entries where Self.matches(e.glob, path) {
            let isOverride = e.glob == directory && Self.defaults[directory] != nil
            out += isOverride ? e.requirements.filter { $0.tests != nil } : e.requirements
        }
        return out
    }

    /// The `language` / `entrypoint` given for the submission (the last matching entry wins).
    func language(for path: String) -> String? { entries.last { Self.matches($0.glob, path) && $0.language != nil }?.language }
    func entrypoint(for path: String) -> String? {
        entries.last { Self.matches($0.glob, path) && $0.entrypoint != nil }?.entrypoint
    }

    /// The spec's globs: `*` within one name, `{a,b}` alternatives; a path matches when it
    /// or a folder above it does. `[...]` and `**` are not part of the spec: taken literally.
    static func matches(_ glob: String, _ path: String) -> Bool {
        let parts = path.split(separator: "/").map(String.init)
        let prefixes = parts.indices.map { parts[...$0].joined(separator: "/") }
        return expand(glob).contains { alternative in
            let escaped = alternative.replacingOccurrences(of: "[", with: "\\[").replacingOccurrences(of: "?", with: "\\?")
            return prefixes.contains { fnmatch(escaped, $0, FNM_PATHNAME) == 0 }
        }
    }

    /// Brace expansion (nested braces included).
    static func expand(_ glob: String) -> [String] {
        guard let open = glob.firstIndex(of: "{") else { return [glob] }
        var depth = 0
        var close: String.Index?
        var commas: [String.Index] = []
        var i = open
        while i < glob.endIndex {
            switch glob[i] {
            case "{": depth += 1
            case "}":
                depth -= 1
                if depth == 0 { close = i }
            case "," where depth == 1: commas.append(i)
            default: break
            }
            if close != nil { break }
            i = glob.index(after: i)
        }
        guard let close else { return [glob] }
        let head = String(glob[..<open])
        let tail = String(glob[glob.index(after: close)...])
        var bounds = [glob.index(after: open)]
        for c in commas { bounds.append(glob.index(after: c)) }
        var options: [String] = []
        for (n, start) in bounds.enumerated() {
            let end = n + 1 < bounds.count ? glob.index(before: bounds[n + 1]) : close
            options.append(String(glob[start..<end]))
        }
        return options.flatMap { expand(head + $0 + tail) }
    }

    /// A test result's verdict in the spec's four: memory and output limits are run-time
    /// errors there; nil for what is none of them (a judge error, a skipped test).
    static func verdict(of r: TestResult, timeLimit: Double) -> Verdict? {
        switch r.verdict {
        case .judgeError, .skipped, .compileError: return nil
        case _ where r.cpuTime > timeLimit: return .TLE
        case .accepted: return .AC
        case .wrongAnswer: return .WA
        case .timeLimit: return .TLE
        case .runtimeError, .memoryLimit, .outputLimit: return .RTE
        default: return .RTE
        }
    }

    /// Whether a requirement holds on a submission's test results at `timeLimit`; nil when
    /// it does, else why not.
    static func violation(
        of r: Requirement, results: [TestResult], score: Double?, timeLimit: Double
    ) -> String? {
        let tests = results.filter { t in r.tests.map { matches($0, t.name) } ?? true }
        let judged = tests.compactMap { t in verdict(of: t, timeLimit: timeLimit).map { (t, $0) } }
        if let permitted = r.permitted, let bad = judged.first(where: { !permitted.contains($0.1) }) {
            return "\(bad.0.name) got \(bad.1.rawValue), not in permitted \(list(permitted)) of \(r.source)"
        }
        if let required = r.required, !judged.contains(where: { required.contains($0.1) }) {
            let got = Set(judged.map(\.1))
            return "no test got one of required \(list(required)) of \(r.source) (got \(got.isEmpty ? "none" : list(got)))"
        }
        if let range = r.score {
            guard let score, range.contains(score) else {
                return
                    "score \(score.map { "\($0)" } ?? "none") is outside \(range.lowerBound)...\(range.upperBound) of \(r.source)"
            }
        }
        if let message = r.message, !tests.contains(where: { $0.judgeMessage?.contains(message) == true }) {
            return "no test's judge message contains \"\(message)\" (\(r.source))"
        }
        return nil
    }

    static func list(_ set: Set<Verdict>) -> String { "[" + set.sorted().map(\.rawValue).joined(separator: ", ") + "]" }
}
