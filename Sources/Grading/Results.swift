import Foundation
import Sandbox

/// What a test (or a whole problem) came to.
public enum Verdict: String, Sendable, Hashable, Codable, CaseIterable {
    case accepted = "AC"
    case wrongAnswer = "WA"
    case timeLimit = "TLE"
    case memoryLimit = "MLE"
    case outputLimit = "OLE"
    case runtimeError = "RTE"
    case compileError = "CE"
    /// The judge failed (a checker crashed, a toolchain is missing, the sandbox broke).
    case judgeError = "JE"
    /// Not run: --fail-fast stopped the submission first.
    case skipped = "SKIP"

    public var meaning: String {
        switch self {
        case .accepted: return "accepted"
        case .wrongAnswer: return "wrong answer"
        case .timeLimit: return "time limit exceeded"
        case .memoryLimit: return "memory limit exceeded"
        case .outputLimit: return "output limit exceeded"
        case .runtimeError: return "run-time error"
        case .compileError: return "compile error"
        case .judgeError: return "judge error"
        case .skipped: return "skipped"
        }
    }

    /// The verdict of a run that a limit or a crash ended, before any comparison (Kattis
    /// order: limits, then run-time errors, then the answer).
    public static func of(_ r: ExecResult) -> Verdict? {
        switch r.status {
        case .cpuTimeLimit, .wallTimeLimit: return .timeLimit
        case .memoryLimit: return .memoryLimit
        case .outputLimit: return .outputLimit
        case .sandboxError: return .judgeError
        case .signaled: return .runtimeError
        case .exited: return r.exitCode == 0 ? nil : .runtimeError
        }
    }
}

/// A solution handed in for grading.
public struct Submission: Sendable, Hashable {
    /// A short name for reports (the file's name).
    public var name: String
    public var path: String
    public var language: Language
    /// Set for a file of a package (its submissions/): read beneath the package's folder
    /// when it is compiled, so a file swapped for a symlink since it was listed is refused.
    public var source: RootedPath? = nil
    /// A folder submission: the main file's path inside the folder (`source` is that file),
    /// and its other files, all put into the workdir under their own paths. Nil: one file.
    public var mainFile: String? = nil
    public var files: [ExtraFile] = []

    public init(name: String, path: String, language: Language, source: RootedPath? = nil) {
        self.name = name
        self.path = path
        self.language = language
        self.source = source
    }
}

public struct TestResult: Sendable, Hashable {
    public var name: String
    public var group: String?
    public var verdict: Verdict
    /// 0...1: the share of the test's credit (a checker's score.txt, else 1 for AC).
    public var score: Double
    public var cpuTime: Double
    public var wallTime: Double
    public var memoryPeak: Int
    public var exitCode: Int?
    public var signal: Int?
    /// One line on why it is not AC (or the checker's message).
    public var message: String
    public var difference: Difference?
    /// The first bytes of the program's stdout and stderr, sanitized for reports.
    public var stdoutExcerpt: String
    public var stderrExcerpt: String
    /// The checker's or interactor's judgemessage.txt.
    public var judgeMessage: String?
    /// A unit test's points (its result is `score x weight`) and Gradescope visibility and
    /// number; nil for the other kinds (a test's share of its problem's points).
    public var weight: Double? = nil
    public var visibility: Visibility? = nil
    public var number: String? = nil

    public init(
        name: String, group: String?, verdict: Verdict, score: Double = 0, cpuTime: Double = 0, wallTime: Double = 0,
        memoryPeak: Int = 0, exitCode: Int? = nil, signal: Int? = nil, message: String = "",
        difference: Difference? = nil, stdoutExcerpt: String = "", stderrExcerpt: String = "", judgeMessage: String? = nil
    ) {
        self.name = name
        self.group = group
        self.verdict = verdict
        self.score = score
        self.cpuTime = cpuTime
        self.wallTime = wallTime
        self.memoryPeak = memoryPeak
        self.exitCode = exitCode
        self.signal = signal
        self.message = message
        self.difference = difference
        self.stdoutExcerpt = stdoutExcerpt
        self.stderrExcerpt = stderrExcerpt
        self.judgeMessage = judgeMessage
    }
}

