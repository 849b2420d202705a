import CLibXML2
import Foundation
import Grading
import Sandbox

/// JUnit XML through libxml2's xmlTextWriter (which escapes text and attributes); it
/// validates against the Jenkins xUnit schema whatever the programs printed, since every
/// string is first made XML-safe (see `XMLSafe`).
///
/// One testsuite per problem and submission; one testcase per test, `classname` being
/// "problem.submission" and `name` the test, unique together; failure (WA TLE MLE OLE RTE
/// CE) or error (JE) with the verdict as `type`; skipped for SKIP.
public enum JUnitReport {
    public static func render(_ run: RunResult) throws -> [UInt8] {
        let w = try XMLWriter()
        try w.startDocument()
        try w.start("testsuites")
        try w.attribute("name", "proctor")
        try w.attribute("tests", String(run.results.reduce(0) { $0 + $1.tests.count }))
        try w.attribute("failures", String(run.results.reduce(0) { $0 + $1.tests.filter { isFailure($0.verdict) }.count }))
        try w.attribute("errors", String(run.results.reduce(0) { $0 + $1.tests.filter { $0.verdict == .judgeError }.count }))
        try w.attribute("time", Figures.seconds(run.duration))
        for r in run.results { try suite(r, run, w) }
        try w.end()
        return try w.finish()
    }

    static func isFailure(_ v: Verdict) -> Bool {
        v != .accepted && v != .judgeError && v != .skipped
    }

    private static func suite(_ r: ProblemResult, _ run: RunResult, _ w: XMLWriter) throws {
        try w.start("testsuite")
        try w.attribute("name", "\(r.problem) / \(r.submission)")
        try w.attribute("tests", String(r.tests.count))
        try w.attribute("failures", String(r.tests.filter { isFailure($0.verdict) }.count))
        try w.attribute("errors", String(r.tests.filter { $0.verdict == .judgeError }.count))
        try w.attribute("skipped", String(r.tests.filter { $0.verdict == .skipped }.count))
        try w.attribute("time", Figures.seconds(r.time))
        try w.attribute("timestamp", Figures.iso8601(run.started))
        try w.attribute("hostname", run.hostname)
        try w.attribute("package", r.suite)
        try w.start("properties")
        var properties: [(String, String)] = [
            ("verdict", r.verdict.rawValue), ("score", Figures.points(r.score)), ("max_score", Figures.points(r.maxScore)),
            ("language", r.language), ("submission", r.submissionPath),
            ("limit.cpu_time", Figures.seconds(r.limits.cpuTime.seconds)),
            ("limit.wall_time", Figures.seconds(r.limits.wallTime.seconds)),
            ("limit.memory", String(r.limits.memory)), ("limit.output", String(r.limits.output)),
            ("limit.processes", String(r.limits.processes)),
        ]
        for g in r.groups {
            properties.append(
                ("group.\(g.name).score", "\(Figures.points(g.score))/\(Figures.points(g.points)) (\(g.aggregation.rawValue))"))
        }
        // Unit tests' weights and visibility (the schema allows no properties in a testcase).
        for t in r.tests {
            if let weight = t.weight { properties.append(("test.\(t.name).weight", Figures.points(weight))) }
            if let visibility = t.visibility { properties.append(("test.\(t.name).visibility", visibility.rawValue)) }
            if let number = t.number { properties.append(("test.\(t.name).number", number)) }
        }
        for (name, value) in properties {
            try w.start("property")
            try w.attribute("name", name)
            try w.attribute("value", value)
            try w.end()
        }
        try w.end()
        for t in r.tests { try testcase(t, r, w) }
        if let compile = r.compileMessage {
            try w.element("system-err", compile)
        }
        try w.end()
    }

    private static func testcase(_ t: TestResult, _ r: ProblemResult, _ w: XMLWriter) throws {
        try w.start("testcase")
        try w.attribute("classname", "\(r.problem).\(r.submission)")
        try w.attribute("name", t.name)
        try w.attribute("time", Figures.seconds(t.wallTime))
        if let group = t.group { try w.attribute("group", group) }
        switch t.verdict {
        case .accepted: break
        case .skipped:
            try w.start("skipped")
            try w.attribute("message", t.message)
            try w.end()
        default:
            try w.start(t.verdict == .judgeError ? "error" : "failure")
            try w.attribute("type", t.verdict.rawValue)
            try w.attribute("message", shortMessage(t))
            try w.text(details(t, r))
            try w.end()
        }
        if !t.stdoutExcerpt.isEmpty { try w.element("system-out", t.stdoutExcerpt) }
        if !t.stderrExcerpt.isEmpty { try w.element("system-err", t.stderrExcerpt) }
        try w.end()
    }

