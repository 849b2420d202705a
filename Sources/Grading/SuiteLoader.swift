import Foundation
import Images
import Sandbox
import SystemPackage
import Yams

/// Loads and checks suite files (format: Schemas/suite.schema.json, docs in Suites/README.md).
public enum SuiteLoader {
    static let suiteKeys = ["version", "name", "image", "problems"]
    static let problemKeys = [
        "id", "title", "kind", "limits", "compare", "checker", "interactor", "files", "tests", "groups", "unit", "image",
        "executable",
    ]
    static let limitKeys = ["time", "wall_time", "memory", "output", "processes"]
    static let compareKeys = [
        "mode", "case_sensitive", "space_change_sensitive", "float_tolerance",
        "float_absolute_tolerance", "float_relative_tolerance",
    ]
    static let programKeys = ["source", "language", "args"]
    static let fileKeys = ["source", "target"]
    static let testKeys = [
        "name", "input", "answer", "input_file", "answer_file", "command", "limits", "files", "group", "glob",
        "weight", "visibility", "number",
    ]
    static let groupKeys = ["name", "points", "aggregation"]
    enum Mode: String, CaseIterable { case exact, lines, tokens }
    /// `image: host`: the host's system folders, as with no image.
    static let hostImage = "host"

    /// Loads a suite, or throws a `GradingError` with every problem found (`diagnostics`).
    /// Every file it names is read beneath its folder (`ConfinedRoot`); with `caps`, a suite
    /// that asks for more (limits, tests, file sizes) is refused, each excess at its line.
    /// An `image:` (the suite's default, or a problem's) must name an image of `images`
    /// (nil: the default store), else it is an error at its line, before anything runs.
    public static func load(_ path: FilePath, caps: SuiteCaps? = nil, images: ImageStoreFolder? = nil) throws -> Suite {
        let reader = YAMLReader(file: path)
        reader.caps = caps
        reader.images = images ?? ImageStoreFolder()
        let text: String
        do {
            text = String(decoding: try HostFile.read(path, limit: 16 << 20), as: UTF8.self)
        } catch {
            throw GradingError(diagnostics: [Diagnostic(file: path.string, line: 1, column: 1, message: "\(error)")])
        }
        let suite = parse(text, reader: reader, path: path)
        if let suite, reader.diagnostics.isEmpty { return suite }
        throw GradingError(diagnostics: reader.diagnostics)
    }

    static func parse(_ text: String, reader r: YAMLReader, path: FilePath) -> Suite? {
        guard let root = r.compose(text), let entries = r.mapping(root, "the suite", allowed: suiteKeys) else { return nil }
        var name = path.stem ?? "suite"
        var problems: [Problem] = []
        var sawProblems = false
        var image: String?
        for (key, _, value) in entries {
            switch key {
            case "version":
                if r.integer(value, "version") != 1 { r.error(at: value, "version must be 1 (the only version of the format)") }
            case "name": name = r.nonEmptyString(value, "name") ?? name
            case "image": image = self.image(value, r)
            case "problems":
                sawProblems = true
                guard let items = r.list(value, "problems") else { break }
                if items.isEmpty { r.error(at: value, "problems must not be empty") }
                if let cap = r.caps?.problems, items.count > cap {
                    r.error(at: value, "\(items.count) problems, above the cap of \(cap) problems per suite")
                    break
                }
                var ids: Set<String> = []
                var testCount = 0
                for item in items {
                    guard let p = problem(item, r) else { continue }
                    if !ids.insert(p.id).inserted { r.error(at: item, "duplicate problem id '\(p.id)'") }
                    if let cap = r.caps?.tests, testCount <= cap, testCount + p.tests.count > cap {
                        r.error(
                            at: item,
                            "problem '\(p.id)' brings the suite to \(testCount + p.tests.count) tests, above the cap of \(cap) tests per suite"
                        )
                    }
                    testCount += p.tests.count
                    problems.append(p)
                }
            default: break
            }
        }
        if !sawProblems { r.error(at: root, "missing key 'problems' (a list of problems)") }
        // The suite's image is every problem's that names none.
        for i in problems.indices {
            if problems[i].image == nil { problems[i].image = image }
            if problems[i].image == hostImage { problems[i].image = nil }
        }
        return Suite(path: path, name: name, problems: problems)
    }

