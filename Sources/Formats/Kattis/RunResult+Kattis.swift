import Grading
import Yams

extension RunResult {
    /// The results of each package's problems (one per set of validator flags) folded into
    /// one result per submission, verdict and score as the package's grading says.
    public func mergingPackages(_ packages: [KattisPackage]) -> RunResult {
        guard !packages.isEmpty else { return self }
        var out: [ProblemResult] = []
        var i = 0
        while i < results.count {
            let r = results[i]
            guard let p = packages.first(where: { $0.shortName == r.suite }),
                let ids = try? Set(p.suite().problems.map(\.id)), ids.contains(r.problem)
            else {
                out.append(r)
                i += 1
                continue
            }
            var parts: [ProblemResult] = []
            while i < results.count, results[i].suite == r.suite, results[i].submissionPath == r.submissionPath,
                ids.contains(results[i].problem)
            {
                parts.append(results[i])
                i += 1
            }
            out.append(p.merge(parts) ?? r)
        }
        var copy = self
        copy.results = out
        return copy
    }
}