extension TestResult {
    /// One line for a table: what differs for a WA with a difference (the validator's
    /// reason), else the last line of the message (an assertion, a limit).
    public var headline: String {
        let lines = message.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if difference != nil, let reason = lines.first(where: { !$0.hasPrefix("Wrong answer on line") }) { return reason }
        return lines.last ?? ""
    }
}

public struct GroupResult: Sendable, Hashable {
    public var name: String
    public var points: Double
    public var score: Double
    public var aggregation: Aggregation

    public init(name: String, points: Double, score: Double, aggregation: Aggregation) {
        self.name = name
        self.points = points
        self.score = score
        self.aggregation = aggregation
    }
}

/// One submission against one problem.
public struct ProblemResult: Sendable {
    public var suite: String
    public var problem: String
    public var title: String?
    public var submission: String
    public var submissionPath: String
    public var language: String
    public var limits: ResolvedLimits
    public var verdict: Verdict
    public var score: Double
    public var maxScore: Double
    public var compileMessage: String?
    public var tests: [TestResult]
    public var groups: [GroupResult]
    /// Kind `unit`: the CPU time of the framework's run that gave every test's result (no one
    /// unit test has a CPU time of its own); nil for the other kinds, or when it did not run.
    public var frameworkCPUTime: Double? = nil

    public init(
        suite: String, problem: String, title: String?, submission: String, submissionPath: String, language: String,
        limits: ResolvedLimits, verdict: Verdict, score: Double, maxScore: Double, compileMessage: String?,
        tests: [TestResult], groups: [GroupResult]
    ) {
        self.suite = suite
        self.problem = problem
        self.title = title
        self.submission = submission
        self.submissionPath = submissionPath
        self.language = language
        self.limits = limits
        self.verdict = verdict
        self.score = score
        self.maxScore = maxScore
        self.compileMessage = compileMessage
        self.tests = tests
        self.groups = groups
    }

    public var passed: Int { tests.filter { $0.verdict == .accepted }.count }
    /// The most CPU time a run took: the slowest test's, or a unit problem's framework run.
    public var maxCPUTime: Double { frameworkCPUTime ?? tests.map(\.cpuTime).max() ?? 0 }
    public var time: Double { tests.reduce(0) { $0 + $1.wallTime } }
}

/// Everything one `proctor run` found, in suite order.
public struct RunResult: Sendable {
    public var proctorVersion: String
    public var hostname: String
    public var started: Date
    public var duration: Double
    public var results: [ProblemResult]

    public init(proctorVersion: String, hostname: String, started: Date, duration: Double, results: [ProblemResult]) {
        self.proctorVersion = proctorVersion
        self.hostname = hostname
        self.started = started
        self.duration = duration
        self.results = results
    }

    public var allAccepted: Bool { results.allSatisfy { $0.verdict == .accepted } }
}

extension ProblemResult {
    /// Verdict (the first test's that is not AC, in suite order), score and group scores.
    static func score(_ problem: Problem, tests: [TestResult]) -> (Verdict, Double, [GroupResult]) {
        let verdict = tests.first { $0.verdict != .accepted }?.verdict ?? .accepted
        guard !problem.groups.isEmpty else {
            return (verdict, tests.reduce(0) { $0 + $1.score * ($1.weight ?? 1) }, [])
        }
        var groups: [GroupResult] = []
        for g in problem.groups {
            let scores = tests.filter { $0.group == g.name }.map(\.score)
            let share: Double
            if scores.isEmpty {
                share = 0
            } else {
                switch g.aggregation {
                case .sum: share = scores.reduce(0, +) / Double(scores.count)
                case .min: share = scores.min()!
                }
            }
            groups.append(GroupResult(name: g.name, points: g.points, score: share * g.points, aggregation: g.aggregation))
        }
        return (verdict, groups.reduce(0) { $0 + $1.score }, groups)
    }
}

extension Submission {
    /// This submission with its language built and run in image `name` of `store` (nil:
    /// as it is).
    func inImage(_ name: String?, store: ImageStoreFolder?) -> Submission {
        var s = self
        s.language = language.inImage(name, store: store)
        return s
    }
}