    /// `image: NAME`: an image of the reader's store, or `host` (the host's system folders:
    /// a problem's way out of the suite's image). The message names the image, never the
    /// store's host folder (an uploaded suite's errors go back to its sender).
    static func image(_ node: Node, _ r: YAMLReader) -> String? {
        guard let name = r.nonEmptyString(node, "image") else { return nil }
        if name == hostImage { return name }
        guard ImageStoreFolder.isValidName(name) else {
            r.error(at: node, "image '\(name.prefix(64))' is not an image name (letters, digits, '.', '_', '-')")
            return nil
        }
        guard (try? r.images.manifest(named: name)) != nil else {
            r.error(at: node, "unknown image '\(name)': not in the image store (proctor image ls lists it)")
            return nil
        }
        return name
    }

    static func problem(_ node: Node, _ r: YAMLReader) -> Problem? {
        guard let entries = r.mapping(node, "a problem", allowed: problemKeys) else { return nil }
        var id: String?
        var title: String?
        var kind = TestKind.stdio
        var limits = TestLimits()
        var comparison: Comparison = .builtin(.tokens(TokenFlags()))
        var compareNode: Node?
        var checkerNode: Node?
        var interactor: JudgeProgram?
        var files: [ExtraFile] = []
        var testNodes: [Node] = []
        var groups: [TestGroup] = []
        var testsNode: Node?
        var unitNode: Node?
        var image: String?
        var executable: String?
        for (key, _, value) in entries {
            switch key {
            case "id":
                id = r.nonEmptyString(value, "id")
                if let s = id, s.contains(where: { $0 == "/" || $0.isWhitespace }) {
                    r.error(at: value, "id must have no spaces or slashes: '\(s)'")
                }
            case "title": title = r.string(value, "title")
            case "kind": kind = r.choice(value, "kind", TestKind.self) ?? kind
            case "limits": limits = self.limits(value, r)
            case "compare":
                compareNode = value
                comparison = .builtin(compare(value, r))
            case "checker":
                checkerNode = value
                if let p = program(value, "checker", r) { comparison = .checker(p) }
            case "interactor": interactor = program(value, "interactor", r)
            case "files": files = extraFiles(value, r)
            case "tests":
                testsNode = value
                testNodes = r.list(value, "tests") ?? []
            case "groups":
                for item in r.list(value, "groups") ?? [] { if let g = group(item, r) { groups.append(g) } }
            case "unit": unitNode = value
            case "image": image = self.image(value, r)
            case "executable": executable = self.executable(value, r)
            default: break
            }
        }
        guard let id else {
            r.error(at: node, "missing key 'id' (the problem's name in reports)")
            return nil
        }
        if let compareNode, checkerNode != nil {
            r.error(at: compareNode, "a problem has 'compare' or 'checker', not both")
        }
        if kind == .interactive && interactor == nil { r.error(at: node, "an interactive problem needs 'interactor'") }
        if kind != .interactive, interactor != nil { r.error(at: node, "'interactor' needs kind: interactive") }
        // Each test with the node it came from (a glob's node for all the tests it made).
        var made: [(test: TestCase, node: Node)] = []
        for item in testNodes { made += self.tests(item, kind: kind, comparison: comparison, r).map { ($0, item) } }
        if kind == .unit {
            // The tests come from the framework's report; listing them is optional.
        } else if testsNode == nil {
            r.error(at: node, "missing key 'tests' in problem '\(id)'")
        } else if testsNode?.sequence?.isEmpty == true {
            r.error(at: testsNode, "tests of problem '\(id)' must not be empty")
        }
        checkNames(made, groups: groups, problem: id, at: node, r)
        if let caps = r.caps { made = capped(made, problem: limits, caps: caps, r) }
        var problem = Problem(
            id: id, title: title, kind: kind, limits: limits, comparison: comparison, interactor: interactor,
            files: files, tests: made.map(\.test), groups: groups)
        problem.image = image
        problem.executable = executable
        if kind == .unit {
            problem.unit = unitNode.flatMap { unit($0, files: files, r) }
            if unitNode == nil {
                r.error(at: node, "kind: unit needs 'unit' (at least {framework: pytest | junit5 | harness | custom})")
            }
            if !groups.isEmpty { r.error(at: node, "a unit problem scores by weights; 'groups' are not supported") }
        } else if let unitNode {
            r.error(at: unitNode, "'unit' needs kind: unit")
        }
        return problem
    }