    static func shortMessage(_ t: TestResult) -> String {
        if let d = t.difference {
            return "\(t.verdict.rawValue): line \(d.line), column \(d.column): expected \(d.expected), got \(d.got)"
        }
        let first = t.headline
        return "\(t.verdict.rawValue) (\(t.verdict.meaning))" + (first.isEmpty ? "" : ": " + first)
    }

    static func details(_ t: TestResult, _ r: ProblemResult) -> String {
        var lines: [String] = []
        if t.verdict == .compileError, let m = r.compileMessage {
            lines.append(m)
        } else if !t.message.isEmpty {
            lines.append(t.message)
        }
        if let d = t.difference {
            lines.append("first difference at line \(d.line), column \(d.column)")
            lines.append("expected: \(d.expected)")
            lines.append("got:      \(d.got)")
        }
        if let j = t.judgeMessage, !j.isEmpty, j != t.message { lines.append("judge message: \(j)") }
        lines.append(String(format: "cpu %.3fs, wall %.3fs, memory %@", t.cpuTime, t.wallTime, Figures.bytes(t.memoryPeak)))
        return lines.joined(separator: "\n")
    }
}

/// Strings made fit for XML 1.0 or a terminal: characters XML forbids (controls but tab,
/// newline and carriage return; U+FFFE, U+FFFF) become visible \xNN escapes; for a
/// terminal, carriage return and DEL too (nothing may move the cursor or start an escape).
enum XMLSafe {
    static func clean(_ s: String, terminal: Bool = false) -> String {
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            let v = u.value
            let allowed = terminal ? (v >= 0x20 && v != 0x7F && !(0x80...0x9F).contains(v)) : v >= 0x20
            if v == 0x09 || v == 0x0A || (v == 0x0D && !terminal) || (allowed && v != 0xFFFE && v != 0xFFFF) {
                out.append(u)
            } else {
                out.append(contentsOf: String(format: "\\x%02x", v).unicodeScalars)
            }
        }
        return String(out)
    }
}

/// A thin, throwing wrapper of xmlTextWriter writing UTF-8 into a memory buffer.
final class XMLWriter {
    private let buffer: xmlBufferPtr
    private let writer: xmlTextWriterPtr

    init() throws {
        guard let b = xmlBufferCreate() else { throw ReportError("xmlBufferCreate failed") }
        guard let w = xmlNewTextWriterMemory(b, 0) else {
            xmlBufferFree(b)
            throw ReportError("xmlNewTextWriterMemory failed")
        }
        buffer = b
        writer = w
        xmlTextWriterSetIndent(w, 1)
        xmlTextWriterSetIndentString(w, "  ")
    }

    deinit {
        xmlFreeTextWriter(writer)
        xmlBufferFree(buffer)
    }

    private func check(_ rc: Int32, _ what: String) throws {
        if rc < 0 { throw ReportError("libxml2: \(what) failed") }
    }

    func startDocument() throws { try check(xmlTextWriterStartDocument(writer, nil, "UTF-8", nil), "start document") }
    func start(_ name: String) throws { try check(xmlTextWriterStartElement(writer, name), "start \(name)") }
    func end() throws { try check(xmlTextWriterEndElement(writer), "end element") }
    func attribute(_ name: String, _ value: String) throws {
        try check(xmlTextWriterWriteAttribute(writer, name, XMLSafe.clean(value)), "attribute \(name)")
    }
    func text(_ value: String) throws { try check(xmlTextWriterWriteString(writer, XMLSafe.clean(value)), "text") }
    func element(_ name: String, _ value: String) throws {
        try start(name)
        try text(value)
        try end()
    }

    /// Ends the document and returns its bytes.
    func finish() throws -> [UInt8] {
        try check(xmlTextWriterEndDocument(writer), "end document")
        try check(xmlTextWriterFlush(writer), "flush")
        guard let content = xmlBufferContent(buffer) else { return [] }
        return Array(UnsafeBufferPointer(start: content, count: Int(xmlBufferLength(buffer))))
    }
}
