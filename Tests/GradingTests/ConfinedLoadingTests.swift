import Foundation
import SystemPackage
import Testing

@testable import Grading

/// A file outside any suite folder, with content that must never come back.
struct Secret {
    let folder: String
    let path: String
    static let content = "TOP-SECRET-\(UUID().uuidString)"

    init() throws {
        folder = NSTemporaryDirectory() + "proctor-secret-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/dir", withIntermediateDirectories: true)
        path = folder + "/secret.txt"
        try Self.content.write(toFile: path, atomically: true, encoding: .utf8)
        try Self.content.write(toFile: folder + "/dir/1.in", atomically: true, encoding: .utf8)
        try Self.content.write(toFile: folder + "/dir/1.ans", atomically: true, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }
}

extension SuiteFolder {
    func link(_ name: String, to target: String) throws {
        let file = path + "/" + name
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: file, withDestinationPath: target)
    }
}

/// Attacks on loading: a suite names a file outside its folder. Each must be an error at
/// the YAML node (line:column), and the outside file must never be read.
@Suite("Suite files: confined to their folder")
struct ConfinedSuiteTests {
    /// A stdio suite whose one test has these extra lines (indented under the test).
    static func suite(_ test: String, problem: String = "") -> String {
        """
        problems:
          - id: p
        \(problem)    tests:
              - name: t
                input: "1"
        \(test)
        """
    }

    @Test("answer_file: an absolute path is refused")
    func answerFileAbsolute() throws {
        let secret = try Secret()
        defer { secret.remove() }
        let f = try SuiteFolder(Self.suite("        answer_file: \(secret.path)"))
        defer { f.remove() }
        expectErrors(f.errors(), ["6:22: answer_file: '\(secret.path)' is an absolute path"])
    }

    @Test("input_file: an absolute path is refused")
    func inputFileAbsolute() throws {
        let f = try SuiteFolder("problems:\n  - id: p\n    tests:\n      - {name: t, input_file: /etc/passwd, answer: x}\n")
        defer { f.remove() }
        expectErrors(f.errors(), ["4:31: input_file: '/etc/passwd' is an absolute path"])
    }

    @Test("'..' that leaves the folder is refused, one that stays inside is fine")
    func dotDotEscape() throws {
        let secret = try Secret()
        defer { secret.remove() }
        let up = String(repeating: "../", count: 12) + secret.path.dropFirst()
        let f = try SuiteFolder(Self.suite("        answer_file: \(up)"))
        defer { f.remove() }
        expectErrors(f.errors(), ["6:22: answer_file: '\(up)' leaves"])
        let g = try SuiteFolder(Self.suite("        answer_file: data/../a.ans"), files: ["a.ans": "1"])
        defer { g.remove() }
        #expect(g.errors() == [])
    }

    @Test("a symlink in the folder to /etc/passwd, or to a file beside the folder, is refused")
    func symlinkOut() throws {
        let secret = try Secret()
        defer { secret.remove() }
        let f = try SuiteFolder(Self.suite("        answer_file: data/a.ans\n      - {name: u, input: \"\", answer_file: b.ans}"))
        defer { f.remove() }
        try f.link("data/a.ans", to: "/etc/passwd")
        // Relative, climbing out of the suite folder into the secret's.
        try f.link("b.ans", to: "../" + (secret.folder as NSString).lastPathComponent + "/secret.txt")
        expectErrors(
            f.errors(),
            [
                "6:22: answer_file: 'data/a.ans' leads outside",
                "7:43: answer_file: 'b.ans' leads outside",
            ])
    }

    @Test("a symlink that stays inside the folder is followed")
    func symlinkInsideIsFine() throws {
        let f = try SuiteFolder(Self.suite("        answer_file: alias.ans"), files: ["data/a.ans": "1"])
        defer { f.remove() }
        try f.link("alias.ans", to: "data/a.ans")
        let s = try f.load()
        #expect(try s.problems[0].tests[0].answer?.bytes() == Array("1".utf8))
    }

