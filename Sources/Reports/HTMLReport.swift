import Foundation
import Grading

/// One self-contained HTML page (no script, no external file): a summary table, then per
/// problem and submission a row per test with the first difference of a WA.
public enum HTMLReport {
    public static func render(_ run: RunResult) -> [UInt8] {
        var h = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Proctor report</title>
            <style>
            body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
            table{border-collapse:collapse;margin:0.5em 0 1.5em}
            td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
            th{background:#f4f4f4}
            .v{font-weight:bold;font-family:monospace}
            .AC{color:#176f2c}.WA,.RTE,.CE{color:#b00020}.TLE,.MLE,.OLE{color:#a85d00}.JE{color:#6a1b9a}.SKIP{color:#777}
            pre{margin:0;white-space:pre-wrap;font-size:12px;max-width:60em}
            .num{text-align:right;font-variant-numeric:tabular-nums}
            </style></head><body>
            <h1>Proctor report</h1>

            """
        h += "<p>\(e(Figures.iso8601(run.started))) on \(e(run.hostname)), proctor \(e(run.proctorVersion)), "
        h += "\(Figures.seconds(run.duration)) s. "
        h +=
            run.allAccepted
            ? "<span class=\"v AC\">All accepted.</span></p>\n" : "<span class=\"v WA\">Not all accepted.</span></p>\n"
        h +=
            "<h2>Summary</h2>\n<table><tr><th>Problem</th><th>Submission</th><th>Language</th><th>Verdict</th><th>Score</th><th>Passed</th></tr>\n"
        for (i, r) in run.results.enumerated() {
            h += "<tr><td><a href=\"#r\(i)\">\(e(r.problem))</a></td><td>\(e(r.submission))</td><td>\(e(r.language))</td>"
            h += "<td class=\"v \(r.verdict.rawValue)\">\(r.verdict.rawValue)</td>"
            h += "<td class=\"num\">\(Figures.points(r.score)) / \(Figures.points(r.maxScore))</td>"
            h += "<td class=\"num\">\(r.passed) / \(r.tests.count)</td></tr>\n"
        }
        h += "</table>\n"
        for (i, r) in run.results.enumerated() {
            h += "<h2 id=\"r\(i)\">\(e(r.problem))\(r.title.map { " — " + e($0) } ?? "") · \(e(r.submission))</h2>\n"
            if let m = r.compileMessage { h += "<p>Compiler output:</p><pre>\(e(m))</pre>\n" }
            if !r.groups.isEmpty {
                h +=
                    "<p>Groups: "
                    + r.groups.map {
                        "\(e($0.name)) \(Figures.points($0.score))/\(Figures.points($0.points)) (\($0.aggregation.rawValue))"
                    }.joined(separator: ", ") + "</p>\n"
            }
            h += "<table><tr><th>Test</th><th>Verdict</th><th>CPU s</th><th>Wall s</th><th>Memory</th><th>Details</th></tr>\n"
            for t in r.tests {
                h += "<tr><td>\(e(t.name))\(t.group.map { " <small>(\(e($0)))</small>" } ?? "")</td>"
                h += "<td class=\"v \(t.verdict.rawValue)\">\(t.verdict.rawValue)</td>"
                h += "<td class=\"num\">\(Figures.seconds(t.cpuTime))</td><td class=\"num\">\(Figures.seconds(t.wallTime))</td>"
                h += "<td class=\"num\">\(Figures.bytes(t.memoryPeak))</td><td>"
                if let d = t.difference {
                    h += "<pre>line \(d.line), column \(d.column)\nexpected: \(e(d.expected))\ngot:      \(e(d.got))</pre>"
                } else if !t.message.isEmpty, t.verdict != .accepted {
                    h += "<pre>\(e(t.message))</pre>"
                }
                if let j = t.judgeMessage, !j.isEmpty, t.verdict == .accepted { h += "<pre>\(e(j))</pre>" }
                h += "</td></tr>\n"
            }
            h += "</table>\n"
        }
        h += "</body></html>\n"
        return Array(h.utf8)
    }

    static func e(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
