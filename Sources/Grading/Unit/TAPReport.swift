extension UnitReport {
    /// TAP (version 12, 13 or 14): the top-level `ok N - name` and `not ok N - name` lines
    /// (indented lines are subtests or diagnostics), `# SKIP` and `# TODO` directives, and of
    /// a failure's YAML block the `message:` or `error:` line and `duration_ms:`. `Bail out!`
    /// ends the report. Read line by line: a truncated report keeps the tests it has.
    public static func readTAP(_ bytes: [UInt8]) -> UnitReport {
        var report = UnitReport()
        var last: Int?
        var blockMessage = false
        var seen: [String: Int] = [:]
        for raw in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            let line = String(decoding: raw, as: UTF8.self).replacingOccurrences(of: "\r", with: "")
            if line.hasPrefix("Bail out!") {
                report.notes.append(clip(line, 500))
                break
            }
            if line.hasPrefix("1..") {
                report.ended = true
                continue
            }
            if line.hasPrefix("  "), let i = last {
                // The failure's YAML block: the first message and the duration.
                let field = line.trimmingCharacters(in: .whitespaces)
                if blockMessage, !field.isEmpty {
                    // The first line of a block scalar (`error: |-`).
                    report.cases[i].message = clip(field, 4000)
                    blockMessage = false
                    continue
                }
                for key in ["message:", "error:"] where field.hasPrefix(key) && report.cases[i].message.isEmpty {
                    let value = unquoted(String(field.dropFirst(key.count)))
                    if ["|", "|-", ">", ">-"].contains(value) {
                        blockMessage = true
                    } else {
                        report.cases[i].message = clip(value, 4000)
                    }
                }
                if field.hasPrefix("duration_ms:"),
                    let ms = Double(field.dropFirst("duration_ms:".count).trimmingCharacters(in: .whitespaces))
                {
                    report.cases[i].time = ms / 1000
                }
                continue
            }
            blockMessage = false
            let failed = line.hasPrefix("not ok")
            guard failed || line.hasPrefix("ok") else { continue }
            var rest = Substring(line.dropFirst(failed ? 6 : 2)).drop { $0 == " " }
            rest = rest.drop { $0.isNumber }.drop { $0 == " " }
            if rest.hasPrefix("-") { rest = rest.dropFirst().drop { $0 == " " } }
            var name = String(rest)
            var directive = ""
            if let hash = name.range(of: " # ") ?? (name.hasPrefix("# ") ? name.range(of: "# ") : nil) {
                directive = String(name[hash.upperBound...]).uppercased()
                name = String(name[..<hash.lowerBound])
            }
            name = clip(name.trimmingCharacters(in: .whitespaces), 300)
            if name.isEmpty { name = "test \(report.cases.count + 1)" }
            seen[name, default: 0] += 1
            if seen[name]! > 1 { name += " (\(seen[name]!))" }
            let status: UnitCase.Status =
                directive.hasPrefix("SKIP") || directive.hasPrefix("TODO") ? .skipped : failed ? .failed : .passed
            report.cases.append(UnitCase(name: name, status: status))
            last = report.cases.count - 1
        }
        return report
    }

    private static func unquoted(_ s: String) -> String {
        let t = s.trimmingCharacters(in: .whitespaces)
        guard t.count >= 2, let f = t.first, f == "'" || f == "\"", t.last == f else { return t }
        return String(t.dropFirst().dropLast())
    }
}
