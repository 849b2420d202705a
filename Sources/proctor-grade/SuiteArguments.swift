import ArgumentParser
import Formats
import Foundation
import Grading
import Reports
import SystemPackage

/// Loading what `check` and `run` share: the language table and the suites, with every
/// problem printed as file:line:column and exit code 2 when any is found.
struct SuiteInputs: ParsableArguments {
    @Argument(help: ArgumentHelp("Suite files (YAML), or Kattis/ICPC problem package folders.", valueName: "suite"))
    var suites: [String] = []

    @Option(
        name: .customLong("languages"),
        help: ArgumentHelp("A YAML file of languages that extend or replace the built-in table.", valueName: "file"))
    var languagesFile: String?

    func validate() throws {
        if suites.isEmpty { throw ValidationError("give at least one suite file") }
    }

    func languageTable() throws -> LanguageTable {
        var table = LanguageTable()
        if let languagesFile {
            do {
                try table.load(FilePath(languagesFile))
            } catch {
                Console.error("\(error)")
                throw ExitCode(2)
            }
        }
        return table
    }

    /// The suites, or exit 2 after printing every problem of every file.
    func load(languages: LanguageTable) throws -> [Suite] {
        try loadWithPackages(languages: languages).suites
    }

    /// The suites (a package folder read as one), and the packages among them.
    func loadWithPackages(languages: LanguageTable) throws -> (suites: [Suite], packages: [KattisPackage]) {
        var loaded: [Suite] = []
        var packages: [KattisPackage] = []
        var failed = false
        for path in suites {
            do {
                let suite: Suite
                if KattisPackage.isPackage(path) {
                    let package = try KattisPackage.load(path, languages: languages)
                    if !package.includedFiles.isEmpty {
                        // Refused rather than judged without them (the solutions would not build).
                        throw FormatsError(
                            .invalidPackage,
                            "\(path): include/ (files added to every submission) is applied by `proctor verify`; `proctor run` does not add them yet"
                        )
                    }
                    packages.append(package)
                    suite = try package.suite()
                } else {
                    suite = try SuiteLoader.load(FilePath(path))
                }
                for problem in Self.judgeLanguageProblems(suite, languages) {
                    Console.error("\(path): error: \(problem)")
                    failed = true
                }
                loaded.append(suite)
            } catch {
                Console.error("\(error)")
                failed = true
            }
        }
        if failed { throw ExitCode(2) }
        return (loaded, packages)
    }

    /// Checkers and interactors whose language is unknown.
    static func judgeLanguageProblems(_ suite: Suite, _ languages: LanguageTable) -> [String] {
        var out: [String] = []
        for p in suite.problems {
            var judges: [(String, JudgeProgram)] = []
            if case .checker(let c) = p.comparison { judges.append(("checker", c)) }
            if let i = p.interactor { judges.append(("interactor", i)) }
            for (what, j) in judges {
                do {
                    _ = try languages.resolve(j.source.path, id: j.language)
                } catch {
                    out.append("problem '\(p.id)': \(what) \(j.source.lastComponent?.string ?? ""): \(error)")
                }
            }
        }
        return out
    }
}

enum Console {
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Writes each report whose path is given (atomically); false when any could not be.
    static func write(_ reports: [(String?, () throws -> [UInt8])]) -> Bool {
        var ok = true
        for case (let path?, let render) in reports {
            do {
                try AtomicFile.write(try render(), to: path)
            } catch {
                Self.error("proctor: \(error)")
                ok = false
            }
        }
        return ok
    }

    static var stdoutIsTerminal: Bool { isatty(1) == 1 }
    static var stderrIsTerminal: Bool { isatty(2) == 1 }
}
