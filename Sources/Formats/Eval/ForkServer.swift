/// The warm interpreter of `proctor eval`: /usr/bin/python3 started once per pooled
/// sandbox. It imports nothing heavy, then, for each request (a JSON line on stdin: program,
/// timeout, memory), forks a child that runs the program as the reference harness does
/// (reliability guard, swallowed I/O, an interval timer) and answers one JSON line on
/// stdout: {"result": "passed" | "timed out" | "failed: ...", "clean": bool}.
/// EvalPlus requests add a "kind": "truth" runs a task's canonical solution on its inputs
/// (no guard) and answers the pickled outputs and times (base64, JSON); "plus" runs a sample
/// on a task's base or plus inputs under evalplus' guard and checks (see EvalPlus.swift), and
/// its result is the per-input verdicts ('1'/'0') then "\n" and "pass"/"fail".
///
/// What keeps samples apart:
/// - The untrusted work happens in the child only; the server is a fork parent that never
///   runs sample code. The protocol pipes are closed in the child, whose fds 0-2 are
///   /dev/null; the verdict comes back over a pipe of its own, at most 16 KiB.
/// - The server is not dumpable (prctl), so a sample can reach neither its memory
///   (/proc/PID/mem) nor its pipes (/proc/PID/fd/N, which would let it forge the answers
///   of later samples); ptrace is denied by the sandbox's seccomp filter.
/// - The child gets its own process group, RLIMIT_AS, RLIMIT_CPU and oom_score_adj 1000
///   (the OOM killer takes it, never the server). At its end (answer, exit or deadline) the
///   whole group is killed, then every other process in the sandbox's pid namespace but
///   init and the server (a grandchild that called setsid), until none is left.
/// - Each sample runs in a fresh folder under /tmp; afterwards /tmp, /dev/shm and the
///   workdir are emptied and the System V IPC objects of the sandbox's IPC namespace
///   removed. When anything could not be removed or killed, "clean" is false and the
///   runner throws the sandbox away (the pool resets it) and starts a fresh server.
///   Not undone between two samples: POSIX message queues (the pool's reset removes them).
/// - If a sample kills the server anyway (same uid: kill(2) via ctypes), the runner sees its
///   stdout end, counts that sample failed, and starts a fresh server in a reset sandbox.
///
/// The Python is fork_server.py beside this file (lint it, `python3 -m py_compile` it),
/// embedded in the binary at build time by SwiftPM's `.embedInCode` resource rule (see
/// Package.swift). Not a `.copy`/`.process` resource read through `Bundle.module`: that
/// looks for Proctor_Formats.resources next to the executable (else in the build folder
/// it was built in), so an installed `proctor` copied on its own would stop at its first
/// `proctor eval`; an embedded file travels inside the binary.
enum ForkServer {
    /// fork_server.py's text, without its final newline (as `python3 -c` is given it).
    static let script: String = {
        let bytes = PackageResources.fork_server_py
        return String(decoding: bytes.last == 0x0A ? bytes.dropLast() : bytes[...], as: UTF8.self)
    }()
}
