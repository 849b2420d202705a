import Foundation
import Grading
import SystemPackage
import Yams

extension KattisPackage {
    private static func fail(_ root: FilePath, _ message: String, underlyingError: (any Error)? = nil) -> FormatsError {
        FormatsError(.invalidPackage, "\(root): \(message)", underlyingError: underlyingError)
    }

    /// Every file of a package is read beneath its folder (no symlink or '..' leads out).
    public var confinedRoot: ConfinedRoot { ConfinedRoot(root) }

    /// A file's access refused (outside the package, not a regular file): a load error.
    private static func confined<T>(_ root: FilePath, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as GradingError where e.code == .refused || e.code == .io {
            throw fail(root, e.message, underlyingError: e)
        }
    }

    private static func yaml(_ root: ConfinedRoot, _ rel: String) throws -> [String: Any]? {
        let path = root.folder.string + "/" + rel
        guard try confined(root.folder, { try root.kind(rel) }) != nil else { return nil }
        let text = String(decoding: try confined(root.folder, { try root.file(rel).read(limit: 1 << 20) }), as: UTF8.self)
        do {
            let loaded = try Yams.load(yaml: text)
            if loaded == nil { return [:] }
            guard let map = loaded as? [String: Any] else { throw FormatsError(.invalidPackage, "\(path): a mapping expected") }
            return map
        } catch let e as FormatsError {
            throw e
        } catch {
            throw FormatsError(.invalidPackage, "\(path): \(error)", underlyingError: error)
        }
    }

    /// Keys of a group's configuration that change no verdict here (validators of the input,
    /// visualizers, what a contestant is shown).
    static let groupKeysWithoutVerdicts: Set<String> = [
        "input_validator_args", "input_validator_flags", "static_validator_args", "input_visualizer_args",
        "output_visualizer_args", "full_feedback",
    ]
    /// Keys that would change verdicts in ways Proctor does not implement: the package is
    /// refused rather than judged as if they were absent.
    static let groupKeysRefused: [String: String] = [
        "require_pass": "require_pass (a group scored only when others pass)",
        "static_validation_score": "static validation",
    ]

    /// A test data group's configuration: testdata.yaml (legacy, 2023-07) or test_group.yaml
    /// (2025-09), not both. Submission arguments (`args`) and the keys in `groupKeysRefused`
    /// refuse the package; in test_group.yaml an unknown key is an error, as the spec says.
    private static func groupConfiguration(_ root: ConfinedRoot, _ folder: String) throws -> [String: Any]? {
        let legacy = try yaml(root, folder + "/testdata.yaml")
        let current = try yaml(root, folder + "/test_group.yaml")
        if legacy != nil && current != nil {
            throw fail(root.folder, "\(folder): both testdata.yaml and test_group.yaml (one of them, by the format version)")
        }
        guard let y = legacy ?? current else { return nil }
        let file = "\(folder)/\(current != nil ? "test_group.yaml" : "testdata.yaml")"
        if !words(y["args"]).isEmpty {
            throw fail(root.folder, "\(file): args (command-line arguments for submissions) are not supported")
        }
        for (key, what) in groupKeysRefused where y[key] != nil {
            throw fail(root.folder, "\(file): \(what) is not supported")
        }
        if current != nil {
            let known: Set<String> =
                groupKeysWithoutVerdicts.union([
                    "max_score", "score_aggregation", "args", "output_validator_args", "require_pass", "static_validation_score",
                ])
            if let unknown = y.keys.sorted().first(where: { !known.contains($0) }) {
                throw fail(root.folder, "\(file): '\(unknown)' is not a key of test_group.yaml")
            }
            if (y["score_aggregation"] as? String) == "pass-fail" {
                throw fail(root.folder, "\(file): score_aggregation pass-fail is not supported")
            }
        }
        return y
    }

    /// What one test case's own .yaml (2023-07, 2025-09) changes: the output validator's
    /// arguments. `args` for the submission are refused; an unknown key is an error.
    struct TestConfiguration {
        var validatorArguments: [String]?
    }

