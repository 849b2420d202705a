// proctor-bench: what a run costs in Proctor next to a bare fork+exec (issue 2).
//
// For each command (/bin/true, python3 -c pass) it measures, round-robin so that machine
// noise hits every variant alike:
//   bare     posix_spawn + waitpid from this process, no sandbox
//   oneshot  Sandbox.create + run + terminate (fresh namespaces, cgroups, root each time)
//   exec     run in one sandbox created beforehand (what a test costs in a warm sandbox)
//   pool     SandboxPool acquire + run + release (release includes the reset)
// and prints median, p10 and p90 (ms) and each median's ratio to bare's.
//
//   proctor-bench [--runs N] [--warmup N] [--json PATH] [--only true|python]
//
// Needs root (namespaces, cgroups, mounts), like the Sandbox library itself.

import Foundation
import Sandbox

#if canImport(Glibc)
import Glibc
#endif

// MARK: options

struct Options {
    var runs: Int? = nil
    var warmup = 10
    var jsonPath: String? = nil
    var only: String? = nil
    var variants: [Variant] = Variant.allCases
}

func usage() -> Never {
    let text = """
        usage: proctor-bench [--runs N] [--warmup N] [--json PATH] [--only true|python] [--variants LIST]
          --runs N         measured runs per variant (default 300 for /bin/true, 100 for python3)
          --warmup N       unmeasured rounds first (default 10)
          --json PATH      also write the results as JSON
          --only NAME      measure one command: true or python
          --variants LIST  comma-separated subset of bare,oneshot,exec,pool (for profiling one
                           path, e.g. under perf); ratios need bare

        """
    FileHandle.standardError.write(Data(text.utf8))
    exit(2)
}

func parseOptions() -> Options {
    var o = Options()
    var args = CommandLine.arguments.dropFirst()
    func value(_ flag: String) -> String {
        guard let v = args.popFirst() else {
            FileHandle.standardError.write(Data("proctor-bench: \(flag) needs a value\n".utf8))
            usage()
        }
        return v
    }
    func count(_ flag: String, minimum: Int) -> Int {
        let text = value(flag)
        guard let n = Int(text), n >= minimum else {
            FileHandle.standardError.write(Data("proctor-bench: \(flag) \(text): not a number >= \(minimum)\n".utf8))
            usage()
        }
        return n
    }
    while let arg = args.popFirst() {
        switch arg {
        case "--runs": o.runs = count(arg, minimum: 1)
        case "--warmup": o.warmup = count(arg, minimum: 0)
        case "--json": o.jsonPath = value(arg)
        case "--only":
            let v = value(arg)
            guard v == "true" || v == "python" else { usage() }
            o.only = v
        case "--variants":
            let names = value(arg).split(separator: ",").map(String.init)
            let picked = names.compactMap(Variant.init(rawValue:))
            guard !picked.isEmpty, picked.count == names.count else { usage() }
            o.variants = Variant.allCases.filter(picked.contains)
        case "-h", "--help": usage()
        default:
            FileHandle.standardError.write(Data("proctor-bench: unknown argument \(arg)\n".utf8))
            usage()
        }
    }
    return o
}

// MARK: clock and statistics

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

struct Summary {
    var count: Int
    var median: Double
    var p10: Double
    var p90: Double
    var mean: Double
    var min: Double
    var max: Double

    /// Percentiles by linear interpolation between closest ranks (as numpy's default).
    init(_ samples: [Double]) {
        let s = samples.sorted()
        func q(_ p: Double) -> Double {
            guard !s.isEmpty else { return .nan }
            let x = p * Double(s.count - 1)
            let lo = Int(x.rounded(.down))
            let hi = Swift.min(lo + 1, s.count - 1)
            return s[lo] + (s[hi] - s[lo]) * (x - Double(lo))
        }
        count = s.count
        median = q(0.5)
        p10 = q(0.1)
        p90 = q(0.9)
        mean = s.isEmpty ? .nan : s.reduce(0, +) / Double(s.count)
        min = s.first ?? .nan
        max = s.last ?? .nan
    }
}

func ms(_ seconds: Double) -> String { String(format: "%.3f", seconds * 1000) }
func ratio(_ x: Double) -> String { x.isFinite ? String(format: "%.2fx", x) : "-" }

// MARK: bare fork+exec

/// argv and envp as C arrays, made once: the bare variant measures only spawn + wait.
final class SpawnArgs {
    let path: UnsafeMutablePointer<CChar>
    let argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    let envp: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    var actions = posix_spawn_file_actions_t()

