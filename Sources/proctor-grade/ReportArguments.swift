import ArgumentParser
import Grading
import Reports

/// The four reports of a run (`--json`, `--junit`, `--html`, `--gradescope`), declared once
/// for `proctor run` and `proctor merge`, which writes the same reports from a run's shards.
struct ReportArguments: ParsableArguments {
    @Option(help: ArgumentHelp("Write a JSON report here (schema proctor.report/1).", valueName: "path"))
    var json: String?

    @Option(help: ArgumentHelp("Write a JUnit XML report here.", valueName: "path"))
    var junit: String?

    @Option(help: ArgumentHelp("Write a self-contained HTML report here.", valueName: "path"))
    var html: String?

    @Option(help: ArgumentHelp("Write Gradescope's autograder results.json here.", valueName: "path"))
    var gradescope: String?

    /// The flags given that only a run's reports have (merge refuses them for verify and eval).
    var runOnlyFlag: String? {
        [("--junit", junit), ("--html", html), ("--gradescope", gradescope)].first(where: { $0.1 != nil })?.0
    }

    /// Each asked-for report with what renders it; `json` is the run's JSON as the caller makes it
    /// (a shard's partial report, or a merged one).
    func reports(_ run: RunResult, json render: @escaping () throws -> [UInt8]) -> [(String?, () throws -> [UInt8])] {
        [
            (json, render), (junit, { try JUnitReport.render(run) }), (html, { HTMLReport.render(run) }),
            (gradescope, { try GradescopeReport.render(run) }),
        ]
    }
}