    private static func testConfiguration(_ root: ConfinedRoot, _ stem: String) throws -> TestConfiguration? {
        guard let y = try yaml(root, stem + ".yaml") else { return nil }
        let known: Set<String> = groupKeysWithoutVerdicts.union([
            "args", "output_validator_args", "output_validator_flags", "hint", "description",
        ])
        if let unknown = y.keys.sorted().first(where: { !known.contains($0) }) {
            throw fail(root.folder, "\(stem).yaml: '\(unknown)' is not a key of a test case's configuration")
        }
        if !words(y["args"]).isEmpty {
            throw fail(root.folder, "\(stem).yaml: args (command-line arguments for submissions) are not supported")
        }
        let flags = y["output_validator_args"] ?? y["output_validator_flags"]
        return TestConfiguration(validatorArguments: flags.map { words($0) })
    }

    /// include/<language>/ (legacy, 2023-07, 2025-09) and include/default/ (2025-09), flat:
    /// their files by folder name.
    private static func included(_ root: ConfinedRoot) throws -> [String: [ExtraFile]] {
        guard try confined(root.folder, { try root.kind("include") }) == .directory else { return [:] }
        var out: [String: [ExtraFile]] = [:]
        for language in try confined(root.folder, { try root.list("include") }) where !language.hasPrefix(".") {
            guard try confined(root.folder, { try root.kind("include/" + language) }) == .directory else { continue }
            out[language] = try inputFiles(root, "include/" + language)
        }
        return out
    }

    /// A test case's .files folder: its files, put in the working folder after the build and
    /// before the run (read beneath the package; at most 64 files, 4 levels).
    private static func inputFiles(_ root: ConfinedRoot, _ folder: String) throws -> [ExtraFile] {
        guard try confined(root.folder, { try root.kind(folder) }) == .directory else { return [] }
        var out: [ExtraFile] = []
        func walk(_ rel: String, depth: Int) throws {
            guard depth <= 4 else { throw fail(root.folder, "\(folder): more than 4 levels of folders") }
            let here = rel.isEmpty ? folder : folder + "/" + rel
            for e in try confined(root.folder, { try root.list(here) }).sorted() where !e.hasPrefix(".") {
                let path = rel.isEmpty ? e : rel + "/" + e
                switch try confined(root.folder, { try root.kind(folder + "/" + path) }) {
                case .directory: try walk(path, depth: depth + 1)
                case .file:
                    out.append(ExtraFile(source: try confined(root.folder) { try root.file(folder + "/" + path) }, target: path))
                default: throw fail(root.folder, "\(folder)/\(path): not a regular file")
                }
                if out.count > 64 { throw fail(root.folder, "\(folder): more than 64 files") }
            }
        }
        try walk("", depth: 0)
        return out
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
            guard first == "default" || first == "custom" else {
                throw fail(root, "validation '\(first)': default or custom expected")
            }
            custom = first == "custom"
            if validation.contains("interactive") { interactive = true }
            if validation.contains("score") { customScore = true }
            if validation.contains("multi-pass") { multiPass = true }
            for w in validation.dropFirst() where !["interactive", "score", "multi-pass"].contains(w) {
                throw fail(
                    root, "validation '\(validation.joined(separator: " "))': '\(w)' is unknown (interactive, score, multi-pass)")
            }
            if !custom && validation.count > 1 {
                throw fail(root, "validation '\(validation.joined(separator: " "))': the default validator takes no options here")
            }
        }
        let forcedGrading = try forcedGrading(meta, root: root)
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
            let text = String(
                decoding: try confined(root, { try confinedRoot.file(".timelimit").read(limit: 1024) }), as: UTF8.self)
            fixed = Double(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let multipliers = limits["time_multipliers"] as? [String: Any] ?? [:]
        let timeMultiplier = number(multipliers["ac_to_time_limit"]) ?? number(limits["time_multiplier"]) ?? (isDraft ? 2 : 5)
        let safetyMargin = number(multipliers["time_limit_to_tle"]) ?? number(limits["time_safety_margin"]) ?? (isDraft ? 1.5 : 2)
        guard timeMultiplier >= 1, safetyMargin >= 1 else {
            throw fail(
                root,
                "limits: the time multipliers must be at least 1 (ac_to_time_limit \(timeMultiplier), time_limit_to_tle \(safetyMargin))"
            )
        }
        var passes: Int?
        if multiPass {
            let n = number(limits["validation_passes"]) ?? 2
            guard n >= 2, n == n.rounded() else { throw fail(root, "limits.validation_passes must be an integer of at least 2") }
            passes = Int(n)
        }

        var validatorProgram = try validator(confinedRoot, languages: languages)
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
        let data = try group(
            root: confinedRoot, folder: "data", parent: rootConfig, scoring: scoring, draft: isDraft, flags: validatorFlags,
            tests: &tests, forced: forcedGrading)
        if tests.isEmpty { throw fail(root, "no test cases under data/ (pairs of .in and .ans)") }

        let name = meta["name"].flatMap { v -> String? in
            if let s = v as? String { return s }
            if let m = v as? [String: Any] { return (m["en"] as? String) ?? m.values.compactMap { $0 as? String }.first }
            return nil
        }
        var package = KattisPackage(
            root: root, shortName: root.lastComponent?.string ?? "problem", title: name, scoring: scoring,
            interactive: interactive,
            customScore: customScore, fixedTimeLimit: fixed, timeMultiplier: timeMultiplier, safetyMargin: safetyMargin,
            timeResolution: number(limits["time_resolution"]) ?? 1, memory: Int(number(limits["memory"]) ?? 1024) << 20,
            output: Int(number(limits["output"]) ?? 8) << 20, validator: validatorProgram, validatorFlags: validatorFlags,
            tests: tests, data: data)
        package.formatVersion = (meta["problem_format_version"] as? String) ?? "legacy"
        package.timeLimitInProblemYAML = number(limits["time_limit"]) != nil
        package.validationPasses = passes
        try package.readOtherLimits(limits)
        package.includedFiles = try included(confinedRoot)
        return package
    }

