import Foundation
import Testing

/// The `proctor exec` contract, run as a user would: the built binary, its exit codes,
/// its JSON.
@Suite("proctor exec (the CLI contract)")
struct ExecCommandTests {
    static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
        "proctor"
    ).path
    static let isRoot = geteuid() == 0

    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
        /// The JSON object. Invalid output bytes are written as "\\udcXX" (surrogate escapes,
        /// which Python reads losslessly); Foundation rejects lone surrogates, so they are
        /// mapped to U+00XX here before parsing. The raw text is checked separately.
        var json: [String: Any] {
            let text = stdout.replacingOccurrences(of: "\\udc", with: "\\u00")
            return (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        }
    }

    static func proctor(_ args: [String], stdin: String? = nil) throws -> Outcome {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Outcome(
            status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    @Test(
        "bad flags: a clear usage error and exit 2",
        arguments: [
            ["exec", "--memory", "lots", "--", "true"], ["exec", "--time", "-3s", "--", "true"],
            ["exec", "--bogus", "--", "true"], ["exec"], ["exec", "--file", "/nonexistent:x", "--", "true"],
        ])
    func usageErrors(_ args: [String]) throws {
        let r = try Self.proctor(args)
        #expect(r.status == 2, "\(args): \(r.stderr)")
        #expect(r.stderr.contains("Error") || r.stderr.contains("Usage"), "\(r.stderr)")
    }

    @Test("--json prints exactly the documented object", .enabled(if: isRoot, "needs root: runs a sandbox"))
    func jsonShape() throws {
        let r = try Self.proctor(["exec", "--json", "--", "/bin/sh", "-c", "printf 'a\\377'; echo e >&2; exit 3"])
        #expect(r.status == 0)
        let j = r.json
        #expect(
            Set(j.keys) == [
                "status", "exit_code", "signal", "cpu_time", "wall_time", "memory_peak", "stdout", "stderr",
                "stdout_truncated", "stderr_truncated", "oom_killed",
            ])
        #expect(j["status"] as? String == "exited")
        #expect(j["exit_code"] as? Int == 3)
        #expect(j["signal"] is NSNull)
        #expect(j["stderr"] as? String == "e\n")
        #expect(r.stdout.contains(#""stdout": "a\udcff""#))
        #expect((j["memory_peak"] as? Int ?? 0) > 0)
    }

    @Test("passthrough: stdin, stdout, stderr live; the command's exit code", .enabled(if: isRoot, "needs root: runs a sandbox"))
    func passthrough() throws {
        let r = try Self.proctor(["exec", "--", "/bin/sh", "-c", "cat; echo err >&2; exit 5"], stdin: "typed\n")
        #expect(r.status == 5)
        #expect(r.stdout == "typed\n")
        #expect(r.stderr == "err\n")
    }

    @Test("killed by signal N exits 128+N; a limit prints one line of reason", .enabled(if: isRoot, "needs root: runs a sandbox"))
    func signalsAndLimits() throws {
        #expect(try Self.proctor(["exec", "--", "/bin/sh", "-c", "kill -TERM $$"]).status == 143)
        let r = try Self.proctor(["exec", "--wall-time", "200ms", "--", "sleep", "10"])
        #expect(r.status == 137)
        #expect(r.stderr.hasPrefix("proctor: wall time limit exceeded"))
        #expect(r.stderr.split(separator: "\n").count == 1)
    }

    @Test("limits and files in JSON mode", .enabled(if: isRoot, "needs root: runs a sandbox"))
    func limitsJSON() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-cli-\(getpid()).txt")
        try "payload\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let cat = try Self.proctor([
            "exec", "--json", "--file", "\(file.path):in/data.txt", "--workdir", "/work", "--", "/bin/sh", "-c",
            "pwd; cat in/data.txt",
        ])
        #expect(cat.json["stdout"] as? String == "/work\npayload\n")
        let flood = try Self.proctor(["exec", "--json", "--output-limit", "1K", "--", "yes"])
        #expect(flood.json["status"] as? String == "output-limit")
        #expect(flood.json["stdout_truncated"] as? Bool == true)
        #expect((flood.json["stdout"] as? String)?.utf8.count == 1024)
        let memory = try Self.proctor([
            "exec", "--json", "--memory", "32M", "--", "/usr/bin/python3", "-c", "b = bytearray(200 << 20)",
        ])
        #expect(memory.json["status"] as? String == "memory-limit")
        let cpu = try Self.proctor(["exec", "--json", "--time", "300ms", "--", "/bin/sh", "-c", "while :; do :; done"])
        #expect(cpu.json["status"] as? String == "cpu-time-limit")
        let pids = try Self.proctor([
            "exec", "--json", "--pids", "5", "--", "/bin/sh", "-c", "for i in 1 2 3 4 5 6 7 8; do sleep 1 & done; wait",
        ])
        #expect((pids.json["stderr"] as? String ?? "").contains("fork"))
        let net = try Self.proctor(["exec", "--json", "--network", "--", "/bin/cat", "/proc/net/dev"])
        #expect(((net.json["stdout"] as? String) ?? "").split(separator: "\n").count > 3)
    }

    /// tmpfs pages count as memory: a program that fills /tmp, /dev/shm or the workdir
    /// past --memory (but within the tmpfs size) hits the memory limit. The OOM killer
    /// used to take the sandbox's init, which read as `signaled 9, oom_killed false`.
    @Test(
        "filling a tmpfs past --memory is memory-limit, OOM-killed", .enabled(if: isRoot, "needs root: runs a sandbox"),
        arguments: ["/tmp", "/dev/shm", "/sandbox"])
    func tmpfsFillIsMemoryLimit(_ folder: String) throws {
        let r = try Self.proctor([
            "exec", "--json", "--memory", "32M", "--wall-time", "20s", "--",
            "/bin/sh", "-c", "exec head -c 60000000 /dev/zero > \(folder)/fill",
        ])
        #expect(r.json["status"] as? String == "memory-limit", "\(r.stdout) \(r.stderr)")
        #expect(r.json["oom_killed"] as? Bool == true)
    }
}

