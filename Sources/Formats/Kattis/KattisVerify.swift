import Foundation
import Grading
import Logging
import SystemPackage

/// One submission of a package and what `verify` made of it.
public struct VerifiedSubmission: Sendable, Hashable {
    /// "submissions/accepted/x.cc", relative to the package.
    public var path: String
    /// The folder's name: "accepted", "wrong_answer", ...
    public var expected: String
    /// The verdict at the time limit; nil when skipped.
    public var verdict: Verdict?
    /// The verdict with the safety margin on the time limit.
    public var verdictWithMargin: Verdict?
    /// Scoring problems: the aggregated score at the time limit.
    public var score: Double?
    public var ok: Bool
    /// Why it was not judged (no toolchain, unknown language, a folder refused).
    public var skipped: String?
    /// One line: "OK", "OK with extra time", or what went wrong.
    public var message: String

    public init(
        path: String, expected: String, verdict: Verdict?, verdictWithMargin: Verdict? = nil, score: Double?, ok: Bool,
        skipped: String?, message: String
    ) {
        self.path = path
        self.expected = expected
        self.verdict = verdict
        self.verdictWithMargin = verdictWithMargin
        self.score = score
        self.ok = ok
        self.skipped = skipped
        self.message = message
    }
}

public struct VerifyResult: Sendable {
    public var problem: String
    public var ok: Bool
    /// The time limit used (fixed by the package, or computed from the accepted submissions).
    public var timeLimit: Double
    public var timeLimitComputed: Bool
    public var submissions: [VerifiedSubmission]
    /// Which rule judged output over the output limit (by the package's format version), and
    /// the limits that decided: the output limit and the safety margin.
    public var outputRule: String = ""
    public var outputLimit: Int = 0
    /// Which rule enforced the memory limit (by the package's format version), and the limit.
    public var memoryRule: String = ""
    public var memoryLimit: Int = 0
    public var safetyMargin: Double = 1
    /// Which rules judged the submissions: problemtools' folder rules, or the spec's
    /// (2025-09, or 2023-07 with a submissions.yaml).
    public var expectations = ""
    /// A shard's (`verify(_:shard:)`): each of `submissions`' index among all the package's
    /// submissions, and how many it has.
    public var positions: [Int] = []
    public var total: Int = 0

    public init(problem: String, ok: Bool, timeLimit: Double, timeLimitComputed: Bool, submissions: [VerifiedSubmission]) {
        self.problem = problem
        self.ok = ok
        self.timeLimit = timeLimit
        self.timeLimitComputed = timeLimitComputed
        self.submissions = submissions
    }
}

/// `proctor verify`: judges every submission under submissions/<folder>/ and checks it gets
/// the verdict its folder expects, as problemtools' verifyproblem does.
public struct KattisVerifier: Sendable {
    /// Folder -> the verdicts that satisfy it.
    public static let expectations: [String: Set<Verdict>] = [
        "accepted": [.accepted],
        "partially_accepted": [.accepted],
        "slow_accepted": [.accepted],
        "wrong_answer": [.wrongAnswer],
        "time_limit_exceeded": [.timeLimit],
        "run_time_error": [.runtimeError, .memoryLimit],
        "output_limit_exceeded": [.outputLimit],
        "compile_error": [.compileError],
        "rejected": [.wrongAnswer, .timeLimit, .runtimeError, .memoryLimit, .outputLimit, .compileError],
    ]

    /// The time limit used while judging the accepted submissions to compute one.
    public static let probeTimeLimit = 60.0

    let options: GradingOptions
    let languages: LanguageTable
    let logger: Logger

    public init(
        options: GradingOptions = .init(), languages: LanguageTable = .init(), logger: Logger = Logger(label: "proctor.verify")
    ) {
        self.options = options
        self.languages = languages
        self.logger = logger
    }

    struct Candidate {
        var path: String
        var folder: String
        var submission: Submission?
        var skipped: String?
        /// A zip or tar archive, judged as the folder it holds once unpacked (`unpackArchives`),
        /// and the language submissions.yaml gives it.
        var archive: RootedPath? = nil
        var language: String? = nil
    }

