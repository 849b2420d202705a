import Foundation

/// What POST /submissions takes (Judge0's field names; text or base64 per `base64_encoded`).
struct Judge0Submission: Codable, Sendable {
    var source_code: String?
    var language_id: Int?
    var compiler_options: String?
    var command_line_arguments: String?
    var stdin: String?
    var expected_output: String?
    var cpu_time_limit: Double?
    var cpu_extra_time: Double?
    var wall_time_limit: Double?
    var memory_limit: Int?
    var stack_limit: Int?
    var max_processes_and_or_threads: Int?
    var enable_per_process_and_thread_time_limit: Bool?
    var enable_per_process_and_thread_memory_limit: Bool?
    var max_file_size: Int?
    var redirect_stderr_to_stdout: Bool?
    var enable_network: Bool?
    var number_of_runs: Int?
    var additional_files: String?
    var callback_url: String?
}

/// A submission as stored: text fields decoded to bytes (kept base64), limits filled in.
struct Judge0Job: Codable, Sendable {
    var source: Data
    var language_id: Int
    var language: String
    var stdin: Data?
    var expected: Data?
    var arguments: [String]
    var cpu_time_limit: Double
    var cpu_extra_time: Double
    var wall_time_limit: Double
    var memory_limit: Int
    var stack_limit: Int
    var max_processes: Int
    var max_file_size: Int
    var redirect_stderr_to_stdout: Bool
    var callback_url: String?
    /// How the submission was created (its callback is encoded the same way).
    var base64_encoded: Bool?
}

/// A finished submission's outcome, stored as JSON.
struct Judge0Result: Codable, Sendable {
    var stdout: Data?
    var stderr: Data?
    var compile_output: Data?
    var message: String?
    var exit_code: Int?
    var exit_signal: Int?
    var status_id: Int
    var time: Double?
    var wall_time: Double?
    var memory: Int?
}