    init(_ command: [String], environment: [String: String]) {
        path = strdup(command[0])
        argv = Self.array(command)
        envp = Self.array(environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
        posix_spawn_file_actions_init(&actions)
        // Like the sandbox's default: stdin from /dev/null; stdout and stderr are inherited
        // (the commands print nothing, and a failure should show).
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    }

    static func array(_ items: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> {
        let a = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: items.count + 1)
        for (i, item) in items.enumerated() { a[i] = strdup(item) }
        a[items.count] = nil
        return a
    }

    /// Exit status and CPU seconds (user + system) of one spawn + wait; nil when the spawn failed.
    func run() -> (status: Int32, cpu: Double)? {
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard rc == 0 else { return nil }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            if errno != EINTR { return nil }
        }
        let cpu =
            Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        // WIFEXITED / WEXITSTATUS by hand (macros do not import).
        return ((status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f), cpu)
    }
}

// MARK: variants

enum Variant: String, CaseIterable {
    case bare, oneshot, exec, pool

    var title: String {
        switch self {
        case .bare: return "bare fork+exec (posix_spawn+waitpid)"
        case .oneshot: return "Proctor one-shot (create+run+terminate)"
        case .exec: return "Proctor exec in a ready sandbox (run)"
        case .pool: return "Proctor pool (acquire+run+release/reset)"
        }
    }
}

struct Failure: Error, CustomStringConvertible {
    var description: String
}

func check(_ result: ExecResult) throws {
    guard result.status == .exited, result.exitCode == 0 else {
        let err = String(decoding: result.stderr.prefix(300), as: UTF8.self)
        throw Failure(
            description: "status \(result.status.rawValue) exit \(result.exitCode.map(String.init) ?? "-")"
                + " signal \(result.signal.map(String.init) ?? "-") \(result.error ?? "") \(err)")
    }
}

/// Per-variant samples (total wall seconds, as seen by the caller) and phase samples.
struct Samples {
    var total: [Variant: [Double]] = [:]
    var phases: [String: [Double]] = [:]
    var failures: [Variant: Int] = [:]
    var firstError: [Variant: String] = [:]

    mutating func phase(_ name: String, _ seconds: Double) { phases[name, default: []].append(seconds) }
}

struct CommandResult {
    var name: String
    var argv: [String]
    var runs: Int
    var samples: Samples

    /// The variants that ran (a --variants subset runs only some).
    var measured: [Variant] {
        Variant.allCases.filter { samples.total[$0] != nil || samples.failures[$0] != nil }
    }
}

@MainActor
func measure(
    name: String, argv: [String], runs: Int, warmup: Int, variants: [Variant],
    configuration: SandboxConfiguration
) async throws
    -> CommandResult
{
    let bare = SpawnArgs(argv, environment: configuration.environment)
    let ready = try await Sandbox.create(configuration)
    let pool = SandboxPool(configuration: configuration, capacity: 1)
    try await pool.prewarm(1)
    var samples = Samples()

    for round in 0..<(warmup + runs) {
        let measured = round >= warmup
        for variant in variants {
            var phases: [(String, Double)] = []
            let t0 = now()
            do {
                switch variant {
                case .bare:
                    let outcome = bare.run()
                    guard let outcome, outcome.status == 0 else {
                        throw Failure(description: "exit status \(outcome.map { String($0.status) } ?? "spawn failed")")
                    }
                    phases = [("bare.cpu", outcome.cpu)]
                case .oneshot:
                    let sandbox = try await Sandbox.create(configuration)
                    let t1 = now()
                    let result: ExecResult
                    do {
                        result = try await sandbox.run(argv)
                    } catch {
                        await sandbox.terminate()
                        throw error
                    }
                    let t2 = now()
                    await sandbox.terminate()
                    let t3 = now()
                    try check(result)
                    phases = [
                        ("oneshot.create", t1 - t0), ("oneshot.run", t2 - t1), ("oneshot.terminate", t3 - t2),
                        ("oneshot.run.lib-wall", result.wallTime), ("oneshot.run.lib-cpu", result.cpuTime),
                    ]
                case .exec:
                    let result = try await ready.run(argv)
                    try check(result)
                    phases = [("exec.lib-wall", result.wallTime), ("exec.lib-cpu", result.cpuTime)]
                case .pool:
                    let sandbox = try await pool.acquire()
                    let t1 = now()
                    let result: ExecResult
                    do {
                        result = try await sandbox.run(argv)
                    } catch {
                        await pool.release(sandbox)
                        throw error
                    }
                    let t2 = now()
                    await pool.release(sandbox)
                    let t3 = now()
                    try check(result)
                    phases = [
                        ("pool.acquire", t1 - t0), ("pool.run", t2 - t1), ("pool.release", t3 - t2),
                        ("pool.run.lib-wall", result.wallTime), ("pool.run.lib-cpu", result.cpuTime),
                    ]
                }
            } catch {
                if measured {
                    samples.failures[variant, default: 0] += 1
                    if samples.firstError[variant] == nil { samples.firstError[variant] = "\(error)" }
                }
                continue
            }
            let elapsed = now() - t0
            if measured {
                samples.total[variant, default: []].append(elapsed)
                for (phase, seconds) in phases { samples.phase(phase, seconds) }
            }
        }
        if measured && (round - warmup + 1) % 50 == 0 {
            FileHandle.standardError.write(Data("  \(name): \(round - warmup + 1)/\(runs)\n".utf8))
        }
    }
    await ready.terminate()
    await pool.shutdown()
    return CommandResult(name: name, argv: argv, runs: runs, samples: samples)
}

