/// What each program came to when compiled (built, or a compile error), for the runs of one
/// caller. Failures that are not the program's own (a sandbox error, a missing toolchain)
/// are not kept: the next run tries again.
public final class BuildMemo: Sendable {
    private let submissions = Locked<[Submission: BuildOutcome]>([:])
    private let judges = Locked<[JudgeProgram: BuildOutcome]>([:])

    public init() {}

    func outcome(_ s: Submission) -> BuildOutcome? { submissions.withLock { $0[s] } }
    func outcome(_ j: JudgeProgram) -> BuildOutcome? { judges.withLock { $0[j] } }

    static func keeps(_ o: BuildOutcome) -> Bool {
        switch o {
        case .built: return true
        case .failed(let v, _): return v == .compileError
        }
    }

    func keep(_ o: BuildOutcome, for s: Submission) {
        if Self.keeps(o) { submissions.withLock { $0[s] = o } }
    }

    func keep(_ o: BuildOutcome, for j: JudgeProgram) {
        if Self.keeps(o) { judges.withLock { $0[j] = o } }
    }
}
