import Foundation
import TestSupport
import Testing

@Suite("proctor check and run: exit codes and messages")
struct CLITests {
    @Test func checkValidSuites() throws {
        let r = try CLI.run(["check", "Suites/sum/suite.yaml", "Suites/interactive/suite.yaml"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Suites/sum/suite.yaml: ok (1 problem, 5 tests)"))
    }

    @Test func checkInvalidSuiteExits2WithPositions() throws {
        let f = try SuiteFolder("problems:\n  - id: p\n    tset: []\n")
        defer { f.remove() }
        let r = try CLI.run(["check", f.path + "/suite.yaml"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("suite.yaml:3:5: error: unknown key 'tset' in a problem; did you mean 'test"))
    }

    @Test func badUsageExits2() throws {
        #expect(try CLI.run(["run", "Suites/sum/suite.yaml"]).status == 2, "no --solution")
        let missing = try CLI.run(["run", "Suites/sum/suite.yaml", "--solution", "Fixtures/nothere.c"])
        #expect(missing.status == 2 && missing.stderr.contains("no such file"))
        let language = try CLI.run(["run", "Suites/sum/suite.yaml", "--solution", "Fixtures/sum/sum.c", "--language", "pyhton3"])
        #expect(language.status == 2 && language.stderr.contains("did you mean 'python3'?"))
        #expect(try CLI.run(["run", "Suites/nothere.yaml", "--solution", "Fixtures/sum/sum.c"]).status == 2)
    }

    @Test(.enabled(SandboxSupport.reason) { await SandboxSupport.available() })
    func runExitCodesAndReports() throws {
        let folder = NSTemporaryDirectory() + "proctor-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let ok = try CLI.run([
            "run", "Suites/sum/suite.yaml", "--solution", "Fixtures/sum/sum.c",
            "--junit", folder + "/j.xml", "--json", folder + "/r.json", "--html", folder + "/r.html",
        ])
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        #expect(ok.stdout.contains("5 of 5 tests accepted"))
        #expect(!ok.stdout.contains("\u{1B}["), "no colour when stdout is not a terminal")
        for name in ["j.xml", "r.json", "r.html"] { #expect(FileManager.default.fileExists(atPath: folder + "/" + name)) }
        let wrong = try CLI.run([
            "run", "Suites/sum/suite.yaml", "--solution", "Fixtures/sum/wa.py", "--jobs", "1", "--fail-fast",
        ])
        #expect(wrong.status == 1)
        #expect(wrong.stdout.contains("(4 tests skipped by --fail-fast)"))
        let unwritable = try CLI.run([
            "run", "Suites/sum/suite.yaml", "--solution", "Fixtures/sum/sum.c", "--json", folder + "/no/such/dir/r.json",
        ])
        #expect(unwritable.status == 3, "a report that cannot be written is an internal error")
    }
}