/// A runner killed with SIGKILL mid-run: its sandbox dies with it (init's lifeline pipe
/// closes), and the cgroup set it held, one of the ready sets, serves the next run empty.
@Suite(
    "a runner killed with SIGKILL", .enabled(if: geteuid() == 0, "needs root: runs a sandbox"), .timeLimit(.minutes(5)))
struct KilledRunnerTests {
    /// Live host processes whose command line holds `marker`, in any of Proctor's cgroups.
    /// A zombie, or a process already in exit (PF_EXITING: a pid-namespace init waiting for
    /// its zombies), runs no code any more; reaping orphaned zombies is the host init's
    /// job, which some inits (this machine's among them) do only every few seconds.
    static func processes(marked marker: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).filter { entry in
            guard Int(entry) != nil, let cgroups = try? String(contentsOfFile: "/proc/\(entry)/cgroup", encoding: .utf8),
                cgroups.contains("/proctor/"),
                let cmdline = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(entry)/cmdline")),
                String(decoding: cmdline, as: UTF8.self).contains(marker),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            let state = fields.first ?? "?"
            let flags = UInt64(fields.count > 6 ? fields[6] : "0") ?? 0
            return state != "Z" && state != "X" && flags & 0x4 == 0
        }
    }

    /// The runner's own cgroup folders (a one-shot runner makes none: it takes ready sets).
    static func runnerFolders(of pid: Int32) -> [String] {
        ReadySetTests.hierarchies.flatMap { base -> [String] in
            ((try? FileManager.default.contentsOfDirectory(atPath: base)) ?? [])
                .filter { $0.hasPrefix("r\(pid)-") }.map { "\(base)/\($0)" }
        }
    }

    @Test("SIGKILL mid-run: no process survives; the set it held serves the next run, empty")
    func sigkill() async throws {
        let marker = "1000.\(getpid())\(Int.random(in: 100...999))"
        let runner = Process()
        runner.executableURL = URL(fileURLWithPath: ExecCommandTests.binary)
        runner.arguments = ["exec", "--", "/bin/sh", "-c", "sleep \(marker) & sleep \(marker)"]
        runner.standardInput = FileHandle.nullDevice
        try runner.run()
        let pid = runner.processIdentifier
        var started = false
        for _ in 0..<100 where !started {
            try await Task.sleep(for: .milliseconds(50))
            started = Self.processes(marked: marker).count >= 2
        }
        try #require(started, "the sandboxed sleeps never showed up")
        kill(pid, SIGKILL)
        runner.waitUntilExit()
        var gone = false
        for _ in 0..<100 where !gone {
            try await Task.sleep(for: .milliseconds(20))
            gone = Self.processes(marked: marker).isEmpty
        }
        #expect(gone, "sandboxed processes outlived their runner: \(Self.processes(marked: marker))")
        let next = try ExecCommandTests.proctor(["exec", "--", "/bin/true"])
        #expect(next.status == 0)
        #expect(Self.runnerFolders(of: pid).isEmpty)
        #expect(ReadySetTests.busySets().isEmpty, "ready sets still hold processes: \(ReadySetTests.busySets())")
    }
}