    /// Legacy grading: objective and show_test_data_groups change no verdict; the keys that
    /// predate the legacy format override every group's testdata.yaml, as in problemtools.
    private static func forcedGrading(_ meta: [String: Any], root: FilePath) throws -> [String: Any] {
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
        return forcedGrading
    }

    /// The custom validator, if there is one: output_validator/ (2023-07) or
    /// output_validators/<one>/ or a file there.
    private static func validator(_ confinedRoot: ConfinedRoot, languages: LanguageTable) throws -> JudgeProgram? {
        let root = confinedRoot.folder
        var candidates: [String] = []
        try confined(root) {
            if try confinedRoot.kind("output_validator") != nil { candidates.append("output_validator") }
            if try confinedRoot.kind("output_validators") == .directory {
                for entry in try confinedRoot.list("output_validators") where !entry.hasPrefix(".") {
                    candidates.append("output_validators/" + entry)
                }
            }
        }
        guard let where_ = candidates.first else { return nil }
        return try confined(root) { try program(at: where_, languages: languages, root: confinedRoot) }
    }

    /// Limits in MiB, KiB and seconds as problem.yaml gives them (else problemtools'
    /// defaults); each one given must be a positive number.
    private mutating func readOtherLimits(_ limits: [String: Any]) throws {
        let root = self.root
        func positive(_ key: String) throws -> Double? {
            guard limits[key] != nil else { return nil }
            guard let v = Self.number(limits[key]), v > 0 else {
                throw Self.fail(root, "limits.\(key) must be a positive number")
            }
            return v
        }
        for key in ["memory", "output", "time_limit", "time_resolution"] { _ = try positive(key) }
        if let v = try positive("validation_time") { validationTime = v }
        if let v = try positive("validation_memory") { validationMemory = Int(v) << 20 }
        if let v = try positive("code") { codeLimit = Int(v) << 10 }
        if let v = try positive("compilation_time") { compilationTime = v }
        if let v = try positive("compilation_memory") { compilationMemory = Int(v) << 20 }
    }