    @Test("a symlinked intermediate folder that points out is refused")
    func symlinkedFolder() throws {
        let secret = try Secret()
        defer { secret.remove() }
        let f = try SuiteFolder(Self.suite("        answer_file: data/1.ans"))
        defer { f.remove() }
        try f.link("data", to: secret.folder + "/dir")
        expectErrors(f.errors(), ["6:22: answer_file: 'data/1.ans' leads outside"])
    }

    @Test("files: source an absolute path, '..', or a plain entry outside, is refused")
    func filesSourceOutside() throws {
        let secret = try Secret()
        defer { secret.remove() }
        let f = try SuiteFolder(
            Self.suite(
                "        answer: \"1\"",
                problem: "    files: [{source: \(secret.path), target: x}, ../x.txt]\n"))
        defer { f.remove() }
        expectErrors(f.errors(), ["3:22: files.source: '\(secret.path)' is an absolute path", "3:"])
        #expect(f.errors().contains { $0.contains("'../x.txt' leaves") })
    }

    @Test("checker and interactor sources outside the folder are refused")
    func judgeProgramsOutside() throws {
        let secret = try Secret()
        defer { secret.remove() }
        let f = try SuiteFolder(
            """
            problems:
              - id: c
                checker: {source: ../check.py}
                tests: [{name: t, input: "1"}]
              - id: i
                kind: interactive
                interactor: \(secret.path)
                tests: [{name: t, input: "1"}]
              - id: l
                checker: {source: link.py}
                tests: [{name: t, input: "1"}]
            """)
        defer { f.remove() }
        try f.link("link.py", to: secret.path)
        expectErrors(
            f.errors(),
            [
                "3:23: checker.source: '../check.py' leaves",
                "7:17: interactor: '\(secret.path)' is an absolute path",
                "10:23: checker.source: 'link.py' leads outside",
            ])
    }

    @Test("a glob that matches a symlink out is refused, not skipped")
    func globMatchingSymlinkOut() throws {
        let secret = try Secret()
        defer { secret.remove() }
        let f = try SuiteFolder(
            "problems:\n  - id: p\n    tests:\n      - glob: data/*.in\n",
            files: ["data/1.in": "1", "data/1.ans": "1", "data/2.ans": "2"])
        defer { f.remove() }
        try f.link("data/2.in", to: secret.path)
        expectErrors(f.errors(), ["4:15: glob 'data/*.in': 'data/2.in' leads outside"])
        // An answer found by the glob that is a symlink out is refused too.
        let g = try SuiteFolder("problems:\n  - id: p\n    tests:\n      - glob: data/*.in\n", files: ["data/1.in": "1"])
        defer { g.remove() }
        try g.link("data/1.ans", to: secret.path)
        expectErrors(g.errors(), ["4:15: glob 'data/*.in': 'data/1.ans' leads outside"])
        // And a glob with an absolute pattern or a '..'.
        let h = try SuiteFolder(
            "problems:\n  - id: p\n    tests:\n      - glob: \(secret.folder)/dir/*.in\n      - glob: ../*/*.in\n")
        defer { h.remove() }
        expectErrors(h.errors(), ["4:15: glob '\(secret.folder)/dir/*.in': '", "5:15: glob '../*/*.in': '../*/*.in' leaves"])
    }

    @Test("a FIFO as input_file is refused at once (no hang), as are folders")
    func fifoInput() throws {
        let f = try SuiteFolder(
            "problems:\n  - id: p\n    tests:\n      - {name: t, input_file: pipe, answer: x}\n      - {name: u, input_file: data, answer: x}\n",
            files: ["data/x": ""])
        defer { f.remove() }
        #expect(mkfifo(f.path + "/pipe", 0o644) == 0)
        expectErrors(
            f.errors(), ["4:31: input_file: 'pipe' is not a regular file", "5:31: input_file: 'data' is not a regular file"])
    }