/// The cgroup sets `proctor exec` keeps ready across runs (proctor/ready/k<N>): taken one
/// per runner, given back empty, every limit written anew by the next user. Run alone
/// (Makefile SERIAL_TESTS): "the same set again" holds only when no other runner takes one.
@Suite(
    "ready cgroup sets", .enabled(if: geteuid() == 0, "needs root: runs a sandbox"), .serialized,
    .timeLimit(.minutes(5)))
struct ReadySetTests {
    static let hierarchies = ["memory", "pids", "unified", ""].map { "/sys/fs/cgroup/\($0)/proctor" }
        .filter { FileManager.default.fileExists(atPath: $0) }

    /// Ready sets (in any hierarchy) with a process in them or their leaves.
    static func busySets() -> [String] {
        hierarchies.flatMap { base -> [String] in
            let ready = "\(base)/ready"
            return ((try? FileManager.default.contentsOfDirectory(atPath: ready)) ?? []).filter { set in
                ["", "/init", "/x1", "/x2"].contains { leaf in
                    !((try? String(contentsOfFile: "\(ready)/\(set)\(leaf)/cgroup.procs", encoding: .utf8)) ?? "").isEmpty
                }
            }.map { "\(ready)/\($0)" }
        }
    }

    struct NeverSeen: Error, CustomStringConvertible {
        var marker: String
        var description: String { "the sandboxed sleep \(marker) never showed up in a Proctor cgroup within 10 s" }
    }

    struct Holding {
        var set: String  // e.g. "ready/k0"
        var memoryLimit: String
        var pidsLimit: String
    }