    /// Submissions are read beneath the package's folder: one that is a symlink leading
    /// out (or a folder of them that is) is skipped with the reason, never read.
    func candidates(_ package: KattisPackage, rules: SubmissionRules? = nil) -> [Candidate] {
        let root = package.confinedRoot
        var out: [Candidate] = []
        for folder in ((try? root.list("submissions")) ?? []) where !folder.hasPrefix(".") {
            let folderKind: ConfinedRoot.Kind?
            do {
                folderKind = try root.kind("submissions/" + folder)
            } catch {
                out.append(Candidate(path: "submissions/\(folder)", folder: folder, skipped: "refused: \(error)"))
                continue
            }
            guard folderKind == .directory else { continue }
            for entry in ((try? root.list("submissions/" + folder)) ?? []) where !entry.hasPrefix(".") {
                let rel = "submissions/\(folder)/\(entry)"
                let full = package.root.string + "/" + rel
                var c = Candidate(path: rel, folder: folder)
                let kind: ConfinedRoot.Kind?
                do {
                    kind = try root.kind(rel)
                } catch {
                    c.skipped = "refused: \(error)"
                    out.append(c)
                    continue
                }
                // submissions.yaml may name the language (a Kattis language code) and the entry point.
                let named = "\(folder)/\(entry)"
                let code = rules?.language(for: named)
                let language = code.flatMap { languages.language(id: $0) }
                if let code, language == nil {
                    c.skipped = "submissions.yaml gives language '\(code)', which no language here has as its id"
                } else if rules?.entrypoint(for: named) != nil {
                    c.skipped =
                        "submissions.yaml gives an entrypoint, which is not supported (refused rather than judged otherwise)"
                } else if Self.expectations[folder] == nil && (rules?.requirements(for: named).isEmpty ?? true) {
                    c.skipped = "'\(folder)' is not a submissions folder with a known expectation"
                } else if kind == .directory {
                    // A folder: all its files, the language and main file by problemtools' rules.
                    do {
                        let s = try Submission.folder(
                            name: entry, path: full, root: root, folder: rel, languages: languages, language: language?.id)
                        if let problem = s.language.toolchainProblem {
                            c.skipped = problem
                        } else {
                            c.submission = Self.withPackageLimits(s, package)
                        }
                    } catch let e as GradingError where e.code == .language {
                        c.skipped = e.message
                    } catch {
                        c.skipped = "refused: \(error)"
                    }
                } else if kind != .file {
                    c.skipped = "not a regular file"
                } else if SubmissionArchive.isArchive(entry) {
                    // Unpacked (in a sandbox) before judging, as `proctor run` unpacks one.
                    do {
                        c.archive = try root.file(rel)
                        c.language = language?.id
                    } catch {
                        c.skipped = "refused: \(error)"
                    }
                } else if language == nil, let python2 = Self.python2(try? root.file(rel), entry) {
                    // problemtools: a .py whose first line is a python2 shebang is Python 2.
                    if let language = languages.language(id: "python2"), language.toolchainProblem == nil {
                        var s = Submission(name: entry, path: full, language: language)
                        s.source = try? root.file(rel)
                        c.submission = s
                    } else {
                        c.skipped = python2
                    }
                } else if let language = language
                    ?? languages.detect(
                        FilePath(full), firstLine: (try? root.file(rel).read(limit: 16 << 20)).map(Language.firstLine))
                {
                    if let problem = language.toolchainProblem {
                        c.skipped = problem
                    } else {
                        c.submission = Self.withPackageLimits(
                            Submission(name: entry, path: full, language: language, source: try? root.file(rel)), package)
                    }
                } else {
                    c.skipped = "no known language has the extension of \(entry)"
                }
                out.append(c)
            }
        }
        return out
    }