    /// `executable:`: a file name, or a relative path of plain names (what a build made).
    static func executable(_ value: Node, _ r: YAMLReader) -> String? {
        let e = r.nonEmptyString(value, "executable")
        if let e,
            e.hasPrefix("/")
                || e.split(separator: "/", omittingEmptySubsequences: false).contains(where: {
                    $0.isEmpty || $0 == ".." || $0 == "." || !Language.isPlainFileName(String($0))
                })
        {
            r.error(
                at: value, "executable '\(e)': a file name, or a relative path of plain names (letters, digits, '_', '-', '.')")
        }
        return e
    }

    /// Test and group names: each once, and every test in a declared group when there are groups.
    static func checkNames(
        _ made: [(test: TestCase, node: Node)], groups: [TestGroup], problem id: String, at node: Node, _ r: YAMLReader
    ) {
        var names: Set<String> = []
        for (test, item) in made where !names.insert(test.name).inserted {
            r.error(at: item, "duplicate test name '\(test.name)' in problem '\(id)'")
        }
        var groupNames: Set<String> = []
        for g in groups where !groupNames.insert(g.name).inserted {
            r.error(at: node, "duplicate group '\(g.name)' in problem '\(id)'")
        }
        for (test, item) in made {
            if let g = test.group, !groupNames.contains(g) {
                let hint = YAMLReader.suggestion(for: g, among: Array(groupNames)).map { "; did you mean '\($0)'?" } ?? ""
                r.error(at: item, "test '\(test.name)' names group '\(g)', which problem '\(id)' does not declare\(hint)")
            } else if test.group == nil && !groups.isEmpty {
                r.error(at: item, "test '\(test.name)' has no group; in a problem with groups every test names one")
            }
        }
    }

    /// The defaults a test falls back to where the suite sets no limit, checked against the
    /// caps (what the suite sets was checked at its line); a derived wall time above the
    /// cap is set to the cap.
    static func capped(
        _ made: [(test: TestCase, node: Node)], problem: TestLimits, caps: SuiteCaps,
        _ r: YAMLReader
    ) -> [(test: TestCase, node: Node)] {
        var out = made
        var reported = false
        for i in out.indices {
            let set = problem.overridden(by: out[i].test.limits)
            let resolved = set.resolved
            if set.wallTime == nil && resolved.wallTime > caps.wallTime { out[i].test.limits.wallTime = caps.wallTime }
            let d = TestLimits.defaults
            let defaults = TestLimits(
                cpuTime: set.cpuTime == nil ? d.cpuTime : nil, memory: set.memory == nil ? d.memory : nil,
                output: set.output == nil ? d.output : nil, processes: set.processes == nil ? d.processes : nil)
            if !reported, let why = caps.violation(defaults, what: "the default limits") {
                r.error(at: out[i].node, "test '\(out[i].test.name)': \(why); set a smaller limit")
                reported = true
            }
        }
        return out
    }

    static func limits(_ node: Node, _ r: YAMLReader) -> TestLimits {
        var l = TestLimits()
        for (key, _, value) in r.mapping(node, "limits", allowed: limitKeys) ?? [] {
            var one = TestLimits()
            switch key {
            case "time": one.cpuTime = r.duration(value, "limits.time (CPU time)")
            case "wall_time": one.wallTime = r.duration(value, "limits.wall_time")
            case "memory": one.memory = r.size(value, "limits.memory")
            case "output": one.output = r.size(value, "limits.output")
            case "processes": one.processes = r.integer(value, "limits.processes")
            default: break
            }
            if let why = r.caps?.violation(one) { r.error(at: value, why) }
            l = l.overridden(by: one)
        }
        return l
    }

