import Foundation
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

    /// Used by `run` when the package fixes no time limit.
    public static let defaultTimeLimit = 1.0

    /// How output over `limits.output` is judged, by the package's format version.
    public enum OutputRule: String, Sendable {
        /// Legacy packages, as problemtools judges them: the run goes on (a submission that
        /// prints without end is TLE); output over the limit is OLE when the run ended in
        /// time without crashing.
        case afterRun = "problemtools (legacy format): output over the limit is OLE after a run that ended in time; the run is not stopped"
        /// 2023-07 and later: the run is stopped at the limit, OLE.
        case stopped = "problem package spec (2023-07 and later): the run is stopped at the output limit, OLE"
    }

    public var outputRule: OutputRule { formatVersion.hasPrefix("legacy") ? .afterRun : .stopped }

    /// The safety cap of a legacy package's run (its output is streamed, never stored).
    public static let afterRunOutputCap = 1 << 30

    public static func isPackage(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
            && FileManager.default.fileExists(atPath: path + "/problem.yaml")
    }
}

public struct KattisTest: Sendable, Hashable {
    /// Path under data/ without extension: "secret/group1/01".
    public var name: String
    /// Beneath the package's folder.
    public var input: RootedPath
    public var answer: RootedPath
    public var flags: [String]
}

/// testdata.yaml, with what it inherits from its parent.
public struct KattisGroupConfig: Sendable, Hashable {
    public var onRejectBreak = true
    public var graderFlags: [String] = []
    public var acceptScore = 1.0
    public var rejectScore = 0.0
    public var outputValidatorFlags: [String] = []
    public var range: (Double, Double)? { rangeValue.map { ($0[0], $0[1]) } }
    var rangeValue: [Double]?
}

public struct KattisGroup: Sendable {
    public enum Item: Sendable {
        case test(Int)
        case group(KattisGroup)
    }

    /// "data", "data/secret", "data/secret/group1".
    public var path: String
    public var config: KattisGroupConfig
    public var items: [Item]

    public var isSample: Bool { path == "data/sample" || path.hasPrefix("data/sample/") }
}

/// What a submission came to on a package: the default grader's verdict and score.
public struct KattisOutcome: Sendable, Hashable {
    public var verdict: Verdict
    public var score: Double
    /// Every test ran was AC with its full score.
    public var fullyAccepted: Bool
}

extension KattisPackage {
    struct LoadError: Error, CustomStringConvertible {
        var description: String
    }

    private static func fail(_ root: FilePath, _ message: String) -> GradingError {
        GradingError(.invalidSuite, "\(root): \(message)")
    }

    /// Every file of a package is read beneath its folder (no symlink or '..' leads out).
    public var confinedRoot: ConfinedRoot { ConfinedRoot(root) }

    /// A file's access refused (outside the package, not a regular file): a load error.
    private static func confined<T>(_ root: FilePath, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as GradingError where e.code == .refused || e.code == .io {
            throw fail(root, e.message)
        }
    }

    private static func yaml(_ root: ConfinedRoot, _ rel: String) throws -> [String: Any]? {
        let path = root.folder.string + "/" + rel
        guard try confined(root.folder, { try root.kind(rel) }) != nil else { return nil }
        let text = String(decoding: try confined(root.folder, { try root.file(rel).read(limit: 1 << 20) }), as: UTF8.self)
        do {
            let loaded = try Yams.load(yaml: text)
            if loaded == nil { return [:] }
            guard let map = loaded as? [String: Any] else { throw GradingError(.invalidSuite, "\(path): a mapping expected") }
            return map
        } catch let e as GradingError {
            throw e
        } catch {
            throw GradingError(.invalidSuite, "\(path): \(error)")
        }
    }