    /// The candidates that are archives, unpacked beneath `scratch` and made folder submissions
    /// (the same rules as `proctor run`'s: `SubmissionArchive`); one refused is skipped with
    /// the reason, never judged.
    func unpackArchives(_ candidates: inout [Candidate], _ package: KattisPackage, into scratch: String) async {
        for i in candidates.indices {
            guard let archive = candidates[i].archive else { continue }
            let name = String(candidates[i].path.split(separator: "/").last ?? "")
            do {
                let bytes = try archive.read(limit: SubmissionArchive.maxBytes)
                let s = try await SubmissionArchive.submission(
                    bytes, named: name, scratch: scratch, languages: languages, language: candidates[i].language)
                if let problem = s.language.toolchainProblem {
                    candidates[i].skipped = problem
                } else {
                    candidates[i].submission = Self.withPackageLimits(s, package)
                }
            } catch let e as GradingError where e.code == .language {
                candidates[i].skipped = e.message
            } catch {
                candidates[i].skipped = "refused: \(error)"
            }
        }
    }

    /// limits.compilation_time and compilation_memory of the package (never below the
    /// language's own: a loaded machine compiles slowly).
    static func withPackageLimits(_ s: Submission, _ package: KattisPackage) -> Submission {
        var s = s
        // include/<language>/ (else include/default/): copied in before the build, a file of
        // the submission's with the same name replaced.
        let included = package.includedFiles[s.language.id] ?? package.includedFiles["default"] ?? []
        s.files = s.files.filter { f in !included.contains { $0.target == f.target } } + included
        s.language.compileTime = max(s.language.compileTime, .milliseconds(Int64(package.compilationTime * 1000)))
        s.language.compileMemory = max(s.language.compileMemory, package.compilationMemory)
        return s
    }