    static func compare(_ node: Node, _ r: YAMLReader) -> CompareMode {
        if node.scalar != nil {
            switch r.choice(node, "compare", Mode.self) ?? .tokens {
            case .exact: return .exact
            case .lines: return .lines
            case .tokens: return .tokens(TokenFlags())
            }
        }
        var mode = Mode.tokens
        var flags = TokenFlags()
        var flagNode: Node?
        for (key, keyNode, value) in r.mapping(node, "compare", allowed: compareKeys) ?? [] {
            if key != "mode" { flagNode = keyNode }
            switch key {
            case "mode": mode = r.choice(value, "compare.mode", Mode.self) ?? mode
            case "case_sensitive": flags.caseSensitive = r.bool(value, key) ?? false
            case "space_change_sensitive": flags.spaceChangeSensitive = r.bool(value, key) ?? false
            case "float_tolerance":
                let v = r.number(value, key) ?? -1
                flags.floatAbsoluteTolerance = v
                flags.floatRelativeTolerance = v
            case "float_absolute_tolerance": flags.floatAbsoluteTolerance = r.number(value, key) ?? -1
            case "float_relative_tolerance": flags.floatRelativeTolerance = r.number(value, key) ?? -1
            default: break
            }
        }
        switch mode {
        case .tokens: return .tokens(flags)
        case .exact, .lines:
            if let flagNode { r.error(at: flagNode, "validator flags apply to mode: tokens only") }
            return mode == .exact ? .exact : .lines
        }
    }

    static func program(_ node: Node, _ what: String, _ r: YAMLReader) -> JudgeProgram? {
        if node.scalar != nil {
            return r.existingFile(node, what).map { JudgeProgram(source: $0, language: nil, arguments: []) }
        }
        var source: RootedPath?
        var language: String?
        var arguments: [String] = []
        for (key, _, value) in r.mapping(node, what, allowed: programKeys) ?? [] {
            switch key {
            case "source": source = r.existingFile(value, "\(what).source")
            case "language": language = r.nonEmptyString(value, "\(what).language")
            case "args": arguments = r.strings(value, "\(what).args") ?? []
            default: break
            }
        }
        if source == nil, node.mapping?["source"] == nil { r.error(at: node, "missing key 'source' in \(what)") }
        return source.map { JudgeProgram(source: $0, language: language, arguments: arguments) }
    }

    static func extraFiles(_ node: Node, _ r: YAMLReader) -> [ExtraFile] {
        var out: [ExtraFile] = []
        for item in r.list(node, "files") ?? [] {
            if item.scalar != nil {
                if let p = r.existingFile(item, "a file") { out.append(ExtraFile(source: p, target: p.lastComponent!.string)) }
                continue
            }
            var source: RootedPath?
            var target: String?
            for (key, _, value) in r.mapping(item, "a file", allowed: fileKeys) ?? [] {
                if key == "source" { source = r.existingFile(value, "files.source") }
                if key == "target" {
                    target = r.nonEmptyString(value, "files.target")
                    if let t = target, t.hasPrefix("/") || t.split(separator: "/").contains("..") {
                        r.error(at: value, "files.target must be a relative path inside the workdir, not '\(t)'")
                    }
                }
            }
            if let source { out.append(ExtraFile(source: source, target: target ?? source.lastComponent!.string)) }
        }
        return out
    }

    static func group(_ node: Node, _ r: YAMLReader) -> TestGroup? {
        var name: String?
        var points: Double?
        var aggregation = Aggregation.sum
        for (key, _, value) in r.mapping(node, "a group", allowed: groupKeys) ?? [] {
            switch key {
            case "name": name = r.nonEmptyString(value, "group name")
            case "points": points = r.number(value, "points")
            case "aggregation": aggregation = r.choice(value, "aggregation", Aggregation.self) ?? .sum
            default: break
            }
        }
        guard let name else {
            r.error(at: node, "missing key 'name' in a group")
            return nil
        }
        guard let points else {
            r.error(at: node, "missing key 'points' in group '\(name)'")
            return nil
        }
        return TestGroup(name: name, points: points, aggregation: aggregation)
    }

