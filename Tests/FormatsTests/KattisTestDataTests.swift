import Foundation
import Grading
import TestSupport
import Testing

@testable import Formats

/// The test data keys of the 2023-07 and 2025-09 formats: what changes verdicts is read
/// (test_group.yaml, a test case's .yaml, .files folders, include/), and what Proctor does
/// not implement refuses the package, never is judged as if absent.
@Suite("Kattis packages: test_group.yaml, test case .yaml, .files, include/")
struct KattisTestDataLoadingTests {
    static let base = [
        "problem.yaml": "problem_format_version: 2025-09\nname: T\nuuid: 0b0f7c4e-2d0a-4c55-9a53-4e7c1d2a6b01\n",
        "data/secret/1.in": "1\n", "data/secret/1.ans": "1\n",
    ]

    func load(_ files: [String: String]) throws -> KattisPackage {
        let t = try TempPackage(Self.base.merging(files) { $1 })
        defer { t.remove() }
        return try KattisPackage.load(t.dir)
    }

    func refused(_ files: [String: String], _ words: String) {
        do {
            _ = try load(files)
            Issue.record("loaded, though it should be refused: \(files.keys.sorted())")
        } catch {
            #expect("\(error)".contains(words), "\(error)")
        }
    }

    @Test("test_group.yaml's output_validator_args reach the validator; a test's own .yaml replaces them")
    func validatorArguments() throws {
        let p = try load([
            "data/secret/test_group.yaml": "output_validator_args: [case_sensitive]\n",
            "data/secret/2.in": "2\n", "data/secret/2.ans": "2\n",
            "data/secret/2.yaml": "output_validator_args: [float_tolerance, '0.1']\ndescription: a float\n",
        ])
        let flags = Dictionary(uniqueKeysWithValues: p.tests.map { ($0.name, $0.flags) })
        #expect(flags == ["secret/1": ["case_sensitive"], "secret/2": ["float_tolerance", "0.1"]])
    }

    @Test("a .files folder travels with its test case and is not a group; valid_output is not submissions' data")
    func filesFolders() throws {
        let p = try load([
            "data/secret/1.files/value.txt": "42\n", "data/secret/1.files/deep/more.txt": "x\n",
            "data/valid_output/1.in": "1\n", "data/valid_output/1.ans": "1\n", "data/valid_output/1.out": "1\n",
        ])
        #expect(p.tests.map(\.name) == ["secret/1"])
        #expect(p.tests[0].files.map(\.target) == ["deep/more.txt", "value.txt"])
        #expect(try p.suite().problems[0].tests[0].files.count == 2)
    }

    @Test("include/<language>/ and include/default/ are read by folder")
    func include() throws {
        let p = try load(["include/python3/helper.py": "ANSWER = 1\n", "include/default/notes.txt": "n\n"])
        #expect(p.includedFiles["python3"]?.map(\.target) == ["helper.py"])
        #expect(p.includedFiles["default"]?.map(\.target) == ["notes.txt"])
    }

    @Test(
        "refused, naming the file: args, require_pass, static validation, pass-fail scores, unknown keys, both file names",
        arguments: [
            (["data/secret/test_group.yaml": "args: [--fast]\n"], "test_group.yaml: args"),
            (["data/secret/1.yaml": "args: [--fast]\n"], "1.yaml: args"),
            (["data/secret/test_group.yaml": "require_pass: sample\n"], "require_pass"),
            (["data/secret/test_group.yaml": "static_validation_score: 5\n"], "static validation"),
            (["data/secret/test_group.yaml": "score_aggregation: pass-fail\n"], "pass-fail"),
            (["data/secret/test_group.yaml": "colour: red\n"], "'colour' is not a key of test_group.yaml"),
            (["data/secret/1.yaml": "colour: red\n"], "'colour' is not a key of a test case"),
            (
                ["data/secret/test_group.yaml": "{}\n", "data/secret/testdata.yaml": "{}\n"],
                "both testdata.yaml and test_group.yaml"
            ),
        ])
    func refusals(_ files: [String: String], _ words: String) {
        refused(files, words)
    }
}

/// The same, judged: a submission reads its test's .files, another imports an included
/// module; without them both would fail.
@Suite(
    "Kattis packages: .files and include/ (sandboxed)", .serialized,
    .enabled(SandboxSupport.reason) { await SandboxSupport.available() })
struct KattisTestDataVerifyTests {
    @Test func filesAndIncludeReachTheSubmission() async throws {
        let t = try TempPackage(
            KattisTestDataLoadingTests.base.merging([
                "data/secret/1.files/value.txt": "1\n",
                "include/python3/helper.py": "ANSWER = 1\n",
                "submissions/accepted/reads_file.py": "print(open('value.txt').read().strip())\n",
                "submissions/accepted/imports_helper.py": "import helper\nprint(helper.ANSWER)\n",
                "submissions/wrong_answer/two.py": "print(2)\n",
            ]) { $1 })
        defer { t.remove() }
        var options = GradingOptions()
        options.jobs = 2
        let v = try await KattisVerifier(options: options).verify(try KattisPackage.load(t.dir))
        #expect(v.ok, "\(v.submissions.map { "\($0.path): \($0.message)" })")
        #expect(v.submissions.compactMap(\.verdict).map(\.rawValue).sorted() == ["AC", "AC", "WA"])
    }
}
