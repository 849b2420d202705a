import SystemPackage
import Yams

extension SuiteLoader {
    static let unitKeys = [
        "framework", "build", "command", "args", "report", "report_file", "count_unlisted", "weight", "visibility",
    ]
    enum UnitFramework: String, CaseIterable { case pytest, junit5, harness, custom }

    /// A problem's `unit:` mapping. The framework's test files are the problem's `files`
    /// that look like tests (pytest: `test_*.py`, `*_test.py`; JUnit 5: `*Test.java`,
    /// `*Tests.java`): only those are run, so test files a submission brings are not.
    static func unit(_ node: Node, files: [ExtraFile], _ r: YAMLReader) -> UnitSetup? {
        guard let entries = r.mapping(node, "unit", allowed: unitKeys) else { return nil }
        var framework: UnitFramework?
        var build: [String]?
        var command: [String]?
        var args: [String] = []
        var report: UnitReportFormat?
        var reportFile: String?
        var countUnlisted = false
        var weight: Double?
        var visibility: Visibility?
        func argv(_ value: Node, _ what: String) -> [String]? {
            if value.scalar != nil { return r.nonEmptyString(value, what).map { ["/bin/sh", "-c", $0] } }
            let list = r.strings(value, what)
            if list?.isEmpty == true { r.error(at: value, "\(what) must not be empty") }
            return list
        }
        for (key, _, value) in entries {
            switch key {
            case "framework": framework = r.choice(value, "unit.framework", UnitFramework.self)
            case "build": build = argv(value, "unit.build")
            case "command": command = argv(value, "unit.command")
            case "args": args = r.strings(value, "unit.args") ?? []
            case "report": report = r.choice(value, "unit.report", UnitReportFormat.self)
            case "report_file":
                reportFile = r.nonEmptyString(value, "unit.report_file")
                if let f = reportFile, f.contains("/") || f == ".." {
                    r.error(at: value, "unit.report_file is a file name in the report folder, not '\(f)'")
                }
            case "count_unlisted": countUnlisted = r.bool(value, "unit.count_unlisted") ?? false
            case "weight": weight = r.number(value, "unit.weight")
            case "visibility": visibility = r.choice(value, "unit.visibility", Visibility.self)
            default: break
            }
        }
        guard let framework else {
            if node.mapping?["framework"] == nil {
                r.error(at: node, "missing key 'framework' in unit (pytest, junit5, harness, custom)")
            }
            return nil
        }
        let targets = files.map(\.target)
        func named(_ suffixes: [String], prefix: String? = nil) -> [String] {
            targets.filter { t in
                let name = FilePath(t).lastComponent?.string ?? t
                return suffixes.contains { name.hasSuffix($0) }
                    || (prefix.map { name.hasPrefix($0) && name.hasSuffix(".py") } ?? false)
            }
        }
        var setup: UnitSetup
        switch framework {
        case .pytest:
            let tests = named(["_test.py"], prefix: "test_")
            if tests.isEmpty && args.isEmpty {
                r.error(
                    at: node,
                    "framework pytest: no test file among the problem's files (test_*.py or *_test.py), and no unit.args")
            }
            setup = UnitSetup.preset("pytest", tests: tests)!
        case .junit5:
            setup = UnitSetup.preset("junit5", tests: [])!
            let classes = named(["Test.java", "Tests.java"]).map { FilePath($0).stem ?? $0 }
            if let i = setup.command.firstIndex(of: "--scan-classpath"), !classes.isEmpty {
                setup.command.replaceSubrange(i...i, with: classes.flatMap { ["--select-class", $0] })
            }
        case .harness:
            setup = UnitSetup.preset("harness", tests: [])!
            if command == nil { r.error(at: node, "framework harness needs unit.command (the harness, given {dir})") }
        case .custom:
            setup = UnitSetup(framework: "custom", command: [], report: .junit, reportFile: "report.xml")
            if command == nil { r.error(at: node, "framework custom needs unit.command") }
            if report == nil { r.error(at: node, "framework custom needs unit.report (json, junit or tap)") }
        }
        if let build { setup.build = build }
        if let command { setup.command = command }
        setup.command += args
        if let report { setup.report = report }
        if let reportFile { setup.reportFile = reportFile }
        setup.countUnlisted = countUnlisted
        if let weight { setup.defaultWeight = weight }
        setup.defaultVisibility = visibility
        return setup
    }
}
