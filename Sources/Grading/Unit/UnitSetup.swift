/// Gradescope's visibility of a test's result to the student.
public enum Visibility: String, Sendable, Hashable, CaseIterable, Codable {
    case visible
    case hidden
    case afterDueDate = "after_due_date"
    case afterPublished = "after_published"
}

/// The machine-readable report a unit-test framework writes.
public enum UnitReportFormat: String, Sendable, Hashable, CaseIterable, Codable {
    /// Proctor's JSON lines (`UnitReport.readJSONLines`): one line per finished test, written
    /// as it finishes, each carrying the run's token. pytest (through Proctor's plugin) and
    /// the plain C harness (`proctor_unit.h`) write it.
    case json
    /// JUnit XML (JUnit 5's console launcher, Maven Surefire, GoogleTest, pytest
    /// `--junitxml`): written at the end of the run.
    case junit
    /// TAP (Test Anything Protocol: node:test's `--test-reporter=tap`, prove, ...): its
    /// top-level `ok` / `not ok` lines, written at the end or as it goes.
    case tap
}

/// How a `unit` problem runs its framework: optionally a build step, then one run of the
/// framework, whose report Proctor reads from a fresh folder outside the workdir (`{dir}`)
/// that is made for each run under an unguessable name.
public struct UnitSetup: Sendable, Hashable {
    /// `pytest`, `junit5`, `harness` (a program of the suite's speaking Proctor's JSON lines)
    /// or `custom` (`command` and `report` given).
    public var framework: String
    /// Run first, in the workdir (e.g. compiling the harness with the student's files); a
    /// non-zero exit is CE for every test, with its output as the message.
    public var build: [String]?
    /// The framework's command. `{dir}` is the report folder, `{report}` the report file in it.
    public var command: [String]
    public var report: UnitReportFormat
    /// The report's file name in `{dir}`.
    public var reportFile: String
    /// When the suite lists its tests: whether tests of the report that it does not list count
    /// (with weight `defaultWeight`). Default false: a listed suite scores only what it lists.
    public var countUnlisted: Bool = false
    public var defaultWeight: Double = 1
    public var defaultVisibility: Visibility? = nil

    public init(
        framework: String, build: [String]? = nil, command: [String], report: UnitReportFormat, reportFile: String
    ) {
        self.framework = framework
        self.build = build
        self.command = command
        self.report = report
        self.reportFile = reportFile
    }

    /// The preset frameworks' commands. `tests` are the instructor's test files (relative to
    /// the workdir) that the framework is pointed at.
    public static func preset(_ framework: String, tests: [String]) -> UnitSetup? {
        switch framework {
        case "pytest":
            // Proctor's plugin writes the JSON lines as each test finishes; pytest's own JUnit
            // XML is written beside it (for comparison, not read).
            return UnitSetup(
                framework: framework,
                command: [
                    "/usr/bin/python3", "{dir}/proctor_pytest_main.py", "{dir}", "-q", "-p", "no:cacheprovider",
                    "-c", "{dir}/pytest.ini", "--rootdir", ".", "--noconftest",
                    "-o", "junit_family=xunit1", "--junitxml", "{dir}/junit.xml",
                ] + tests,
                report: .json, reportFile: "results.jsonl")
        case "junit5":
            // The console launcher of Debian's junit5 package; a default per-test timeout so a
            // test that loops fails alone instead of ending the run (and with it the report).
            let jar = "/usr/share/java/junit-platform-console-standalone.jar"
            return UnitSetup(
                framework: framework,
                build: [
                    "/bin/sh", "-c", "mkdir -p classes && /usr/bin/javac -J-Xmx512m -encoding UTF-8 -d classes -cp \(jar) *.java",
                ],
                command: [
                    "/usr/bin/java", "-Xmx512m", "-jar", jar, "--disable-banner", "--details=none", "-cp", "classes",
                    "--scan-classpath", "--reports-dir", "{dir}",
                    "--config", "junit.jupiter.execution.timeout.default=5s",
                ],
                report: .junit, reportFile: "TEST-junit-jupiter.xml")
        case "harness":
            return UnitSetup(framework: framework, command: [], report: .json, reportFile: "results.jsonl")
        default:
            return nil
        }
    }

    /// What must be installed for the preset to run.
    public var requires: [String] {
        switch framework {
        case "pytest": return ["/usr/bin/python3", "/usr/lib/python3/dist-packages/pytest"]
        case "junit5": return ["/usr/bin/javac", "/usr/share/java/junit-platform-console-standalone.jar"]
        default: return []
        }
    }
}