    /// Runs `proctor exec ARGS -- sleep` and reads, from the host while it runs, which set
    /// the sleep is in and that set's memory and pids limits.
    static func holding(_ args: [String]) async throws -> Holding {
        // A sleep of 3.x s (the digits make it findable): long enough to be seen from the
        // host even when the runner starts slowly on a loaded machine.
        let marker = "3.\(getpid())\(Int.random(in: 100...999))"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ExecCommandTests.binary)
        p.arguments = ["exec"] + args + ["--", "/bin/sleep", marker]
        p.standardInput = FileHandle.nullDevice
        try p.run()
        defer { p.waitUntilExit() }
        for _ in 0..<1000 {
            try await Task.sleep(for: .milliseconds(10))
            guard let pid = KilledRunnerTests.processes(marked: marker).first,
                let cgroups = try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8)
            else { continue }
            let lines = cgroups.split(separator: "\n")
            let v1 = lines.first { $0.contains(":memory:") }
            let line = v1 ?? lines.first { $0.hasPrefix("0::") }
            guard let leaf = line?.split(separator: ":", maxSplits: 2).last.map(String.init),
                leaf.hasPrefix("/proctor/")
            else { continue }
            let set = URL(fileURLWithPath: leaf).deletingLastPathComponent().path  // /proctor/ready/kN
            func read(_ path: String) -> String {
                ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "<missing>").trimmingCharacters(
                    in: .whitespacesAndNewlines)
            }
            if v1 != nil {
                return Holding(
                    set: String(set.dropFirst("/proctor/".count)),
                    memoryLimit: read("/sys/fs/cgroup/memory\(set)/memory.limit_in_bytes"),
                    pidsLimit: read("/sys/fs/cgroup/pids\(set)/pids.max"))
            }
            return Holding(
                set: String(set.dropFirst("/proctor/".count)), memoryLimit: read("/sys/fs/cgroup\(set)/memory.max"),
                pidsLimit: read("/sys/fs/cgroup\(set)/pids.max"))
        }
        throw NeverSeen(marker: marker)
    }

    @Test("two runners at once take two sets; one after the other reuse one")
    func distinctWhileBusy() async throws {
        async let a = Self.holding([])
        async let b = Self.holding([])
        let (first, second) = try await (a, b)
        #expect(first.set.hasPrefix("ready/k") && second.set.hasPrefix("ready/k"))
        #expect(first.set != second.set)
        let third = try await Self.holding([])
        let fourth = try await Self.holding([])
        #expect(third.set == fourth.set)
        #expect(Self.busySets().isEmpty)
    }

    @Test("a set's next user gets its own limits, not the last user's")
    func limitsWrittenAnew() async throws {
        let small = try await Self.holding(["--memory", "32M", "--pids", "7"])
        #expect(small.memoryLimit == "\(32 << 20)")
        #expect(small.pidsLimit == "7")
        let plain = try await Self.holding([])
        #expect(plain.set == small.set)  // the same set...
        #expect(plain.memoryLimit == "\(512 << 20)")  // ...with the defaults written back
        #expect(plain.pidsLimit == "64")
    }

    @Test("a set whose record was emptied is made anew: only a whole record stands for its limits")
    func emptiedRecordRewritten() async throws {
        let first = try await Self.holding([])
        let n = String(first.set.dropFirst("ready/k".count))
        // As a taker that died while changing the limits leaves it: the record emptied, a
        // limit changed. The next taker must not trust the folders as they are.
        let v1 = FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/proctor/\(first.set)")
        let limitFile =
            v1
            ? "/sys/fs/cgroup/memory/proctor/\(first.set)/memory.limit_in_bytes"
            : "/sys/fs/cgroup/proctor/\(first.set)/memory.max"
        try "\(16 << 20)".write(toFile: limitFile, atomically: false, encoding: .utf8)
        try "".write(toFile: "/run/proctor/cgroups/\(n)", atomically: false, encoding: .utf8)
        let second = try await Self.holding([])
        #expect(second.set == first.set)
        #expect(second.memoryLimit == "\(512 << 20)")
        // And the record is whole again: a third user with the same limits finds them.
        let third = try await Self.holding([])
        #expect(third.set == first.set && third.memoryLimit == "\(512 << 20)" && third.pidsLimit == "64")
    }

    @Test("a process left in a free set is killed by the next user before it runs")
    func leftoverKilled() async throws {
        // A host process put into a free set's init leaf behind Proctor's back.
        let set = try await Self.holding([]).set
        let intruder = Process()
        intruder.executableURL = URL(fileURLWithPath: "/bin/sleep")
        intruder.arguments = ["1001.\(getpid())"]
        try intruder.run()
        for base in Self.hierarchies {  // in every hierarchy, as a sandbox's process is
            let leaf = FileManager.default.fileExists(atPath: "\(base)/\(set)/init") ? "\(base)/\(set)/init" : "\(base)/\(set)"
            try "\(intruder.processIdentifier)".write(toFile: "\(leaf)/cgroup.procs", atomically: false, encoding: .utf8)
        }
        #expect(!Self.busySets().isEmpty)
        let r = try ExecCommandTests.proctor(["exec", "--", "/bin/true"])
        #expect(r.status == 0, "\(r.stderr)")
        intruder.waitUntilExit()
        #expect(intruder.terminationReason == .uncaughtSignal && intruder.terminationStatus == SIGKILL)
        #expect(Self.busySets().isEmpty)
    }
}
