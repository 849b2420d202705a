import Foundation
import SystemPackage
import TestSupport
import Testing

@testable import Grading

/// One language's fixtures in Fixtures/languages/<id>/: a greeting that is AC, a program
/// that does not compile (or fails its syntax check) and one that crashes.
struct LanguageFixture: Sendable, CustomTestStringConvertible {
    var id: String
    var files: [String]
    var testDescription: String { id }

    init(_ id: String, _ ext: String, capitalized: Bool = false) {
        self.id = id
        files = ["hello", "ce", "rte"].map { (capitalized ? $0.prefix(1).uppercased() + $0.dropFirst() : $0) + "." + ext }
    }

    static let all: [LanguageFixture] = [
        .init("go", "go"), .init("ruby", "rb"), .init("php", "php"), .init("perl", "pl"), .init("lua", "lua"),
        .init("kotlin", "kt"), .init("scala", "scala", capitalized: true), .init("csharp", "cs"), .init("haskell", "hs"),
        .init("ocaml", "ml"), .init("lisp", "lisp"), .init("pascal", "pas"), .init("fortran", "f90"), .init("ada", "adb"),
        .init("d", "d"), .init("prolog", "pl"), .init("erlang", "erl"), .init("elixir", "exs"), .init("r", "R"),
        .init("typescript", "ts"), .init("python2", "py"),
    ]
}

@Suite(
    "Languages: hello is AC, a compile error CE and a crash RTE, in each language (sandboxed)", .serialized,
    .enabled(SandboxSupport.reason) { await SandboxSupport.available() })
struct LanguageRunTests {
    /// Where the toolchain is missing the case is cancelled and says so: a missing toolchain
    /// is never a pass that checked nothing.
    @Test(arguments: LanguageFixture.all)
    func helloCompileErrorAndRuntimeError(_ fixture: LanguageFixture) async throws {
        let language = try #require(LanguageTable().language(id: fixture.id))
        if let problem = language.toolchainProblem {
            print("⚠️  LanguageRunTests: \(fixture.id) SKIPPED: \(problem)")
            try Test.cancel("\(problem)")
        }
        var options = GradingOptions()
        options.jobs = 2
        let grader = Grader(options: options)
        // Detected as a user's file would be: by extension, and first line where a shebang decides.
        let submissions = try fixture.files.map {
            try grader.submission(Repo.fixture("languages/\(fixture.id)/\($0)"), language: nil)
        }
        #expect(submissions.map(\.language.id) == Array(repeating: fixture.id, count: 3))
        let suite = try SuiteLoader.load(FilePath(Repo.fixture("languages/suite.yaml")))
        let run = try await grader.grade(suites: [suite], submissions: submissions)
        let results = run.results
        try #require(results.count == 3)
        let why = results.map { r in "\(r.verdict): \(r.compileMessage ?? "") \(r.tests.map(\.message).joined(separator: " | "))"
        }
        #expect(results.map(\.verdict) == [.accepted, .compileError, .runtimeError], "\(fixture.id): \(why)")
        #expect(results[1].compileMessage?.isEmpty == false, "a compile error says why")
    }
}

@Suite("Languages: the table")
struct LanguageTableTests {
    @Test func everyLanguageHasAUniqueIdAndFixtures() {
        let ids = Language.builtIn.map(\.id)
        #expect(Set(ids).count == ids.count)
        for f in LanguageFixture.all {
            #expect(ids.contains(f.id), "\(f.id) is a built-in language")
            for file in f.files {
                #expect(FileManager.default.fileExists(atPath: Repo.fixture("languages/\(f.id)/\(file)")), "\(f.id)/\(file)")
            }
        }
    }

    @Test func shebangsTellPerlFromPrologAndPython2FromPython3() {
        let table = LanguageTable()
        #expect(table.detect("a.pl")?.id == "prolog", "Kattis: .pl is Prolog")
        #expect(table.detect("a.pl", firstLine: "#!/usr/bin/perl -w")?.id == "perl")
        #expect(table.detect("a.pl", firstLine: "#!/usr/bin/env perl")?.id == "perl")
        #expect(table.detect("a.pm")?.id == "perl")
        #expect(table.detect("a.py")?.id == "python3")
        #expect(table.detect("a.py", firstLine: "#!/usr/bin/env python3")?.id == "python3")
        #expect(table.detect("a.py", firstLine: "#!/usr/bin/python2")?.id == "python2")
        #expect(table.detect("a.py2")?.id == "python2")
        #expect(table.detect("a.R")?.id == "r")
        #expect(table.detect("a.f")?.id == "fortran")
    }

    @Test func entryPointsFollowKattis() {
        let table = LanguageTable()
        func resolve(_ id: String, _ name: String) -> Language {
            table.language(id: id)!.resolved(original: name, source: [])
        }
        // Kotlin: the file's class is its name capitalized + Kt.
        let kotlin = resolve("kotlin", "hello.kt")
        #expect(kotlin.fileName == "hello.kt" && kotlin.run.last == "HelloKt" && kotlin.compile?.last == "hello.kt")
        #expect(resolve("kotlin", "").run.last == "SolutionKt")
        // Scala: the object named after the file; Judge0's Main.scala otherwise.
        #expect(resolve("scala", "Different.scala").run.last == "Different")
        #expect(resolve("scala", "").run.last == "Main")
        // Erlang: the file named after its module (else the submission's name); start/0 runs (else main/1).
        let erlang = resolve("erlang", "hello.erl")
        #expect(erlang.compile == ["/usr/bin/erlc", "hello.erl"] && erlang.run.last?.hasPrefix("M = 'hello'") == true)
        let judge0 = table.language(id: "erlang")!.resolved(
            original: "", source: Array("%% a program\n-module(main).\n-export([main/1]).\n".utf8))
        #expect(judge0.fileName == "main.erl" && judge0.compile?.last == "main.erl")
        // Fortran keeps its extension (.f is fixed form).
        #expect(resolve("fortran", "old.f").compile?.last == "old.f")
        #expect(resolve("ruby", "different.rb").run.last == "different.rb")
    }

    @Test func shebangRulesLoadFromYAML() throws {
        var table = LanguageTable()
        let path = NSTemporaryDirectory() + "proctor-shebang-\(getpid()).yaml"
        try
            "languages:\n  - id: tcl\n    extensions: [tcl, pl]\n    shebang: '^#!.*tclsh'\n    shebang_extensions: [pl]\n    file_name: a.tcl\n    run: [tclsh, a.tcl]\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        defer { unlink(path) }
        try table.load(FilePath(path))
        #expect(table.detect("x.pl", firstLine: "#!/usr/bin/tclsh")?.id == "tcl")
        #expect(table.detect("x.pl")?.id == "prolog")
        #expect(table.detect("x.tcl")?.id == "tcl")
    }
}
