import Foundation
import Grading

/// The table printed at the end of `proctor run`, and the progress line while it runs.
/// Colour only when asked (the CLI asks when stdout is a terminal).
public struct TerminalSummary: Sendable {
    public var colour: Bool

    public init(colour: Bool) {
        self.colour = colour
    }

    func paint(_ v: Verdict, _ text: String? = nil) -> String {
        let s = text ?? v.rawValue
        guard colour else { return s }
        let code: String
        switch v {
        case .accepted: code = "32"
        case .wrongAnswer, .runtimeError, .compileError: code = "31"
        case .timeLimit, .memoryLimit, .outputLimit: code = "33"
        case .judgeError: code = "35"
        case .skipped: code = "90"
        }
        return "\u{1B}[\(code)m\(s)\u{1B}[0m"
    }

    static func pad(_ s: String, _ n: Int) -> String {
        s.count >= n ? s : s + String(repeating: " ", count: n - s.count)
    }

    public func progressLine(_ p: GradingProgress) -> String {
        "[\(p.done)/\(p.total)] \(c(p.problem)) · \(c(p.submission)) · \(c(p.test)): \(paint(p.verdict))"
    }

    /// Untrusted text, safe to print.
    private func c(_ s: String) -> String { XMLSafe.clean(s, terminal: true) }

    public func render(_ run: RunResult) -> String {
        // Names and messages come from suites and programs: no control character reaches the terminal.
        render(lines: run).joined(separator: "\n")
    }

    private func render(lines run: RunResult) -> [String] {
        var lines: [String] = []
        let rows = run.results.map { r in
            [
                c(r.problem), c(r.submission), c(r.language), r.verdict.rawValue,
                "\(Figures.points(r.score))/\(Figures.points(r.maxScore))",
                "\(r.passed)/\(r.tests.count)", String(format: "%.2fs", r.maxCPUTime),
            ]
        }
        let header = ["PROBLEM", "SUBMISSION", "LANGUAGE", "VERDICT", "SCORE", "PASSED", "MAX CPU"]
        let widths = header.indices.map { i in ([header[i]] + rows.map { $0[i] }).map(\.count).max()! }
        lines.append(header.indices.map { Self.pad(header[$0], widths[$0]) }.joined(separator: "  "))
        for (row, r) in zip(rows, run.results) {
            lines.append(
                row.indices.map { i in
                    let cell = Self.pad(row[i], widths[i])
                    return i == 3 ? paint(r.verdict, cell) : cell
                }.joined(separator: "  "))
        }
        for r in run.results where r.verdict != .accepted {
            lines.append("")
            lines.append("\(c(r.problem)) · \(c(r.submission)): \(paint(r.verdict)) (\(r.verdict.meaning))")
            if let m = r.compileMessage {
                lines += c(m).split(separator: "\n", omittingEmptySubsequences: false).prefix(12).map { "  | " + $0 }
                continue
            }
            for t in r.tests where t.verdict != .accepted && t.verdict != .skipped {
                let first = c(t.headline)
                lines.append("  \(c(t.name)): \(paint(t.verdict))" + (first.isEmpty ? "" : " — " + first))
                if let d = t.difference {
                    lines.append("    first difference at line \(d.line), column \(d.column)")
                    lines.append("      expected: \(c(d.expected))")
                    lines.append("      got:      \(c(d.got))")
                }
            }
            let skipped = r.tests.filter { $0.verdict == .skipped }.count
            if skipped > 0 { lines.append("  (\(skipped) tests skipped by --fail-fast)") }
        }
        let tests = run.results.flatMap(\.tests)
        lines.append("")
        lines.append(
            "\(tests.filter { $0.verdict == .accepted }.count) of \(tests.count) tests accepted in "
                + String(format: "%.2fs", run.duration) + "; "
                + (run.allAccepted ? paint(.accepted, "all accepted") : paint(.wrongAnswer, "not all accepted")))
        return lines
    }
}
