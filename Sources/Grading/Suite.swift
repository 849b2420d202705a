import SystemPackage

/// A suite file: problems, each with tests, limits, a way to compare and optional groups.
public struct Suite: Sendable {
    /// The suite file on the host; relative paths in it are relative to its folder, and
    /// every file it names is read beneath that folder (`ConfinedRoot`).
    public var path: FilePath
    public var name: String
    public var problems: [Problem]

    public init(path: FilePath, name: String, problems: [Problem]) {
        self.path = path
        self.name = name
        self.problems = problems
    }
}

/// How a test is run and judged.
public enum TestKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// Input on stdin, output on stdout compared with the answer.
    case stdio
    /// A test command run with the solution's files present; passes when it exits 0.
    case command
    /// An interactor program wired to the solution's stdin and stdout (Kattis contract).
    case interactive
    /// A unit-test framework run once over the submission's files and the suite's tests; its
    /// report becomes one result per unit test (`UnitSetup`).
    case unit
}

/// Limits of one test run. Nil fields fall back to the problem's, then to the defaults.
public struct TestLimits: Sendable, Hashable, Codable {
    /// CPU time, all threads and children.
    public var cpuTime: Duration?
    public var wallTime: Duration?
    public var memory: Int?
    /// Largest stdout (and stderr) in bytes.
    public var output: Int?
    public var processes: Int?

    public init(
        cpuTime: Duration? = nil, wallTime: Duration? = nil, memory: Int? = nil, output: Int? = nil, processes: Int? = nil
    ) {
        self.cpuTime = cpuTime
        self.wallTime = wallTime
        self.memory = memory
        self.output = output
        self.processes = processes
    }

    public static let defaults = TestLimits(cpuTime: .seconds(2), memory: 256 << 20, output: 64 << 20, processes: 64)

    /// These limits, with each field `other` sets taking its place.
    public func overridden(by other: TestLimits) -> TestLimits {
        TestLimits(
            cpuTime: other.cpuTime ?? cpuTime, wallTime: other.wallTime ?? wallTime, memory: other.memory ?? memory,
            output: other.output ?? output, processes: other.processes ?? processes)
    }

    /// The limits in force, every field set: the wall time defaults to 3 x CPU + 1 s.
    public var resolved: ResolvedLimits {
        let full = TestLimits.defaults.overridden(by: self)
        let cpu = full.cpuTime!
        return ResolvedLimits(
            cpuTime: cpu, wallTime: full.wallTime ?? cpu * 3 + .seconds(1), memory: full.memory!,
            output: full.output!, processes: full.processes!)
    }
}

public struct ResolvedLimits: Sendable, Hashable {
    public var cpuTime: Duration
    public var wallTime: Duration
    public var memory: Int
    public var output: Int
    public var processes: Int

    public init(cpuTime: Duration, wallTime: Duration, memory: Int, output: Int, processes: Int) {
        self.cpuTime = cpuTime
        self.wallTime = wallTime
        self.memory = memory
        self.output = output
        self.processes = processes
    }
}

/// Bytes given inline in the suite, or a file beneath the suite's folder (opened beneath
/// it each time it is read, never by its host path).
public enum DataSource: Sendable, Hashable {
    case inline([UInt8])
    case file(RootedPath)

    public func bytes() throws -> [UInt8] {
        switch self {
        case .inline(let b): return b
        case .file(let path): return try path.read()
        }
    }

    public func reader() throws -> ByteReader {
        switch self {
        case .inline(let b): return ByteReader(bytes: b)
        case .file(let path): return ByteReader(descriptor: try path.open())
        }
    }
}

/// A file of the suite (beneath its folder) put into the sandbox before a run.
public struct ExtraFile: Sendable, Hashable {
    public var source: RootedPath
    /// Path inside the sandbox, relative to the workdir.
    public var target: String

    public init(source: RootedPath, target: String) {
        self.source = source
        self.target = target
    }
}

/// A program of the judge (checker, interactor), compiled like a solution.
public struct JudgeProgram: Sendable, Hashable {
    /// Beneath the suite's (or package's) folder.
    public var source: RootedPath
    /// A language id; nil: from the extension.
    public var language: String?
    /// Extra arguments after the contract's (Kattis validator flags).
    public var arguments: [String]
    /// Other files of the program (headers, modules), put beside the source before compiling.
    public var files: [ExtraFile] = []

    public init(source: RootedPath, language: String? = nil, arguments: [String], files: [ExtraFile] = []) {
        self.source = source
        self.language = language
        self.arguments = arguments
        self.files = files
    }
}

/// How the output of a stdio test is judged.
public enum Comparison: Sendable, Hashable {
    case builtin(CompareMode)
    case checker(JudgeProgram)
}

public struct TestCase: Sendable {
    public var name: String
    public var input: DataSource?
    public var answer: DataSource?
    /// For command tests: the command run in the workdir.
    public var command: [String]?
    /// Overrides of the problem's limits.
    public var limits: TestLimits
    public var files: [ExtraFile]
    public var group: String?
    /// Unit tests (kind `unit`): the test's points (nil: the report's, else 1), Gradescope's
    /// visibility and number.
    public var weight: Double? = nil
    public var visibility: Visibility? = nil
    public var number: String? = nil

