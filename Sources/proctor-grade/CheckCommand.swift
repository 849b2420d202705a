import ArgumentParser
import Grading

/// `proctor check`: validates suites without running anything.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate suite files without running anything.",
        discussion:
            "Every problem is printed as FILE:LINE:COLUMN: error: MESSAGE. Exit code 0 when every suite is valid, 2 when not."
    )

    @OptionGroup var inputs: SuiteInputs

    func run() async throws {
        let languages = try inputs.languageTable()
        let suites = try inputs.load(languages: languages)
        for suite in suites {
            let tests = suite.problems.reduce(0) { $0 + $1.tests.count }
            print(
                "\(suite.path): ok (\(suite.problems.count) problem\(suite.problems.count == 1 ? "" : "s"), \(tests) test\(tests == 1 ? "" : "s"))"
            )
        }
    }
}