    /// A validator: a source file, or a folder whose main source is compiled with the rest beside it.
    /// `path` is relative to the package's folder, and read beneath it.
    static func program(at path: String, languages: LanguageTable, root: ConfinedRoot) throws -> JudgeProgram {
        guard try root.kind(path) == .directory else {
            return JudgeProgram(source: try root.file(path), language: nil, arguments: [])
        }
        let entries = try root.list(path).filter { !$0.hasPrefix(".") }.sorted()
        var folderNames: Set<String> = []
        for e in entries where try root.kind(path + "/" + e) == .directory { folderNames.insert(e) }
        func isFolder(_ e: String) -> Bool { folderNames.contains(e) }
        // The Kattis spec's build/run programs: `build` (if there) makes `run`, which is run.
        if let script = ["build", "run"].first(where: { entries.contains($0) && !isFolder($0) }) {
            let files = try entries.filter { $0 != script && !isFolder($0) }.map {
                ExtraFile(source: try root.file(path + "/" + $0), target: $0)
            }
            return JudgeProgram(
                source: try root.file(path + "/" + script), language: Language.kattisScripts.id, arguments: [], files: files)
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
        let main =
            sources.first(where: { ["validator.py", "validate.py", "main.py"].contains($0) })
            ?? sources.first(where: { !$0.hasSuffix(".h") && hasMain($0) }) ?? sources.first
        guard let main else { throw fail(root.folder, "\(path): no validator source in a known language") }
        let files = try entries.filter { $0 != main }.compactMap { e -> ExtraFile? in
            try root.kind(path + "/" + e) == .directory ? nil : ExtraFile(source: try root.file(path + "/" + e), target: e)
        }
        return JudgeProgram(source: try root.file(path + "/" + main), language: nil, arguments: [], files: files)
    }

    private static func group(
        root: ConfinedRoot, folder: String, parent: KattisGroupConfig, scoring: Bool, draft: Bool, flags: [String],
        tests: inout [KattisTest], forced: [String: Any] = [:]
    ) throws -> KattisGroup {
        var config = parent
        // 2023-07: samples score 0 unless their testdata.yaml says otherwise.
        if draft && scoring && folder == "data/sample" { config.acceptScore = 0 }
        if let y = try groupConfiguration(root, folder) {
            if let v = y["on_reject"] as? String { config.onRejectBreak = v != "continue" }
            if y["grader_flags"] != nil { config.graderFlags = words(y["grader_flags"]) }
            if let v = number(y["accept_score"]) { config.acceptScore = v }
            if let v = number(y["reject_score"]) { config.rejectScore = v }
            if y["output_validator_flags"] != nil { config.outputValidatorFlags = words(y["output_validator_flags"]) }
            if y["output_validator_args"] != nil { config.outputValidatorFlags = words(y["output_validator_args"]) }
            if let m = y["max_score"] {
                if let v = number(m) { config.rangeValue = [0, v] } else if "\(m)" == "unbounded" { config.rangeValue = nil }
            }
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
                // data/invalid_* and data/valid_output (2023-07, 2025-09) test the validators: not
                // for submissions. A test case's .files folder is its own, read with the test.
                if folder == "data" && (e.hasPrefix("invalid") || e == "valid_output") { continue }
                if e.hasSuffix(".files"),
                    try confined(root.folder, { try root.kind(folder + "/" + e.dropLast(6) + ".in") }) != nil
                {
                    continue
                }
                items.append(
                    .group(
                        try group(
                            root: root, folder: folder + "/" + e, parent: config, scoring: scoring, draft: draft,
                            flags: flags, tests: &tests, forced: forced)))
            } else if e.hasSuffix(".ans") {
                let stem = String(e.dropLast(4))
                let input = folder + "/" + stem + ".in"
                guard try confined(root.folder, { try root.kind(input) }) != nil else { continue }
                let name = String((folder + "/" + stem).dropFirst("data/".count))
                let (inputFile, answerFile) = try confined(root.folder) { (try root.file(input), try root.file(full)) }
                let own = draft ? try testConfiguration(root, folder + "/" + stem) : nil
                var test = KattisTest(
                    name: name, input: inputFile, answer: answerFile,
                    flags: flags + (own?.validatorArguments ?? config.outputValidatorFlags))
                if draft { test.files = try inputFiles(root, folder + "/" + stem + ".files") }
                tests.append(test)
                items.append(.test(tests.count - 1))
            }
        }
        return KattisGroup(path: folder, config: config, items: items)
    }
}
