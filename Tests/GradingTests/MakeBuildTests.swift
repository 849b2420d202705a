import Foundation
import Sandbox
import SystemPackage
import TestSupport
import Testing

@testable import Grading

/// C and C++ folder submissions built by their own Makefile or CMakeLists.txt (`BuildSystem`),
/// and the attacks a Makefile can make on the build: it loops, sleeps, forks without end,
/// leaves a process behind, writes outside its folder.
@Suite(
    "Makefile and CMake builds (sandboxed)", .serialized,
    .enabled(SandboxSupport.reason) { await SandboxSupport.available() },
    .enabled(if: Host.has("/usr/bin/make") && Host.has("/usr/bin/gcc"), "make or gcc is not installed; skipped"))
struct MakeBuildTests {
    let dir = NSTemporaryDirectory() + "proctor-make-tests-\(getpid())-\(UUID().uuidString)"

    /// A submission folder of `files` (path: text) beneath `dir`.
    func folder(_ name: String, _ files: [String: String]) throws -> String {
        let path = dir + "/" + name
        for (file, text) in files {
            let full = path + "/" + file
            try FileManager.default.createDirectory(
                atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }
        return path
    }

    /// One stdio problem: `echo`'s input back, with `executable` when given.
    func suite(executable: String? = nil) throws -> Suite {
        let folder = try SuiteFolder(
            """
            problems:
              - id: echo
            \(executable.map { "    executable: \($0)" } ?? "")
                compare: exact
                tests: [{name: t, input: "hi\\n", answer: "hi\\n"}]
            """)
        defer { folder.remove() }
        return try folder.load()
    }

    static let cat = "#include <stdio.h>\nint main(void) { int c; while ((c = getchar()) != EOF) putchar(c); return 0; }\n"

    func grade(_ suite: Suite, _ submissions: [Submission]) async throws -> [ProblemResult] {
        try await Grader().grade(suites: [suite], submissions: submissions).results
    }

    @Test("the example lab: its Makefile builds rpn; the correct one passes, the wrong one fails the tests it should")
    func theExampleLab() async throws {
        let grader = Grader()
        let correct = try grader.submission(Repo.fixture("course-c-make/correct"), language: nil)
        #expect(correct.language.buildSystem == .make && correct.language.id == "c" && correct.mainFile == "Makefile")
        let wrong = try grader.submission(Repo.fixture("course-c-make/wrong"), language: nil)
        let results = try await grade(try Repo.suite("course-c-make"), [correct, wrong])
        #expect(results[0].verdict == .accepted, "\(results[0].compileMessage ?? results[0].tests.map(\.message).joined())")
        #expect(results[1].verdict == .wrongAnswer)
        #expect(results[1].tests.map(\.verdict) == [.accepted, .wrongAnswer, .wrongAnswer, .wrongAnswer, .accepted])
        #expect(results[1].score == 2)
    }

    @Test(
        "a CMakeLists.txt: configured and built in build/, its executable run",
        .enabled(if: Host.has("/usr/bin/cmake"), "cmake is not installed (scripts/setup.sh installs it); skipped"))
    func cmake() async throws {
        let s = try Grader().submission(Repo.fixture("course-c-make/cmake"), language: nil)
        #expect(s.language.buildSystem == .cmake)
        let results = try await grade(try Repo.suite("course-c-make"), [s])
        #expect(results[0].verdict == .accepted, "\(results[0].compileMessage ?? results[0].tests.map(\.message).joined())")
    }

    @Test("the program: the one the problem names, else the only new executable, else a CE that says what was looked for")
    func whichProgramRuns() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let grader = Grader()
        let one = try grader.submission(
            try folder("one", ["cat.c": Self.cat, "Makefile": "copy: cat.c\n\tgcc -o copy cat.c\n"]), language: nil)
        let two = try grader.submission(
            try folder("two", ["cat.c": Self.cat, "Makefile": "all:\n\tgcc -o copy cat.c\n\tgcc -o other cat.c\n"]),
            language: nil)
        let none = try grader.submission(
            try folder("none", ["cat.c": Self.cat, "Makefile": "all:\n\tgcc -c cat.c\n"]), language: nil)
        let unnamed = try await grade(try suite(), [one, two, none])
        #expect(unnamed[0].verdict == .accepted, "\(unnamed[0].tests[0].message)")
        #expect(unnamed[1].verdict == .compileError)
        #expect(
            unnamed[1].compileMessage?.contains("2 executables (copy, other)") == true, "\(unnamed[1].compileMessage ?? "")")
        #expect(unnamed[2].verdict == .compileError)
        #expect(unnamed[2].compileMessage?.contains("made no executable") == true, "\(unnamed[2].compileMessage ?? "")")
        let named = try await grade(try suite(executable: "other"), [one, two])
        #expect(named[0].verdict == .compileError)
        #expect(named[0].compileMessage?.contains("no executable 'other'") == true, "\(named[0].compileMessage ?? "")")
        #expect(named[1].verdict == .accepted, "\(named[1].tests[0].message)")
    }

    @Test("without a build file, C sources in subfolders compile together, headers found from the top")
    func sourcesCompileTogether() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = try Grader().submission(
            try folder(
                "plain",
                [
                    "src/main.c": "#include \"include/echo.h\"\nint main(void) { return echo(); }\n",
                    "include/echo.h": "int echo(void);\n",
                    "lib/echo.c": Self.cat.replacingOccurrences(of: "int main(void)", with: "int echo(void)"),
                ]), language: nil)
        #expect(s.language.buildSystem == nil)
        let results = try await grade(try suite(), [s])
        #expect(results[0].verdict == .accepted, "\(results[0].compileMessage ?? results[0].tests[0].message)")
    }

    /// A Makefile whose build attacks, with a 2 s compile limit: its result, and how long it took.
    func attack(_ name: String, _ makefile: String) async throws -> (ProblemResult, Duration) {
        var s = try Grader().submission(try folder(name, ["cat.c": Self.cat, "Makefile": makefile]), language: nil)
        s.language.compileTime = .seconds(2)
        let start = ContinuousClock.now
        let r = try await grade(try suite(), [s])[0]
        return (r, ContinuousClock.now - start)
    }

    @Test(
        "a Makefile that loops, sleeps, forks without end or recurses is a CE at the compile limits, not a hang",
        arguments: [
            ("loop", "all:\n\twhile :; do :; done\n"),
            ("sleep", "all:\n\tsleep 1000\n"),
            ("forks", "all:\n\tbash -c 'f() { f | f & }; f'\n"),
            ("recursive", "all:\n\t$(MAKE)\n"),
        ])
    func runawayBuild(_ name: String, _ makefile: String) async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (r, took) = try await attack(name, makefile)
        #expect(r.verdict == .compileError, "\(name): \(r.verdict)")
        #expect(r.compileMessage?.isEmpty == false, "\(name)")
        #expect(took < .seconds(20), "\(name) took \(took)")
    }

    @Test("a build that leaves a process behind ends all the same, and the program still runs")
    func processLeftBehind() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (r, took) = try await attack("behind", "all:\n\tgcc -o copy cat.c\n\tsleep 1000 > /dev/null 2>&1 &\n")
        #expect(r.verdict == .accepted, "\(r.compileMessage ?? r.tests[0].message)")
        #expect(took < .seconds(20), "took \(took)")
    }

    @Test("a Makefile that writes outside its folder writes nothing of the host")
    func writesOutside() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let mark = "proctor-make-escape-\(getpid())"
        let targets = [
            "/tmp/\(mark)", "/\(mark)", "/usr/\(mark)", "/etc/\(mark)", "/root/\(mark)", "../\(mark)", "../../\(mark)",
        ]
        let makefile =
            "all:\n" + targets.map { "\t-echo pwned > \($0)\n" }.joined()
            + "\t-echo pwned > \(dir)/\(mark)\n\tgcc -o copy cat.c\n"
        let (r, _) = try await attack("outside", makefile)
        #expect([.accepted, .compileError].contains(r.verdict), "\(r.verdict)")
        for host in ["/tmp/\(mark)", "/\(mark)", "/usr/\(mark)", "/etc/\(mark)", "/root/\(mark)", dir + "/\(mark)"] {
            #expect(!FileManager.default.fileExists(atPath: host), "the build wrote \(host) on the host")
            try? FileManager.default.removeItem(atPath: host)
        }
    }
}