    @Test("a file swapped for a symlink after loading is refused when the test reads it")
    func swappedAfterLoading() throws {
        let secret = try Secret()
        defer { secret.remove() }
        let f = try SuiteFolder(
            Self.suite("        answer_file: a.ans", problem: "    files: [extra.txt]\n"),
            files: ["a.ans": "1", "extra.txt": "x"])
        defer { f.remove() }
        let p = try f.load().problems[0]
        for name in ["a.ans", "extra.txt"] {
            try FileManager.default.removeItem(atPath: f.path + "/" + name)
            try f.link(name, to: secret.path)
        }
        #expect(throws: GradingError.self) { try p.tests[0].answer?.bytes() }
        #expect(throws: GradingError.self) { try p.tests[0].answer?.reader() }
        #expect(throws: GradingError.self) { try p.files[0].source.contents() }
    }
}

@Suite("Suite files: caps on what a suite asks for")
struct SuiteCapsTests {
    @Test("limits above the caps are refused at their line, naming the cap")
    func limitsAboveCaps() throws {
        let f = try SuiteFolder(
            """
            problems:
              - id: p
                limits: {time: 60s, memory: 4G, processes: 10000}
                tests:
                  - {name: t, input: "1", answer: "1", limits: {wall_time: 1h, output: 1G}}
            """)
        defer { f.remove() }
        let errors: [String]
        do {
            _ = try SuiteLoader.load(f.suitePath, caps: SuiteCaps())
            errors = []
        } catch let e as GradingError {
            errors = e.diagnostics.map { "\($0.line):\($0.column): \($0.message)" }
        }
        expectErrors(
            errors,
            [
                "3:20: limits.time 60s is above the cap of 10s CPU time",
                "3:33: limits.memory 4G is above the cap of 1G",
                "3:48: limits.processes 10000 is above the cap of 256",
                "5:64: limits.wall_time 3600s is above the cap of 20s wall time",
                "5:76: limits.output 1G is above the cap of 64M",
            ])
        #expect(errors.count == 5, "each excess once, at its own line: \(errors)")
        // Without caps (a suite of one's own on the CLI) it loads.
        #expect(throws: Never.self) { try f.load() }
    }

    @Test("too many tests, too big a file, and defaults above a small cap are refused; a derived wall time is kept at the cap")
    func countsAndSizes() throws {
        let f = try SuiteFolder(
            """
            problems:
              - id: p
                limits: {time: 10s}
                tests:
                  - {name: a, input: "1", answer: "1"}
                  - {name: b, input: "1", answer_file: big.ans}
                  - {name: c, input: "1", answer: "1"}
            """, files: ["big.ans": String(repeating: "x", count: 2048)])
        defer { f.remove() }
        var caps = SuiteCaps()
        caps.tests = 2
        caps.fileSize = 1024
        do {
            _ = try SuiteLoader.load(f.suitePath, caps: caps)
            Issue.record("loaded")
        } catch let e as GradingError {
            let errors = e.diagnostics.map { "\($0.line):\($0.column): \($0.message)" }
            expectErrors(
                errors,
                [
                    "6:44: answer_file: big.ans is 2K, above the cap of 1K per file",
                    "2:5: problem 'p' brings the suite to 3 tests, above the cap of 2 tests per suite",
                ])
        }
        caps = SuiteCaps()
        let s = try SuiteLoader.load(f.suitePath, caps: caps)
        #expect(s.problems[0].tests[0].limits.wallTime == .seconds(20), "3 x 10s + 1s is above the 20s cap")
        caps.memory = 64 << 20
        let e = #expect(throws: GradingError.self) { try SuiteLoader.load(f.suitePath, caps: caps) }
        #expect(e?.code == .invalidSuite && e?.diagnostics.isEmpty == false)
    }
}
