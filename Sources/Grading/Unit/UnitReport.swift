import CLibXML2
import Foundation

/// One unit test as a framework reported it.
public struct UnitCase: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        case passed, failed, error, skipped
    }

    /// The test's name (pytest: the node id past the file, `TestX::test_y[1]`; JUnit: `name`).
    public var name: String
    /// pytest: the file; JUnit: `classname`.
    public var classname: String?
    public var status: Status
    public var time: Double
    public var message: String
    public var weight: Double?
    public var visibility: Visibility?
    public var number: String?

    public init(
        name: String, classname: String? = nil, status: Status, time: Double = 0, message: String = "",
        weight: Double? = nil, visibility: Visibility? = nil, number: String? = nil
    ) {
        self.name = name
        self.classname = classname
        self.status = status
        self.time = time
        self.message = message
        self.weight = weight
        self.visibility = visibility
        self.number = number
    }
}

/// What a report said: the finished tests, the test that had started and not finished (a
/// run ended by a limit), errors outside any test (collection), and whether the framework
/// said it reached its end.
public struct UnitReport: Sendable {
    public var cases: [UnitCase] = []
    public var unfinished: String?
    public var notes: [String] = []
    public var ended = false
    /// Lines left out: without the run's token, or not JSON.
    public var ignoredLines = 0

    public init() {}

    /// Proctor's JSON lines protocol, one object per line:
    ///
    ///     {"token": T, "test": NAME, "status": "passed|failed|error|skipped", "time": S,
    ///      "message": M, "weight": W, "visibility": V, "number": N, "class": C}
    ///     {"token": T, "event": "start", "test": NAME}
    ///     {"token": T, "event": "note", "message": M}      (a collection error, ...)
    ///     {"token": T, "event": "end"}
    ///
    /// A line whose `token` is not the run's is ignored (counted), and so is a line that is
    /// not an object; a test reported twice keeps its first result.
    public static func readJSONLines(_ bytes: [UInt8], token: String) -> UnitReport {
        var report = UnitReport()
        var seen: Set<String> = []
        for line in bytes.split(separator: 0x0A) where !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                object["token"] as? String == token
            else {
                report.ignoredLines += 1
                continue
            }
            let name = (object["test"] as? String).map { clip($0, 300) }
            switch object["event"] as? String {
            case "start"?:
                report.unfinished = name
            case "note"?:
                if let m = object["message"] as? String, report.notes.count < 20 { report.notes.append(clip(m, 2000)) }
            case "end"?:
                report.ended = true
            case nil:
                guard let name, let status = (object["status"] as? String).flatMap(UnitCase.Status.init(rawValue:)) else {
                    report.ignoredLines += 1
                    continue
                }
                if report.unfinished == name { report.unfinished = nil }
                guard seen.insert(name).inserted else { continue }
                report.cases.append(
                    UnitCase(
                        name: name, classname: object["class"] as? String, status: status,
                        time: (object["time"] as? NSNumber)?.doubleValue ?? 0,
                        message: clip(object["message"] as? String ?? "", 4000),
                        weight: (object["weight"] as? NSNumber)?.doubleValue.nonNegativeFinite,
                        visibility: (object["visibility"] as? String).flatMap(Visibility.init(rawValue:)),
                        number: (object["number"] as? String) ?? (object["number"] as? NSNumber)?.stringValue))
            default:
                report.ignoredLines += 1
            }
        }
        return report
    }

    /// JUnit XML, parsed with libxml2 (no network, no entity expansion): every `testcase`
    /// wherever it is nested; `failure` is failed, `error` error, `skipped` skipped. Properties
    /// of a testcase named weight, visibility and number (pytest's `record_property`, xunit1)
    /// are read. A document that does not parse throws.
    public static func readJUnit(_ bytes: [UInt8]) throws -> UnitReport {
        guard !bytes.isEmpty else { throw GradingError(.io, "the JUnit XML report is empty") }
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        guard
            let doc = bytes.withUnsafeBufferPointer({ buffer in
                buffer.withMemoryRebound(to: CChar.self) {
                    xmlReadMemory($0.baseAddress, Int32($0.count), "report.xml", nil, options)
                }
            })
        else {
            throw GradingError(.io, "the JUnit XML report does not parse")
        }
        defer { xmlFreeDoc(doc) }
        var report = UnitReport()
        report.ended = true
        var seen: [String: Int] = [:]
        func visit(_ first: xmlNodePtr?) {
            var node = first
            while let n = node {
                if n.pointee.type == XML_ELEMENT_NODE {
                    if Self.name(n) == "testcase" {
                        var c = Self.testcase(n)
                        let key = (c.classname ?? "") + "\u{0}" + c.name
                        seen[key, default: 0] += 1
                        if seen[key]! > 1 { c.name += " (\(seen[key]!))" }
                        report.cases.append(c)
                    } else {
                        visit(n.pointee.children)
                    }
                }
                node = n.pointee.next
            }
        }
        visit(xmlDocGetRootElement(doc))
        // Names unique without their class are kept short; otherwise class.name.
        let counts = Dictionary(grouping: report.cases, by: \.name).mapValues(\.count)
        for i in report.cases.indices where counts[report.cases[i].name]! > 1 {
            if let c = report.cases[i].classname, !c.isEmpty { report.cases[i].name = c + "." + report.cases[i].name }
        }
        return report
    }

    private static func name(_ node: xmlNodePtr) -> String {
        node.pointee.name.map { String(cString: $0) } ?? ""
    }

    private static func attribute(_ node: xmlNodePtr, _ name: String) -> String? {
        guard let value = xmlGetProp(node, name) else { return nil }
        defer { free(value) }
        return String(cString: value)
    }

    private static func text(_ node: xmlNodePtr) -> String {
        guard let value = xmlNodeGetContent(node) else { return "" }
        defer { free(value) }
        return String(cString: value)
    }

    private static func testcase(_ n: xmlNodePtr) -> UnitCase {
        var c = UnitCase(
            name: clip(attribute(n, "name") ?? "", 300), classname: attribute(n, "classname").map { clip($0, 300) },
            status: .passed, time: Double(attribute(n, "time") ?? "") ?? 0)
        var child = n.pointee.children
        while let ch = child {
            defer { child = ch.pointee.next }
            guard ch.pointee.type == XML_ELEMENT_NODE else { continue }
            switch name(ch) {
            case "failure", "error", "skipped":
                let status: UnitCase.Status = name(ch) == "failure" ? .failed : name(ch) == "error" ? .error : .skipped
                if c.status == .passed || status != .skipped { c.status = status }
                let message = attribute(ch, "message") ?? ""
                let body = text(ch).trimmingCharacters(in: .whitespacesAndNewlines)
                if c.message.isEmpty { c.message = clip(message.isEmpty ? body : message, 4000) }
            case "properties":
                var p = ch.pointee.children
                while let prop = p {
                    defer { p = prop.pointee.next }
                    guard prop.pointee.type == XML_ELEMENT_NODE, name(prop) == "property",
                        let value = attribute(prop, "value")
                    else { continue }
                    switch attribute(prop, "name") {
                    case "weight"?: c.weight = Double(value)?.nonNegativeFinite
                    case "visibility"?: c.visibility = Visibility(rawValue: value)
                    case "number"?: c.number = value
                    default: break
                    }
                }
            default: break
            }
        }
        return c
    }

    static func clip(_ s: String, _ n: Int) -> String {
        s.count <= n ? s : String(s.prefix(n)) + "..."
    }
}

extension Double {
    var nonNegativeFinite: Double? { isFinite && self >= 0 ? self : nil }
}