// MARK: process health (leaks)

func countEntries(_ path: String) -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: path).count) ?? -1
}

func statusField(_ key: String) -> String {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return "?" }
    for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
        return line.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces)
    }
    return "?"
}

struct Health: Codable {
    var openFDs: Int
    var threads: String
    var rss: String
    /// Sandbox groups still under this runner's cgroup folder, per hierarchy.
    var cgroupChildren: [String: Int]
}

func health() -> Health {
    var groups: [String: Int] = [:]
    let me = "r\(getpid())-"
    for hierarchy in ["memory", "pids", "cpu", "cpuacct", "freezer", "unified", ""] {
        let base = hierarchy.isEmpty ? "/sys/fs/cgroup/proctor" : "/sys/fs/cgroup/\(hierarchy)/proctor"
        guard let runners = try? FileManager.default.contentsOfDirectory(atPath: base) else { continue }
        for runner in runners where runner.hasPrefix(me) {
            let children = (try? FileManager.default.contentsOfDirectory(atPath: "\(base)/\(runner)")) ?? []
            var isDir: ObjCBool = false
            groups[hierarchy.isEmpty ? "v2" : hierarchy] =
                children.filter {
                    FileManager.default.fileExists(atPath: "\(base)/\(runner)/\($0)", isDirectory: &isDir) && isDir.boolValue
                }.count
        }
    }
    return Health(
        openFDs: countEntries("/proc/self/fd"), threads: statusField("Threads"),
        rss: statusField("VmRSS"), cgroupChildren: groups)
}

// MARK: report

func table(_ r: CommandResult) -> String {
    let bareMedian = Summary(r.samples.total[.bare] ?? []).median
    var lines = [
        "### `\(r.argv.joined(separator: " "))` (\(r.runs) runs per variant, round-robin)",
        "",
        "| variant | n | median ms | p10 ms | p90 ms | median / bare |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for v in r.measured {
        let s = Summary(r.samples.total[v] ?? [])
        let fails = r.samples.failures[v, default: 0]
        let n = fails > 0 ? "\(s.count) (+\(fails) failed)" : "\(s.count)"
        lines.append("| \(v.title) | \(n) | \(ms(s.median)) | \(ms(s.p10)) | \(ms(s.p90)) | \(ratio(s.median / bareMedian)) |")
    }
    lines += [
        "",
        "Phases (median ms; lib-wall is ExecResult.wallTime, spawn start to reap; lib-cpu is ExecResult.cpuTime, "
            + "the exec cgroup's CPU; bare.cpu is the child's rusage user+system):", "",
        "| phase | median ms | p10 ms | p90 ms |", "|---|---:|---:|---:|",
    ]
    for name in r.samples.phases.keys.sorted() {
        let s = Summary(r.samples.phases[name]!)
        lines.append("| \(name) | \(ms(s.median)) | \(ms(s.p10)) | \(ms(s.p90)) |")
    }
    for v in r.measured {
        if let e = r.samples.firstError[v] { lines.append("\nfirst failure of \(v.rawValue): \(e)") }
    }
    return lines.joined(separator: "\n")
}

