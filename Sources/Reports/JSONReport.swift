import Foundation
import Grading

/// The JSON report, schema "proctor.report/1" (Schemas/report.schema.json): run metadata,
/// then one entry per problem and submission with its verdict, score and tests. Keys are
/// snake_case and sorted; times in seconds, memory in bytes. New fields may be added within
/// version 1; a field removed or changed in meaning makes version 2. A shard's report (`--shard`)
/// is one more object, "shard" (`ShardSection`); `proctor merge` reads it back (`Document` is
/// decodable) and writes the whole run's report without it.
public enum JSONReport {
    public static let schema = "proctor.report/1"

    struct Document: Codable {
        var schema = JSONReport.schema
        var proctorVersion: String
        var machine: Machine
        var startedAt: String
        var duration: Double
        var summary: Summary
        var results: [Result]
        var shard: ShardSection? = nil
    }

    struct Machine: Codable {
        var hostname: String
        var cpus: Int
        var os: String
    }

    struct Summary: Codable {
        var allAccepted: Bool
        var problems: Int
        var tests: Int
        var accepted: Int

        /// The summary of these results (the same for a run's and a merge's).
        init(_ results: [Result]) {
            let tests = results.flatMap(\.tests)
            allAccepted = results.allSatisfy { $0.verdict == Verdict.accepted.rawValue }
            problems = results.count
            self.tests = tests.count
            accepted = tests.filter { $0.verdict == Verdict.accepted.rawValue }.count
        }
    }

    struct Result: Codable {
        var suite: String
        var problem: String
        var title: String?
        var submission: String
        var submissionPath: String
        var language: String
        var verdict: String
        var score: Double
        var maxScore: Double
        var compileMessage: String?
        /// Kind unit: the framework run's CPU time (`ProblemResult.frameworkCPUTime`).
        var frameworkCpuTime: Double? = nil
        var limits: Limits
        var groups: [Group]
        var tests: [Test]
    }

    struct Limits: Codable {
        var cpuTime: Double
        var wallTime: Double
        var memory: Int
        var output: Int
        var processes: Int
    }

    struct Group: Codable {
        var name: String
        var points: Double
        var score: Double
        var aggregation: String
    }

    struct Test: Codable {
        var name: String
        var group: String?
        var verdict: String
        var score: Double
        var cpuTime: Double
        var wallTime: Double
        var memory: Int
        var exitCode: Int?
        var signal: Int?
        var message: String
        var difference: Difference?
        var judgeMessage: String?
        var stdout: String
        var stderr: String
        /// Unit tests (kind unit): points, Gradescope visibility and number; left out otherwise.
        var weight: Double? = nil
        var visibility: String? = nil
        var number: String? = nil
    }

    public static func render(_ run: RunResult, shard: ShardSection? = nil) throws -> [UInt8] {
        var d = document(run)
        d.shard = shard
        return try encode(d)
    }

    static func document(_ run: RunResult) -> Document {
        let results = run.results.map { r in
            Result(
                suite: r.suite, problem: r.problem, title: r.title, submission: r.submission,
                submissionPath: r.submissionPath,
                language: r.language, verdict: r.verdict.rawValue, score: r.score, maxScore: r.maxScore,
                compileMessage: r.compileMessage, frameworkCpuTime: r.frameworkCPUTime,
                limits: Limits(
                    cpuTime: r.limits.cpuTime.seconds, wallTime: r.limits.wallTime.seconds, memory: r.limits.memory,
                    output: r.limits.output, processes: r.limits.processes),
                groups: r.groups.map {
                    Group(name: $0.name, points: $0.points, score: $0.score, aggregation: $0.aggregation.rawValue)
                },
                tests: r.tests.map { t in
                    Test(
                        name: t.name, group: t.group, verdict: t.verdict.rawValue, score: t.score, cpuTime: t.cpuTime,
                        wallTime: t.wallTime, memory: t.memoryPeak, exitCode: t.exitCode, signal: t.signal,
                        message: t.message,
                        difference: t.difference, judgeMessage: t.judgeMessage, stdout: t.stdoutExcerpt,
                        stderr: t.stderrExcerpt, weight: t.weight, visibility: t.visibility?.rawValue, number: t.number)
                })
        }
        return Document(
            proctorVersion: run.proctorVersion,
            machine: Machine(
                hostname: run.hostname, cpus: ProcessInfo.processInfo.activeProcessorCount,
                os: ProcessInfo.processInfo.operatingSystemVersionString),
            startedAt: Figures.iso8601(run.started), duration: run.duration, summary: Summary(results), results: results)
    }

    static func encode(_ document: Document) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(document)) + [0x0A]
    }

    static func decode(_ bytes: [UInt8]) throws -> Document {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(Document.self, from: Data(bytes))
    }
}