    public init(
        name: String, input: DataSource? = nil, answer: DataSource? = nil, command: [String]? = nil, limits: TestLimits,
        files: [ExtraFile], group: String? = nil
    ) {
        self.name = name
        self.input = input
        self.answer = answer
        self.command = command
        self.limits = limits
        self.files = files
        self.group = group
    }
}

public enum Aggregation: String, Sendable, Hashable, CaseIterable, Codable {
    /// Points in proportion to the tests passed.
    case sum
    /// All or nothing: the group's worst test decides.
    case min
}

public struct TestGroup: Sendable, Hashable {
    public var name: String
    public var points: Double
    public var aggregation: Aggregation
}

public struct Problem: Sendable {
    public var id: String
    public var title: String?
    public var kind: TestKind
    public var limits: TestLimits
    public var comparison: Comparison
    public var interactor: JudgeProgram?
    public var files: [ExtraFile]
    public var tests: [TestCase]
    public var groups: [TestGroup]
    /// The largest score a checker may write in score.txt: 1 (a share of the test's credit),
    /// or more for formats whose validators write absolute scores (Kattis scoring problems).
    public var maxTestScore: Double = 1
    /// Multi-pass problems (Kattis `type: multi-pass`): the most passes a test may take
    /// (`limits.validation_passes`, at least 2). 1: a problem of one pass.
    public var passes: Int = 1
    /// Limits of this problem's checker or interactor (trusted judge code); nil: the
    /// defaults, scaled up for tests with long limits. Its stack is as large as its memory.
    public var judgeLimits: TestLimits?
    /// problemtools' output rule (legacy Kattis packages): the run is not stopped at the output
    /// limit (`limits.output` is then only a safety cap); output larger than this is OLE
    /// after the run, when it ended in time and without a crash. Nil: the limit stops the run
    /// (OLE at once, the 2023-07 spec's rule and every suite's).
    public var outputLimitAfterRun: Int?
    /// problemtools' memory rule (legacy Kattis packages): besides the memory cgroup, a
    /// program of a language that allows it (`Language.addressSpaceLimit`) runs under an
    /// address-space limit as large as its memory limit, so an allocation past the limit
    /// fails there and then (a run-time error), as in problemtools, even if never touched.
    public var addressSpaceLimit = false
    /// Kind `unit`: how the framework is built, run and read.
    public var unit: UnitSetup? = nil
    /// An image of the image store (`image:`, the problem's or the suite's): submissions
    /// are built and run in sandboxes started from it instead of the host's /usr.
    /// Checkers and interactors (the judge's trusted programs) stay on the host's.
    public var image: String? = nil
    /// The program to run of a submission that its own Makefile or CMakeLists.txt builds
    /// (`BuildSystem`): a path in its folder (CMake's: in `build/`) or a file name; nil: the
    /// only executable the build made.
    public var executable: String? = nil

    public init(
        id: String, title: String? = nil, kind: TestKind, limits: TestLimits, comparison: Comparison,
        interactor: JudgeProgram? = nil, files: [ExtraFile], tests: [TestCase], groups: [TestGroup],
        maxTestScore: Double = 1, passes: Int = 1, judgeLimits: TestLimits? = nil, outputLimitAfterRun: Int? = nil
    ) {
        self.id = id
        self.title = title
        self.kind = kind
        self.limits = limits
        self.comparison = comparison
        self.interactor = interactor
        self.files = files
        self.tests = tests
        self.groups = groups
        self.maxTestScore = maxTestScore
        self.passes = passes
        self.judgeLimits = judgeLimits
        self.outputLimitAfterRun = outputLimitAfterRun
    }

    /// The most points a solution can earn: the groups' points, or one per test (a unit
    /// test's weight).
    public var maxScore: Double {
        groups.isEmpty ? tests.reduce(0) { $0 + ($1.weight ?? 1) } : groups.reduce(0) { $0 + $1.points }
    }
}

/// Reading host files, with errors that name them. For a path the caller trusts (a file
/// named on the command line); files that a suite or package names go through `RootedPath`.
public enum HostFile {
    public static func read(_ path: FilePath, limit: Int = 1 << 30) throws -> [UInt8] {
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.open(path, .readOnly, options: .closeOnExec)
        } catch let errno as Errno {
            throw GradingError(.io, "read \(path): \(errno)", underlyingError: errno)
        }
        defer { try? fd.close() }
        return try read(fd, limit: limit, name: path.string)
    }

    /// Reads an open file to its end, at most `limit` bytes.
    public static func read(_ fd: FileDescriptor, limit: Int, name: String) throws -> [UInt8] {
        do {
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 64 << 10)
            while true {
                let n = try chunk.withUnsafeMutableBytes { try fd.read(into: $0) }
                if n == 0 { return bytes }
                bytes += chunk[..<n]
                if bytes.count > limit { throw GradingError(.io, "\(name) is larger than \(limit) bytes") }
            }
        } catch let errno as Errno {
            throw GradingError(.io, "read \(name): \(errno)", underlyingError: errno)
        }
    }
}