func jsonObject(_ r: CommandResult) -> [String: Any] {
    let bareMedian = Summary(r.samples.total[.bare] ?? []).median
    func stats(_ samples: [Double]) -> [String: Any] {
        let s = Summary(samples)
        return [
            "n": s.count, "median_ms": s.median * 1000, "p10_ms": s.p10 * 1000, "p90_ms": s.p90 * 1000,
            "mean_ms": s.mean * 1000, "min_ms": s.min * 1000, "max_ms": s.max * 1000,
        ]
    }
    var variants: [[String: Any]] = []
    for v in r.measured {
        var o = stats(r.samples.total[v] ?? [])
        o["variant"] = v.rawValue
        o["title"] = v.title
        o["failures"] = r.samples.failures[v, default: 0]
        o["ratio_to_bare"] = Summary(r.samples.total[v] ?? []).median / bareMedian
        if let e = r.samples.firstError[v] { o["first_error"] = e }
        variants.append(o)
    }
    var phases: [String: Any] = [:]
    for (name, samples) in r.samples.phases { phases[name] = stats(samples) }
    return ["name": r.name, "command": r.argv, "runs": r.runs, "variants": variants, "phases": phases]
}

func clean(_ value: Any) -> Any {
    // JSON has no NaN: an empty variant's figures become null.
    if let d = value as? Double, !d.isFinite { return NSNull() }
    if let o = value as? [String: Any] { return o.mapValues(clean) }
    if let a = value as? [Any] { return a.map(clean) }
    return value
}

// MARK: main

let options = parseOptions()
guard geteuid() == 0 else {
    FileHandle.standardError.write(Data("proctor-bench: needs root (sandboxes use namespaces, cgroups, mounts)\n".utf8))
    exit(1)
}
let configuration = SandboxConfiguration()
var commands: [(name: String, argv: [String], runs: Int)] = [
    ("true", ["/bin/true"], options.runs ?? 300),
    ("python", ["/usr/bin/python3", "-c", "pass"], options.runs ?? 100),
]
if let only = options.only { commands = commands.filter { $0.name == only } }

var uname = utsname()
Glibc.uname(&uname)
let kernel = withUnsafePointer(to: &uname.release) {
    $0.withMemoryRebound(to: CChar.self, capacity: 65) { String(cString: $0) }
}
var load = [Double](repeating: 0, count: 3)
getloadavg(&load, 3)
print("# proctor-bench")
print("")
print(
    "kernel \(kernel), \(ProcessInfo.processInfo.activeProcessorCount) cores, load \(load.map { String(format: "%.2f", $0) }.joined(separator: " ")), warmup \(options.warmup) rounds"
)
print("")

// The runtime (cgroup detection, seccomp export, sweep of dead runners) is made once per
// process; make it before measuring so no variant pays for it.
let before: Health
do {
    let first = try await Sandbox.create(configuration)
    _ = try await first.run(["/bin/true"])
    await first.terminate()
    before = health()
} catch {
    FileHandle.standardError.write(Data("proctor-bench: cannot make a sandbox: \(error)\n".utf8))
    exit(1)
}

var results: [CommandResult] = []
for command in commands {
    FileHandle.standardError.write(Data("measuring \(command.argv.joined(separator: " ")) ...\n".utf8))
    do {
        let r = try await measure(
            name: command.name, argv: command.argv, runs: command.runs,
            warmup: options.warmup, variants: options.variants,
            configuration: configuration)
        results.append(r)
        print(table(r))
        print("")
    } catch {
        FileHandle.standardError.write(Data("proctor-bench: \(command.name): \(error)\n".utf8))
        exit(1)
    }
}

let after = health()
print(
    "Runner health: open fds \(before.openFDs) -> \(after.openFDs), threads \(before.threads) -> \(after.threads), "
        + "rss \(before.rss) -> \(after.rss), sandbox cgroups left under this runner: "
        + (after.cgroupChildren.isEmpty
            ? "none (runner folder gone)"
            : after.cgroupChildren.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")))

if let path = options.jsonPath {
    let encoder = JSONEncoder()
    func healthObject(_ h: Health) -> Any {
        (try? JSONSerialization.jsonObject(with: encoder.encode(h))) ?? NSNull()
    }
    let object: [String: Any] = [
        "kernel": kernel,
        "cores": ProcessInfo.processInfo.activeProcessorCount,
        "loadavg_start": load,
        "warmup": options.warmup,
        "commands": results.map(jsonObject),
        "health_before": healthObject(before),
        "health_after": healthObject(after),
    ]
    do {
        let data = try JSONSerialization.data(withJSONObject: clean(object), options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: path))
    } catch {
        FileHandle.standardError.write(Data("proctor-bench: write \(path): \(error)\n".utf8))
        exit(1)
    }
}
