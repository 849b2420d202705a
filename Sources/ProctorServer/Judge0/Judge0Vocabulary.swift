import Foundation
import Sandbox

/// Judge0 CE 1.13.1's vocabulary: language ids, statuses, configuration. Kept faithful so
/// Judge0 clients work unchanged; Proctor's own API (/execute, /grade) says more (MLE, OLE).
enum Judge0 {
    static let version = "1.13.1"
    static let statuses: [(Int, String)] = [
        (1, "In Queue"), (2, "Processing"), (3, "Accepted"), (4, "Wrong Answer"), (5, "Time Limit Exceeded"),
        (6, "Compilation Error"), (7, "Runtime Error (SIGSEGV)"), (8, "Runtime Error (SIGXFSZ)"),
        (9, "Runtime Error (SIGFPE)"), (10, "Runtime Error (SIGABRT)"), (11, "Runtime Error (NZEC)"),
        (12, "Runtime Error (Other)"), (13, "Internal Error"), (14, "Exec Format Error"),
    ]
    static func description(_ id: Int) -> String { statuses.first { $0.0 == id }?.1 ?? "Internal Error" }

    /// Judge0 CE ids for Proctor's languages (the ids Judge0's own clients use for 1.13.1).
    static let ids: [(Int, String)] = [
        (46, "bash"), (50, "c"), (52, "cpp"), (54, "cpp"), (62, "java"), (63, "javascript"), (71, "python3"),
        (73, "rust"), (83, "swift"),
        (51, "csharp"), (55, "lisp"), (56, "d"), (57, "elixir"), (58, "erlang"), (59, "fortran"), (60, "go"),
        (61, "haskell"), (64, "lua"), (65, "ocaml"), (67, "pascal"), (68, "php"), (69, "prolog"), (70, "python2"),
        (72, "ruby"), (74, "typescript"), (78, "kotlin"), (80, "r"), (81, "scala"), (85, "perl"),
    ]

    // Judge0's own defaults and maxima, its names and units (seconds, kilobytes).
    static let cpuTimeLimit = 5.0, maxCpuTimeLimit = 15.0, cpuExtraTime = 1.0, maxCpuExtraTime = 5.0
    static let wallTimeLimit = 10.0, maxWallTimeLimit = 20.0
    static let memoryLimit = 128_000, maxMemoryLimit = 512_000, stackLimit = 64_000, maxStackLimit = 128_000
    static let maxProcesses = 60, maxMaxProcesses = 120, maxFileSize = 1024, maxMaxFileSize = 4096
    static let maxBatch = 20

    /// The limits this server applies: Judge0's, lowered to the operator's caps (the caps on
    /// uploaded suites and on /execute), so no Judge0 submission can ask for more than a
    /// suite or /execute could. A default above its maximum comes down to the maximum.
    struct Limits {
        var cpuTime: Double, maxCpuTime: Double, cpuExtraTime: Double, maxCpuExtraTime: Double
        var wallTime: Double, maxWallTime: Double
        var memory: Int, maxMemory: Int, stack: Int, maxStack: Int
        var processes: Int, maxProcesses: Int, fileSize: Int, maxFileSize: Int

        init(_ c: ServerConfiguration) {
            maxCpuTime = min(Judge0.maxCpuTimeLimit, c.suiteCaps.cpuTime.seconds)
            maxCpuExtraTime = min(Judge0.maxCpuExtraTime, c.suiteCaps.cpuTime.seconds)
            maxWallTime = min(Judge0.maxWallTimeLimit, c.suiteCaps.wallTime.seconds, c.maxTimeout)
            maxMemory = max(2048, min(Judge0.maxMemoryLimit, c.suiteCaps.memory / 1024, c.maxMemory / 1024))
            maxStack = min(Judge0.maxStackLimit, maxMemory)
            maxProcesses = max(1, min(Judge0.maxMaxProcesses, c.suiteCaps.processes))
            maxFileSize = max(1, min(Judge0.maxMaxFileSize, c.suiteCaps.output / 1024))
            cpuTime = min(Judge0.cpuTimeLimit, maxCpuTime)
            cpuExtraTime = min(Judge0.cpuExtraTime, maxCpuExtraTime)
            wallTime = min(Judge0.wallTimeLimit, maxWallTime)
            memory = min(Judge0.memoryLimit, maxMemory)
            stack = min(Judge0.stackLimit, maxStack)
            processes = min(Judge0.maxProcesses, maxProcesses)
            fileSize = min(Judge0.maxFileSize, maxFileSize)
        }
    }

    static func configInfo(queueSize: Int, limits l: Limits) -> [String: AnyJSON] {
        [
            "maintenance_mode": .bool(false), "enable_wait_result": .bool(true), "enable_compiler_options": .bool(false),
            "allowed_languages_for_compile_options": .array([]), "enable_command_line_arguments": .bool(true),
            "enable_submission_delete": .bool(false), "enable_callbacks": .bool(true), "callbacks_max_tries": .int(3),
            "callbacks_timeout": .number(5), "enable_additional_files": .bool(false), "max_queue_size": .int(queueSize),
            "cpu_time_limit": .number(l.cpuTime), "max_cpu_time_limit": .number(l.maxCpuTime),
            "cpu_extra_time": .number(l.cpuExtraTime), "max_cpu_extra_time": .number(l.maxCpuExtraTime),
            "wall_time_limit": .number(l.wallTime), "max_wall_time_limit": .number(l.maxWallTime),
            "memory_limit": .int(l.memory), "max_memory_limit": .int(l.maxMemory), "stack_limit": .int(l.stack),
            "max_stack_limit": .int(l.maxStack), "max_processes_and_or_threads": .int(l.processes),
            "max_max_processes_and_or_threads": .int(l.maxProcesses),
            "enable_per_process_and_thread_time_limit": .bool(false),
            "allow_enable_per_process_and_thread_time_limit": .bool(false),
            "enable_per_process_and_thread_memory_limit": .bool(false),
            "allow_enable_per_process_and_thread_memory_limit": .bool(false),
            "max_file_size": .int(l.fileSize), "max_max_file_size": .int(l.maxFileSize), "number_of_runs": .int(1),
            "max_number_of_runs": .int(1), "redirect_stderr_to_stdout": .bool(false), "max_extract_size": .int(10240),
            "enable_batched_submissions": .bool(true), "max_submission_batch_size": .int(maxBatch),
            "submission_cache_duration": .number(1), "use_docs_as_homepage": .bool(false),
            "allow_enable_network": .bool(false), "enable_network": .bool(false),
        ]
    }

    static let defaultFields = ["stdout", "time", "memory", "stderr", "token", "compile_output", "message", "status"]

    static func timestamp(_ t: Double?) -> AnyJSON {
        guard let t else { return .null }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"
        return .string(f.string(from: Date(timeIntervalSince1970: t)))
    }
}