    /// Why a .py file is Python 2 (its first line a python2 shebang, as problemtools tells),
    /// or nil.
    /// Why a `.py` submission cannot run here if it is Python 2 (read beneath the package's folder).
    static func python2(_ source: RootedPath?, _ name: String) -> String? {
        guard name.hasSuffix(".py"), let bytes = try? source?.read(limit: 16 << 20) else { return nil }
        let first = String(decoding: bytes.prefix { $0 != 0x0A }, as: UTF8.self)
        guard first.range(of: #"^#!.*python2\b"#, options: .regularExpression) != nil else { return nil }
        return "a Python 2 program (its shebang says python2), and no python2 toolchain is installed on this machine"
    }

    /// `shard`: judge only its share of the submissions (the package's submissions, sorted
    /// by folder and name, are the units; see `Shard`). A time limit that the package does not
    /// fix is still computed from every accepted submission, in every shard, so that all
    /// shards judge at the same limit (unless the machines' speeds make them compute
    /// different ones, which `proctor merge` refuses).
    public func verify(_ package: KattisPackage, shard: Shard = .whole) async throws -> VerifyResult {
        let rules = try Self.submissionRules(package)
        var candidates = candidates(package, rules: rules)
        let unpacked = NSTemporaryDirectory() + "proctor-verify-archives-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: unpacked) }
        await unpackArchives(&candidates, package, into: unpacked)
        let owned = candidates.indices.filter(shard.owns)
        var options = self.options
        let scopes = package.rejectionScopes
        // problemtools' folder rules look at the final verdict: a submission stops at its
        // first failure. The spec's rules look at every test's verdict: all tests run.
        options.failFast = rules == nil
        options.failFastScope = { scopes[$0] ?? $0 }
        // Each program is compiled once, whichever of the runs below needs it first.
        if options.builds == nil { options.builds = BuildMemo() }
        var runs = Runs(package: package, phase: ContinuousClock.now)
        runs.rules = rules
        let judged = candidates.indices.filter { candidates[$0].submission != nil }
        try await setTimeLimit(&runs, candidates, judged: judged, owned: Set(owned), options: options)
        try await judge(&runs, candidates, judged: judged.filter(shard.owns), options: options)
        let out = owned.map { verdict(candidates[$0], index: $0, runs) }
        var result = VerifyResult(
            problem: package.shortName, ok: out.allSatisfy(\.ok), timeLimit: runs.timeLimit,
            timeLimitComputed: runs.computed, submissions: out)
        result.outputRule = package.outputRule.rawValue
        result.memoryRule = package.memoryRule.rawValue
        result.memoryLimit = package.memory
        result.outputLimit = package.output
        result.safetyMargin = package.safetyMargin
        result.expectations = rules == nil ? "problemtools' folder rules" : "the problem package spec's submission rules"
        result.positions = owned
        result.total = candidates.count
        return result
    }

    /// The spec's rules (SubmissionRules) for a 2025-09 package, or a 2023-07 one with a
    /// submissions/submissions.yaml; nil for problemtools' folder rules.
    static func submissionRules(_ package: KattisPackage) throws -> SubmissionRules? {
        let root = package.confinedRoot
        let rel = "submissions/submissions.yaml"
        let present = (try? root.kind(rel)) == .file
        guard !package.formatVersion.hasPrefix("legacy") else { return nil }
        guard present || package.formatVersion.hasPrefix("2025") else { return nil }
        guard present else { return SubmissionRules() }
        let bytes: [UInt8]
        do {
            bytes = try root.file(rel).read(limit: 1 << 20)
        } catch {
            throw FormatsError(.invalidPackage, "\(package.root)/\(rel): \(error)", underlyingError: error)
        }
        return try SubmissionRules(yaml: String(decoding: bytes, as: UTF8.self), name: "\(package.root)/\(rel)")
    }

    /// What the runs of one verification found, and at which limits.
    struct Runs {
        let package: KattisPackage
        let phase: ContinuousClock.Instant
        var timeLimit = 0.0
        /// The limit was computed from the accepted submissions (no fixed one).
        var computed = false
        /// Candidates judged to compute the limit: their runs give both limits at once.
        var done: Set<Int> = []
        /// By submission path: results at the time limit, and with the safety margin.
        var results: [String: [ProblemResult]] = [:]
        var withMargin: [String: [ProblemResult]] = [:]
        /// The spec's rules, when they judge (nil: problemtools' folder rules).
        var rules: SubmissionRules?

        func requirements(_ c: Candidate) -> [SubmissionRules.Requirement] {
            rules?.requirements(for: String(c.path.dropFirst("submissions/".count))) ?? []
        }

        /// Why the spec's requirements do not hold at `limit` (nil when they do).
        func violation(_ c: Candidate, _ parts: [ProblemResult], _ limit: Double) -> String? {
            let tests = parts.flatMap(\.tests)
            if let built = parts.first(where: { $0.verdict == .compileError }) {
                return "did not compile: \(built.compileMessage?.split(separator: "\n").first.map(String.init) ?? "CE")"
            }
            if let je = tests.first(where: { $0.verdict == .judgeError }) { return "judge error: \(je.name): \(je.headline)" }
            let score = package.scoring ? outcome(parts, limit).score : nil
            for r in requirements(c) {
                if let why = SubmissionRules.violation(of: r, results: tests, score: score, timeLimit: limit) { return why }
            }
            return nil
        }

        /// The slowest run time over the tests a submission's lower-bound requirements cover
        /// (its tests that ended in a verdict other than TLE: one that timed out at the probe's
        /// limit breaks its own requirement instead).
        func lowerBoundTime(_ c: Candidate) -> Double {
            guard let s = c.submission, let parts = results[s.path] else { return 0 }
            let globs = requirements(c).filter(\.lowerBound).map(\.tests)
            return parts.flatMap(\.tests).filter { t in
                t.verdict != .timeLimit && t.verdict != .skipped && t.verdict != .judgeError
                    && globs.contains { $0.map { SubmissionRules.matches($0, t.name) } ?? true }
            }.map(\.cpuTime).max() ?? 0
        }

        /// Under the spec's rules, an upper bound on the time limit (it must TLE even with
        /// the safety margin).
        func upperBound(_ c: Candidate) -> Bool { requirements(c).contains(where: \.upperBound) }

        var high: Double { timeLimit * package.safetyMargin }

        mutating func collect(_ run: RunResult) {
            for r in run.results { results[r.submissionPath, default: []].append(r) }
        }

        func fully(_ o: KattisOutcome) -> Bool {
            guard o.verdict == .accepted else { return false }
            if package.scoring, let fullScore = package.fullScore { return o.score >= fullScore - 1e-9 }
            return o.fullyAccepted
        }

        func outcome(_ parts: [ProblemResult], _ limit: Double) -> KattisOutcome {
            var byName: [String: TestResult] = [:]
            for p in parts { for t in p.tests { byName[t.name] = t } }
            if let built = parts.first(where: { $0.verdict == .compileError || $0.compileMessage != nil }),
                built.verdict == .compileError || built.tests.allSatisfy({ $0.verdict == .judgeError })
            {
                return KattisOutcome(verdict: built.verdict, score: 0, fullyAccepted: false)
            }
            return package.outcome(byName, timeLimit: limit)
        }

        func matches(_ folder: String, _ o: KattisOutcome) -> Bool {
            folder != "slow_accepted" && KattisVerifier.expectations[folder]!.contains(o.verdict)
                && !(folder == "partially_accepted" && fully(o))
        }
    }

    /// The package's fixed time limit, else, as problemtools does, one computed from the
    /// accepted submissions judged with a generous limit.
    func setTimeLimit(
        _ runs: inout Runs, _ candidates: [Candidate], judged: [Int], owned: Set<Int>, options: GradingOptions
    ) async throws {
        let package = runs.package
        if let fixed = package.fixedTimeLimit {
            runs.timeLimit = fixed
            return
        }
        runs.computed = true
        // problemtools: the accepted ones bound the limit from below. The spec: every
        // submission with a lower-bound requirement (no TLE permitted, or `lower`), over the
        // tests it covers. Here the probe's generous limit runs only the accepted ones and
        // those marked `use_for_time_limit: lower`: a wrong answer that loops would hold it a
        // minute. The other lower bounds (wrong_answer, run_time_error by default) are
        // checked against the computed limit afterwards, and a warning says if one is slower.
        let accepted =
            runs.rules == nil
            ? judged.filter { candidates[$0].folder == "accepted" }
            : judged.filter { i in
                let rs = runs.requirements(candidates[i])
                return rs.contains { $0.timeLimitUse == .lower }
                    || (candidates[i].folder == "accepted" && rs.contains(where: \.lowerBound)
                        && !rs.contains { $0.permitted?.contains(.TLE) == true || $0.upperBound })
            }
        if runs.rules != nil && accepted.isEmpty {
            throw FormatsError(
                .invalidPackage,
                "\(package.root): no submission bounds the time limit from below (the spec requires one: an accepted submission, or use_for_time_limit: lower)"
            )
        }
        var probe = options
        probe.failFast = false
        // The others are compiled while the accepted ones' last tests run (the limit waits
        // for the slowest of them), so the next phase starts with its programs built.
        let others = judged.filter { !accepted.contains($0) && owned.contains($0) }
        let run = try await Grader(options: probe, languages: languages, logger: logger)
            .grade(
                suites: [try package.suite(timeLimit: Self.probeTimeLimit)],
                submissions: accepted.map { candidates[$0].submission! },
                alsoCompile: others.map { candidates[$0].submission! })
        runs.collect(run)
        runs.done = Set(accepted)
        let slowest =
            runs.rules == nil
            ? run.results.flatMap(\.tests).filter { $0.verdict == .accepted }.map(\.cpuTime).max() ?? 0
            : accepted.map { runs.lowerBoundTime(candidates[$0]) }.max() ?? 0
        let exact = slowest * package.timeMultiplier
        runs.timeLimit = max(1, (exact / package.timeResolution).rounded(.up)) * package.timeResolution
        logger.debug(
            "verify: time limit computed",
            metadata: ["limit": "\(runs.timeLimit)", "seconds": "\(Grader.seconds(since: runs.phase))"])
    }

    /// The others run with the time limit; those that do not get what their folder expects
    /// (and slow_accepted ones) run again with the safety margin, as problemtools judges
    /// at both limits. The accepted ones judged to compute the limit give both at once.
    func judge(_ runs: inout Runs, _ candidates: [Candidate], judged: [Int], options: GradingOptions) async throws {
        let package = runs.package
        let grader = Grader(options: options, languages: languages, logger: logger)
        let rest = judged.filter { !runs.done.contains($0) }
        if !rest.isEmpty {
            runs.collect(
                try await grader.grade(
                    suites: [try package.suite(timeLimit: runs.timeLimit)],
                    submissions: rest.map { candidates[$0].submission! }))
        }
        logger.debug(
            "verify: judged at the time limit",
            metadata: ["submissions": "\(rest.count)", "seconds": "\(Grader.seconds(since: runs.phase))"])
        let again = rest.filter { i in
            guard let s = candidates[i].submission, let parts = runs.results[s.path] else { return false }
            if runs.rules != nil {
                return runs.violation(candidates[i], parts, runs.timeLimit) != nil || runs.upperBound(candidates[i])
            }
            return !runs.matches(candidates[i].folder, runs.outcome(parts, runs.timeLimit))
        }
        if !again.isEmpty {
            let run = try await grader.grade(
                suites: [try package.suite(timeLimit: runs.high)], submissions: again.map { candidates[$0].submission! })
            for r in run.results { runs.withMargin[r.submissionPath, default: []].append(r) }
            logger.debug(
                "verify: judged with the safety margin",
                metadata: ["submissions": "\(again.count)", "seconds": "\(Grader.seconds(since: runs.phase))"])
        }
    }

    /// What one candidate came to against its folder's expectation, with the package's
    /// own checks (a fixed limit too tight for it, limits.code).
    func verdict(_ c: Candidate, index i: Int, _ runs: Runs) -> VerifiedSubmission {
        let expected = c.folder
        guard let s = c.submission, let parts = runs.results[s.path] else {
            return VerifiedSubmission(
                path: c.path, expected: expected, verdict: nil, verdictWithMargin: nil, score: nil,
                ok: true, skipped: c.skipped ?? "not judged", message: "skipped: \(c.skipped ?? "not judged")")
        }
        let atLimit = runs.outcome(parts, runs.timeLimit)
        let atHigh =
            runs.withMargin[s.path].map { runs.outcome($0, runs.high) }
            ?? (runs.done.contains(i) ? runs.outcome(parts, runs.high) : atLimit)
        var (ok, message) =
            runs.rules == nil
            ? Self.expectation(expected, atLimit: atLimit, atHigh: atHigh, parts: parts, runs)
            : Self.specExpectation(c, index: i, parts: parts, runs)
        if ok && expected == "accepted" && runs.package.scoring && !runs.fully(atLimit) {
            message += " (warning: not the full score)"
        }
        Self.packageChecks(expected, submission: s, parts: parts, runs, ok: &ok, message: &message)
        return VerifiedSubmission(
            path: c.path, expected: expected, verdict: atLimit.verdict, verdictWithMargin: atHigh.verdict,
            score: runs.package.scoring ? atLimit.score : nil, ok: ok, skipped: nil, message: message)
    }

    /// The spec's rules: every requirement on the submission holds at the time limit (or,
    /// as problemtools allows, with the safety margin: "OK with extra time"); one that
    /// bounds the limit from above must still hold with the margin (its TLE is not a near
    /// miss).
    static func specExpectation(_ c: Candidate, index i: Int, parts: [ProblemResult], _ runs: Runs) -> (
        ok: Bool, message: String
    ) {
        let high = runs.withMargin[c.submission!.path] ?? (runs.done.contains(i) ? parts : nil)
        let atLimit = runs.violation(c, parts, runs.timeLimit)
        let atHigh = high.map { runs.violation(c, $0, runs.high) }
        if runs.upperBound(c), let atHigh, let why = atHigh {
            return (false, "with the safety margin (\(runs.high)s): \(why)")
        }
        guard let why = atLimit else {
            let slowest = runs.lowerBoundTime(c)
            if runs.computed && !runs.done.contains(i) && slowest * runs.package.timeMultiplier > runs.timeLimit {
                return (
                    true,
                    "OK (warning: a lower bound of the time limit by the spec's rules, and its slowest test, \(slowest) s, times ac_to_time_limit is over the computed limit)"
                )
            }
            return (true, "OK")
        }
        if let atHigh, atHigh == nil, !runs.upperBound(c) {
            return (true, "OK with extra time (\(runs.high)s; at \(runs.timeLimit)s: \(why))")
        }
        return (false, why)
    }

    /// Whether the verdicts at the limit and with the margin are what the folder expects.
    static func expectation(
        _ expected: String, atLimit: KattisOutcome, atHigh: KattisOutcome, parts: [ProblemResult],
        _ runs: Runs
    ) -> (ok: Bool, message: String) {
        let want = expectations[expected]!
        let partial = expected == "partially_accepted"
        if expected == "slow_accepted" {
            let ok = atHigh.verdict == .accepted
            return (
                ok,
                ok
                    ? (atLimit.verdict == .accepted ? "OK (not slow: AC within the time limit)" : "OK with extra time")
                    : "got \(atHigh.verdict.rawValue) even with the safety margin"
            )
        } else if partial && runs.fully(atLimit) {
            return (false, "was fully accepted")
        } else if want.contains(atLimit.verdict) {
            return (true, "OK")
        } else if want.contains(atHigh.verdict) && !(partial && runs.fully(atHigh)) {
            return (
                true,
                "OK with extra time (\(atHigh.verdict.rawValue) with \(runs.high)s, \(atLimit.verdict.rawValue) with \(runs.timeLimit)s)"
            )
        } else {
            let why =
                parts.flatMap(\.tests).first { $0.verdict != .accepted && $0.verdict != .skipped }.map {
                    ": \($0.name): \($0.headline)"
                } ?? ""
            return (false, "got \(atLimit.verdict.rawValue)\(why)")
        }
    }

    /// The package's checks of a submission: a fixed time limit must leave the accepted ones
    /// ac_to_time_limit (time_multiplier) times their slowest test, as problemtools checks
    /// (an error of the package there; a limit from a .timelimit file, not problem.yaml,
    /// only warns, as problemtools does for a limit given on its command line); limits.code:
    /// problemtools reports a larger submission as an error of the package.
    static func packageChecks(
        _ expected: String, submission s: Submission, parts: [ProblemResult], _ runs: Runs,
        ok: inout Bool, message: inout String
    ) {
        let package = runs.package
        if expected == "accepted" && !runs.computed {
            let slowest = parts.flatMap(\.tests).filter { $0.verdict == .accepted }.map(\.cpuTime).max() ?? 0
            if slowest * package.timeMultiplier > runs.timeLimit {
                if package.timeLimitInProblemYAML { ok = false }
                message +=
                    " (\(package.timeLimitInProblemYAML ? "error" : "warning"): its slowest test, \(String(format: "%.2f", slowest)) s, times ac_to_time_limit "
                    + "\(String(format: "%g", package.timeMultiplier)) is over the fixed time limit of \(String(format: "%g", runs.timeLimit)) s)"
            }
        }
        // A folder submission: the sum of its files' sizes.
        let size =
            s.mainFile != nil
            ? try? ([s.source].compactMap { $0 } + s.files.map(\.source)).reduce(0) { $0 + (try $1.size()) }
            : try? FileManager.default.attributesOfItem(atPath: s.path)[.size] as? Int
        if let size, size > package.codeLimit {
            ok = false
            message += " (error: \(size / 1024) KiB is over the code size limit of \(package.codeLimit / 1024) KiB, limits.code)"
        }
    }
}