    /// One test, or the tests a glob names.
    static func tests(_ node: Node, kind: TestKind, comparison: Comparison, _ r: YAMLReader) -> [TestCase] {
        guard let entries = r.mapping(node, "a test", allowed: testKeys) else { return [] }
        var test = TestCase(name: "", input: nil, answer: nil, command: nil, limits: TestLimits(), files: [], group: nil)
        var glob: String?
        var globNode: Node?
        for (key, _, value) in entries {
            switch key {
            case "name": test.name = r.nonEmptyString(value, "test name") ?? ""
            case "input": test.input = r.string(value, "input").map { .inline(Array($0.utf8)) }
            case "answer": test.answer = r.string(value, "answer").map { .inline(Array($0.utf8)) }
            case "input_file": test.input = r.existingFile(value, "input_file").map { .file($0) }
            case "answer_file": test.answer = r.existingFile(value, "answer_file").map { .file($0) }
            case "command":
                if value.scalar != nil {
                    test.command = r.nonEmptyString(value, "command").map { ["/bin/sh", "-c", $0] }
                } else {
                    test.command = r.strings(value, "command")
                    if test.command?.isEmpty == true { r.error(at: value, "command must not be empty") }
                }
            case "limits": test.limits = limits(value, r)
            case "files": test.files = extraFiles(value, r)
            case "group": test.group = r.nonEmptyString(value, "group")
            case "weight": test.weight = r.number(value, "weight")
            case "visibility": test.visibility = r.choice(value, "visibility", Visibility.self)
            case "number": test.number = r.string(value, "number")
            case "glob":
                glob = r.nonEmptyString(value, "glob")
                globNode = value
            default: break
            }
        }
        if let glob, let globNode {
            for key in ["name", "input", "answer", "input_file", "answer_file"] where node.mapping?[key] != nil {
                r.error(at: node, "a glob test names its files itself; remove '\(key)'")
            }
            return expand(glob, template: test, at: globNode, r)
        }
        if test.name.isEmpty {
            r.error(at: node, "missing key 'name' in a test (or 'glob' for files)")
            return []
        }
        check(test, kind: kind, comparison: comparison, at: node, r)
        return [test]
    }

    static func check(_ test: TestCase, kind: TestKind, comparison: Comparison, at node: Node, _ r: YAMLReader) {
        switch kind {
        case .stdio:
            if test.command != nil { r.error(at: node, "test '\(test.name)': 'command' needs kind: command") }
            // An answer_file that was refused has its own error already.
            if test.answer == nil, node.mapping?["answer_file"] == nil, case .builtin = comparison {
                r.error(at: node, "test '\(test.name)' needs 'answer' or 'answer_file' (what the output is compared with)")
            }
        case .command:
            if test.command == nil { r.error(at: node, "test '\(test.name)' needs 'command' (kind: command)") }
        case .interactive:
            if test.command != nil { r.error(at: node, "test '\(test.name)': 'command' needs kind: command") }
        case .unit:
            for key in ["input", "answer", "input_file", "answer_file", "command", "limits", "files"]
            where node.mapping?[key] != nil {
                r.error(at: node, "test '\(test.name)': a unit test is named by the framework's report; '\(key)' does not apply")
            }
        }
        if kind != .unit {
            for key in ["weight", "visibility", "number"] where node.mapping?[key] != nil {
                r.error(at: node, "test '\(test.name)': '\(key)' applies to kind: unit (use groups with points)")
            }
        }
    }

    /// `glob: data/*.in`: one test per input, its answer the file with .ans (or .out) instead.
    /// Matched beneath the suite's folder only (`ConfinedRoot.glob`).
    static func expand(_ pattern: String, template: TestCase, at node: Node, _ r: YAMLReader) -> [TestCase] {
        let inputs: [RootedPath]
        do {
            inputs = try r.root.glob(pattern)
        } catch {
            r.error(at: node, "glob '\(pattern)': \(error)")
            return []
        }
        guard !inputs.isEmpty else {
            r.error(at: node, "glob '\(pattern)' matches no file (looked in \(r.root))")
            return []
        }
        var out: [TestCase] = []
        for input in inputs {
            guard let stem = input.relative.stem else { continue }
            let folder = input.relative.removingLastComponent()
            var test = template
            test.name = stem
            test.input = .file(input)
            do {
                let candidates = ["ans", "out"].map { folder.appending("\(stem).\($0)").string }
                guard let answer = try candidates.first(where: { try r.root.kind($0) == .file }) else {
                    r.error(at: node, "no answer for \(input.lastComponent!) (looked for \(stem).ans and \(stem).out)")
                    continue
                }
                let answerFile = try r.root.file(answer)
                guard r.checkSize(input, at: node, "glob '\(pattern)'"), r.checkSize(answerFile, at: node, "glob '\(pattern)'")
                else {
                    continue
                }
                test.answer = .file(answerFile)
            } catch {
                r.error(at: node, "glob '\(pattern)': \(error)")
                continue
            }
            out.append(test)
        }
        return out
    }
}