    static func number(_ v: Any?) -> Double? {
        switch v {
        case let d as Double: return d
        case let i as Int: return Double(i)
        case let s as String: return Double(s.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }

    static func words(_ v: Any?) -> [String] {
        switch v {
        case let s as String: return s.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        case let list as [Any]: return list.map { "\($0)" }
        default: return []
        }
    }

    /// Reads a package folder.
    public static func load(_ path: String, languages: LanguageTable = .init()) throws -> KattisPackage {
        let rootURL = URL(fileURLWithPath: path).standardizedFileURL
        let root = FilePath(rootURL.path)
        let confinedRoot = ConfinedRoot(root)
        guard let meta = try yaml(confinedRoot, "problem.yaml") else { throw fail(root, "no problem.yaml") }
        let isDraft = (meta["problem_format_version"] as? String).map { $0 != "legacy" && $0 != "legacy-icpc" } ?? false

        var types = words(meta["type"])
        if types.isEmpty { types = ["pass-fail"] }
        var scoring = types.contains("scoring")
        var interactive = types.contains("interactive")
        let validation = words(meta["validation"])
        var custom = false
        var customScore = false
        var multiPass = types.contains("multi-pass")
        if let first = validation.first {
            guard first == "default" || first == "custom" else { throw fail(root, "validation '\(first)': default or custom expected") }
            custom = first == "custom"
            if validation.contains("interactive") { interactive = true }
            if validation.contains("score") { customScore = true }
            if validation.contains("multi-pass") { multiPass = true }
            for w in validation.dropFirst() where !["interactive", "score", "multi-pass"].contains(w) {
                throw fail(root, "validation '\(validation.joined(separator: " "))': '\(w)' is unknown (interactive, score, multi-pass)")
            }
            if !custom && validation.count > 1 {
                throw fail(root, "validation '\(validation.joined(separator: " "))': the default validator takes no options here")
            }
        }
        // Legacy grading: objective and show_test_data_groups change no verdict; the keys that
        // predate the legacy format override every group's testdata.yaml, as in problemtools.
        var forcedGrading: [String: Any] = [:]
        if let grading = meta["grading"] as? [String: Any] {
            for key in ["accept_score", "reject_score", "range"] where grading[key] != nil { forcedGrading[key] = grading[key] }
            switch grading["on_reject"] as? String {
            case "first_error"?: forcedGrading["on_reject"] = "break"
            case "grade"?: forcedGrading["on_reject"] = "continue"
            case "worst_error"?, nil: break
            case let other?: throw fail(root, "grading.on_reject '\(other)': first_error, worst_error or grade expected")
            }
        }
        for t in types where !["pass-fail", "scoring", "interactive", "multi-pass", "submit-answer"].contains(t) {
            throw fail(root, "problem type '\(t)' is unknown")
        }
        for t in types where t == "submit-answer" {
            throw fail(root, "problem type '\(t)' is not supported")
        }
        if meta["type"] as? String == "scoring" { scoring = true }

        let limits = meta["limits"] as? [String: Any] ?? [:]
        var fixed = number(limits["time_limit"])
        if fixed == nil, try confined(root, { try confinedRoot.kind(".timelimit") }) == .file {
            let text = String(decoding: try confined(root, { try confinedRoot.file(".timelimit").read(limit: 1024) }), as: UTF8.self)
            fixed = Double(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let multipliers = limits["time_multipliers"] as? [String: Any] ?? [:]
        let timeMultiplier = number(multipliers["ac_to_time_limit"]) ?? number(limits["time_multiplier"]) ?? (isDraft ? 2 : 5)
        let safetyMargin = number(multipliers["time_limit_to_tle"]) ?? number(limits["time_safety_margin"]) ?? (isDraft ? 1.5 : 2)
        guard timeMultiplier >= 1, safetyMargin >= 1 else {
            throw fail(root, "limits: the time multipliers must be at least 1 (ac_to_time_limit \(timeMultiplier), time_limit_to_tle \(safetyMargin))")
        }
        var passes: Int?
        if multiPass {
            let n = number(limits["validation_passes"]) ?? 2
            guard n >= 2, n == n.rounded() else { throw fail(root, "limits.validation_passes must be an integer of at least 2") }
            passes = Int(n)
        }

        // The custom validator: output_validator/ (2023-07) or output_validators/<one>/ or a file there.
        var validatorProgram: JudgeProgram?
        var candidates: [String] = []
        try confined(root) {
            if try confinedRoot.kind("output_validator") != nil { candidates.append("output_validator") }
            if try confinedRoot.kind("output_validators") == .directory {
                for entry in try confinedRoot.list("output_validators") where !entry.hasPrefix(".") {
                    candidates.append("output_validators/" + entry)
                }
            }
        }
        if let where_ = candidates.first {
            validatorProgram = try confined(root) { try program(at: where_, languages: languages, root: confinedRoot) }
        }
        if !isDraft && (interactive || customScore) { custom = true }
        if isDraft && validatorProgram != nil { custom = true }
        if custom && validatorProgram == nil { throw fail(root, "validation is custom, but there is no output validator") }
        if multiPass && validatorProgram == nil { throw fail(root, "a multi-pass problem needs an output validator") }
        if multiPass { custom = true }
        if !custom { validatorProgram = nil }
        if isDraft && scoring && custom { customScore = true }
        let validatorFlags = words(meta["validator_flags"])

        var tests: [KattisTest] = []
        let rootConfig = KattisGroupConfig()
        let data = try group(root: confinedRoot, folder: "data", parent: rootConfig, scoring: scoring, draft: isDraft, flags: validatorFlags,
                             tests: &tests, forced: forcedGrading)
        if tests.isEmpty { throw fail(root, "no test cases under data/ (pairs of .in and .ans)") }

        let name = meta["name"].flatMap { v -> String? in
            if let s = v as? String { return s }
            if let m = v as? [String: Any] { return (m["en"] as? String) ?? m.values.compactMap { $0 as? String }.first }
            return nil
        }
        var package = KattisPackage(
            root: root, shortName: root.lastComponent?.string ?? "problem", title: name, scoring: scoring, interactive: interactive,
            customScore: customScore, fixedTimeLimit: fixed, timeMultiplier: timeMultiplier, safetyMargin: safetyMargin,
            timeResolution: number(limits["time_resolution"]) ?? 1, memory: Int(number(limits["memory"]) ?? 1024) << 20,
            output: Int(number(limits["output"]) ?? 8) << 20, validator: validatorProgram, validatorFlags: validatorFlags,
            tests: tests, data: data)
        package.formatVersion = (meta["problem_format_version"] as? String) ?? "legacy"
        package.timeLimitInProblemYAML = number(limits["time_limit"]) != nil
        package.validationPasses = passes
        // Limits in MiB, KiB and seconds as problem.yaml gives them; problemtools' defaults.
        func positive(_ key: String) throws -> Double? {
            guard limits[key] != nil else { return nil }
            guard let v = number(limits[key]), v > 0 else { throw fail(root, "limits.\(key) must be a positive number") }
            return v
        }
        for key in ["memory", "output", "time_limit", "time_resolution"] { _ = try positive(key) }
        if let v = try positive("validation_time") { package.validationTime = v }
        if let v = try positive("validation_memory") { package.validationMemory = Int(v) << 20 }
        if let v = try positive("code") { package.codeLimit = Int(v) << 10 }
        if let v = try positive("compilation_time") { package.compilationTime = v }
        if let v = try positive("compilation_memory") { package.compilationMemory = Int(v) << 20 }
        return package
    }

    /// A validator: a source file, or a folder whose main source is compiled with the rest beside it.
    /// `path` is relative to the package's folder, and read beneath it.
    static func program(at path: String, languages: LanguageTable, root: ConfinedRoot) throws -> JudgeProgram {
        guard try root.kind(path) == .directory else { return JudgeProgram(source: try root.file(path), language: nil, arguments: []) }
        let entries = try root.list(path).filter { !$0.hasPrefix(".") }.sorted()
        var folderNames: Set<String> = []
        for e in entries where try root.kind(path + "/" + e) == .directory { folderNames.insert(e) }
        func isFolder(_ e: String) -> Bool { folderNames.contains(e) }
        // The Kattis spec's build/run programs: `build` (if there) makes `run`, which is run.
        if let script = ["build", "run"].first(where: { entries.contains($0) && !isFolder($0) }) {
            let files = try entries.filter { $0 != script && !isFolder($0) }.map { ExtraFile(source: try root.file(path + "/" + $0), target: $0) }
            return JudgeProgram(source: try root.file(path + "/" + script), language: Language.kattisScripts.id, arguments: [], files: files)
        }
        // output_validator/<name>/ (problemtools' guess example): one folder and nothing else.
        let folders = entries.filter(isFolder)
        if folders.count == 1 && entries.count == 1 {
            return try program(at: path + "/" + folders[0], languages: languages, root: root)
        }
        let sources = entries.filter { languages.detect(FilePath($0)) != nil }
        func hasMain(_ e: String) -> Bool {
            guard let bytes = try? root.file(path + "/" + e).read(limit: 16 << 20) else { return false }
            let text = String(decoding: bytes, as: UTF8.self)
            return text.contains("main(") || text.contains("__main__")
        }
        let main = sources.first(where: { ["validator.py", "validate.py", "main.py"].contains($0) })
            ?? sources.first(where: { !$0.hasSuffix(".h") && hasMain($0) }) ?? sources.first
        guard let main else { throw fail(root.folder, "\(path): no validator source in a known language") }
        let files = try entries.filter { $0 != main }.compactMap { e -> ExtraFile? in
            try root.kind(path + "/" + e) == .directory ? nil : ExtraFile(source: try root.file(path + "/" + e), target: e)
        }
        return JudgeProgram(source: try root.file(path + "/" + main), language: nil, arguments: [], files: files)
    }

    private static func group(root: ConfinedRoot, folder: String, parent: KattisGroupConfig, scoring: Bool, draft: Bool, flags: [String],
                              tests: inout [KattisTest], forced: [String: Any] = [:]) throws -> KattisGroup {
        var config = parent
        // 2023-07: samples score 0 unless their testdata.yaml says otherwise.
        if draft && scoring && folder == "data/sample" { config.acceptScore = 0 }
        if let y = try yaml(root, folder + "/testdata.yaml") {
            if let v = y["on_reject"] as? String { config.onRejectBreak = v != "continue" }
            if y["grader_flags"] != nil { config.graderFlags = words(y["grader_flags"]) }
            if let v = number(y["accept_score"]) { config.acceptScore = v }
            if let v = number(y["reject_score"]) { config.rejectScore = v }
            if y["output_validator_flags"] != nil { config.outputValidatorFlags = words(y["output_validator_flags"]) }
            if let r = y["range"] as? String {
                let parts = r.split(separator: " ").compactMap { Double($0.replacingOccurrences(of: "inf", with: "infinity")) }
                if parts.count == 2 { config.rangeValue = parts }
            }
            if let s = y["score_aggregation"] as? String { config.graderFlags = [s] }
            // 2023-07: grading: {score, max_score, aggregation: sum | min}.
            if let g = y["grading"] as? [String: Any] {
                if let v = number(g["score"]) { config.acceptScore = v }
                if let a = g["aggregation"] as? String { config.graderFlags = [a] }
                if let m = number(g["max_score"]) { config.rangeValue = [0, m] }
            }
            if (y["grading"] as? String) == "custom" {
                throw fail(root.folder, "\(folder)/testdata.yaml: custom graders are not supported")
            }
        }
        // Legacy problem.yaml grading keys win over every testdata.yaml (problemtools).
        if let v = number(forced["accept_score"]) { config.acceptScore = v }
        if let v = number(forced["reject_score"]) { config.rejectScore = v }
        if let r = forced["range"] as? String {
            let parts = r.split(separator: " ").compactMap { Double($0.replacingOccurrences(of: "inf", with: "infinity")) }
            if parts.count == 2 { config.rangeValue = parts }
        }
        if let v = forced["on_reject"] as? String { config.onRejectBreak = v != "continue" }
        if !scoring { config.rangeValue = nil }
        var items: [KattisGroup.Item] = []
        let entries = try confined(root.folder) { try root.kind(folder) == .directory ? try root.list(folder) : [] }
        for e in entries where !e.hasPrefix(".") {
            let full = folder + "/" + e
            let kind = try confined(root.folder) { try root.kind(full) }
            if kind == .directory {
                // data/invalid_* (2023-07) holds inputs that validators must reject: not for submissions.
                if folder == "data" && e.hasPrefix("invalid") { continue }
                items.append(.group(try group(root: root, folder: folder + "/" + e, parent: config, scoring: scoring, draft: draft,
                                              flags: flags, tests: &tests, forced: forced)))
            } else if e.hasSuffix(".ans") {
                let stem = String(e.dropLast(4))
                let input = folder + "/" + stem + ".in"
                guard try confined(root.folder, { try root.kind(input) }) != nil else { continue }
                let name = String((folder + "/" + stem).dropFirst("data/".count))
                let (inputFile, answerFile) = try confined(root.folder) { (try root.file(input), try root.file(full)) }
                tests.append(KattisTest(name: name, input: inputFile, answer: answerFile,
                                        flags: flags + config.outputValidatorFlags))
                items.append(.test(tests.count - 1))
            }
        }
        return KattisGroup(path: folder, config: config, items: items)
    }

    /// The package as suite problems: one per distinct validator flags, in the order met.
    public func suite(timeLimit: Double? = nil) throws -> Suite {
        let seconds = timeLimit ?? fixedTimeLimit ?? Self.defaultTimeLimit
        var limits = TestLimits()
        limits.cpuTime = .milliseconds(Int64((seconds * 1000).rounded(.up)))
        limits.wallTime = .milliseconds(Int64((seconds * 2000 + 1000).rounded(.up)))
        limits.memory = memory
        limits.output = outputRule == .afterRun ? max(output, Self.afterRunOutputCap) : output
        var order: [[String]] = []
        for t in tests where !order.contains(t.flags) { order.append(t.flags) }
        var problems: [Problem] = []
        for flags in order {
            let comparison: Comparison
            var interactor: JudgeProgram?
            if var v = validator {
                v.arguments = flags
                if interactive { interactor = v }
                comparison = interactive ? .builtin(.tokens(TokenFlags())) : .checker(v)
            } else {
                do {
                    comparison = .builtin(.tokens(try TokenFlags(arguments: flags)))
                } catch {
                    throw GradingError(.invalidSuite, "\(root): validator flags \(flags.joined(separator: " ")): \(error)")
                }
            }
            let id = order.count == 1 || flags.isEmpty ? shortName : "\(shortName)[\(flags.joined(separator: " "))]"
            let cases = tests.filter { $0.flags == flags }.map {
                TestCase(name: $0.name, input: .file($0.input), answer: .file($0.answer), command: nil, limits: TestLimits(),
                         files: [], group: nil)
            }
            var p = Problem(id: id, title: title, kind: interactive ? .interactive : .stdio, limits: limits, comparison: comparison,
                            interactor: interactor, files: [], tests: cases, groups: [])
            if scoring { p.maxTestScore = .infinity }
            p.passes = validationPasses ?? 1
            if outputRule == .afterRun { p.outputLimitAfterRun = output }
            p.judgeLimits = TestLimits(cpuTime: .milliseconds(Int64(validationTime * 1000)),
                                       wallTime: .milliseconds(Int64(validationTime * 2000)), memory: validationMemory)
            problems.append(p)
        }
        return Suite(path: root.appending("problem.yaml"), name: shortName, problems: problems)
    }

    /// Folds test results (by test name) up the data tree as problemtools' default grader
    /// does: on_reject break drops what follows a rejection, verdicts by worst_error (or the
    /// flags), scores by sum (or min, max, avg), accept_score/reject_score for tests, the
    /// validator's score for custom-score problems. `timeLimit` turns any test slower than it
    /// into TLE (one run at the safety-margin limit gives the verdicts at both limits).
    public func outcome(_ results: [String: TestResult], timeLimit: Double? = nil) -> KattisOutcome {
        var full = true
        func test(_ i: Int, _ config: KattisGroupConfig) -> (Verdict, Double)? {
            guard let r = results[tests[i].name], r.verdict != .skipped else { return nil }
            var v = r.verdict
            if let timeLimit, r.cpuTime > timeLimit, v != .judgeError, v != .compileError { v = .timeLimit }
            if v != .accepted { full = false }
            let score = v == .accepted ? (customScore ? r.score : config.acceptScore) : config.rejectScore
            return (v, score)
        }
        func fold(_ g: KattisGroup) -> (Verdict, Double)? {
            var children: [(Verdict, Double)] = []
            for item in g.items {
                let r: (Verdict, Double)?
                switch item {
                case .test(let i): r = test(i, g.config)
                case .group(let sub): r = fold(sub)
                }
                guard let r else { continue }
                children.append(r)
                if r.0 != .accepted && g.config.onRejectBreak { break }
            }
            if children.isEmpty { return g.items.isEmpty ? nil : (.accepted, 0) }
            if let je = children.first(where: { $0.0 == .judgeError }) { return je }
            return Self.grade(children, flags: g.config.graderFlags)
        }
        let (verdict, score) = fold(data) ?? (.accepted, 0)
        return KattisOutcome(verdict: verdict, score: score, fullyAccepted: full && verdict == .accepted)
    }

    /// problemtools' support/default_grader.
    static func grade(_ results: [(Verdict, Double)], flags: [String]) -> (Verdict, Double) {
        var results = results
        if flags.contains("ignore_sample") { results = Array(results.suffix(1)) }
        let verdicts = results.map(\.0)
        let scores = results.map(\.1)
        var score = scores.reduce(0, +)
        var verdictRule = "worst_error"
        for f in flags {
            switch f {
            case "sum": score = scores.reduce(0, +)
            case "avg": score = scores.isEmpty ? 0 : scores.reduce(0, +) / Double(scores.count)
            case "max": score = scores.max() ?? 0
            case "min": score = scores.min() ?? 0
            case "worst_error", "no_errors", "first_error", "always_accept": verdictRule = f
            default: break
            }
        }
        if flags.contains("accept_if_any_accepted") && verdicts.contains(.accepted) { return (.accepted, score) }
        switch verdictRule {
        case "always_accept": return (.accepted, score)
        case "first_error": return (verdicts.first { $0 != .accepted } ?? .accepted, score)
        default:
            let order: [Verdict] = [.judgeError, .runtimeError, .memoryLimit, .timeLimit, .outputLimit, .wrongAnswer, .accepted]
            let worst = verdicts.compactMap { order.firstIndex(of: $0) }.min() ?? order.count - 1
            // CE (never per test) sorts with RTE.
            if verdicts.contains(.compileError) { return (.compileError, score) }
            return (order[worst], score)
        }
    }

    /// The score of a run with every test AC: nil when the validator decides scores and
    /// data/testdata.yaml gives no range.
    public var fullScore: Double? {
        if customScore { return data.config.range.map(\.1) }
        let all = Dictionary(uniqueKeysWithValues: tests.map { ($0.name, TestResult(name: $0.name, group: nil, verdict: .accepted, score: 1)) })
        return outcome(all).score
    }

    /// For each test, the tests that a rejection of it makes irrelevant share its scope: the
    /// highest group reached going up through groups that stop at a rejection
    /// (on_reject: break) and whose verdict a rejection inside surely makes a rejection (no
    /// always_accept, accept_if_any_accepted). Tests with no such group get their own scope.
    public var rejectionScopes: [String: String] {
        var out: [String: String] = [:]
        func surelyRejects(_ g: KattisGroup) -> Bool {
            !g.config.graderFlags.contains("always_accept") && !g.config.graderFlags.contains("accept_if_any_accepted")
        }
        // chain: the groups from the root down to here.
        func walk(_ g: KattisGroup, _ chain: [KattisGroup]) {
            let chain = chain + [g]
            for item in g.items {
                switch item {
                case .group(let sub): walk(sub, chain)
                case .test(let i):
                    guard g.config.onRejectBreak else {
                        out[tests[i].name] = "test:" + tests[i].name
                        continue
                    }
                    var top = chain.count - 1
                    while top > 0 && chain[top - 1].config.onRejectBreak && surelyRejects(chain[top]) { top -= 1 }
                    out[tests[i].name] = chain[top].path
                }
            }
        }
        walk(data, [])
        return out
    }

    /// Every group stops at its first rejection (on_reject: break), so a pass-fail problem
    /// may stop a submission at its first failed test.
    public var stopsAtFirstRejection: Bool {
        func all(_ g: KattisGroup) -> Bool {
            g.config.onRejectBreak && g.items.allSatisfy { if case .group(let s) = $0 { return all(s) } else { return true } }
        }
        return !scoring && all(data)
    }

    /// One problem result for the package, from the results of the suite's problems: tests
    /// in package order, verdict and score as the default grader says.
    public func merge(_ parts: [ProblemResult]) -> ProblemResult? {
        guard var merged = parts.first else { return nil }
        var byName: [String: TestResult] = [:]
        for p in parts { for t in p.tests { byName[t.name] = t } }
        merged.problem = shortName
        merged.tests = tests.compactMap { byName[$0.name] }
        merged.compileMessage = parts.compactMap(\.compileMessage).first
        let o = outcome(byName)
        merged.verdict = parts.contains { $0.verdict == .compileError } ? .compileError : o.verdict
        if scoring {
            merged.score = o.score
            merged.maxScore = fullScore ?? o.score
        } else {
            merged.score = o.verdict == .accepted ? 1 : 0
            merged.maxScore = 1
        }
        merged.groups = []
        return merged
    }
}

extension RunResult {
    /// The results of each package's problems (one per set of validator flags) folded into
    /// one result per submission, verdict and score as the package's grading says.
    public func mergingPackages(_ packages: [KattisPackage]) -> RunResult {
        guard !packages.isEmpty else { return self }
        var out: [ProblemResult] = []
        var i = 0
        while i < results.count {
            let r = results[i]
            guard let p = packages.first(where: { $0.shortName == r.suite }),
                  let ids = try? Set(p.suite().problems.map(\.id)), ids.contains(r.problem) else {
                out.append(r)
                i += 1
                continue
            }
            var parts: [ProblemResult] = []
            while i < results.count, results[i].suite == r.suite, results[i].submissionPath == r.submissionPath, ids.contains(results[i].problem) {
                parts.append(results[i])
                i += 1
            }
            out.append(p.merge(parts) ?? r)
        }
        var copy = self
        copy.results = out
        return copy
    }
}
