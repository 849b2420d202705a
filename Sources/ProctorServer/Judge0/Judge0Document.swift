import Foundation

extension Judge0 {
    /// The submission's fields; nil when a text field is not UTF-8 and base64 was not asked for.
    static func document(_ row: JobRow, fields: [String]?, base64: Bool) -> [String: AnyJSON]? {
        guard let j = try? JSONDecoder().decode(Judge0Job.self, from: row.request) else { return [:] }
        let r = row.result.flatMap { try? JSONDecoder().decode(Judge0Result.self, from: $0) }
        var bad = false
        func text(_ d: Data?) -> AnyJSON {
            guard let d else { return .null }
            if base64 { return .string(d.base64EncodedString()) }
            guard let s = String(data: d, encoding: .utf8) else {
                bad = true
                return .null
            }
            return .string(s)
        }
        let statusID = r?.status_id ?? (row.status == .running ? 2 : 1)
        var d: [String: AnyJSON] = [
            "token": .string(row.id), "source_code": text(j.source), "language_id": .int(j.language_id),
            "stdin": text(j.stdin), "expected_output": text(j.expected),
            "stdout": text(r?.stdout), "stderr": text(r?.stderr), "compile_output": text(r?.compile_output),
            "message": r?.message.map { base64 ? .string(Data($0.utf8).base64EncodedString()) : .string($0) } ?? .null,
            "exit_code": r?.exit_code.map(AnyJSON.int) ?? .null, "exit_signal": r?.exit_signal.map(AnyJSON.int) ?? .null,
            "status": .object(["id": .int(statusID), "description": .string(Judge0.description(statusID))]),
            "created_at": Judge0.timestamp(row.created), "finished_at": r == nil ? .null : Judge0.timestamp(row.finished),
            "time": r?.time.map { .string(Judge0.number($0)) } ?? .null,
            "wall_time": r?.wall_time.map { .string(Judge0.number($0)) } ?? .null,
            "memory": r?.memory.map(AnyJSON.int) ?? .null,
            "compiler_options": .null,
            "command_line_arguments": j.arguments.isEmpty ? .null : .string(j.arguments.joined(separator: " ")),
            "cpu_time_limit": .string(Judge0.number(j.cpu_time_limit)),
            "cpu_extra_time": .string(Judge0.number(j.cpu_extra_time)),
            "wall_time_limit": .string(Judge0.number(j.wall_time_limit)), "memory_limit": .int(j.memory_limit),
            "stack_limit": .int(j.stack_limit), "max_processes_and_or_threads": .int(j.max_processes),
            "enable_per_process_and_thread_time_limit": .bool(false), "enable_per_process_and_thread_memory_limit": .bool(false),
            "max_file_size": .int(j.max_file_size), "redirect_stderr_to_stdout": .bool(j.redirect_stderr_to_stdout),
            "enable_network": .bool(false), "number_of_runs": .int(1), "additional_files": .null,
            "callback_url": j.callback_url.map(AnyJSON.string) ?? .null,
        ]
        if let fields { d = d.filter { fields.contains($0.key) } }
        return bad ? nil : d
    }

    /// Seconds as Judge0 writes them ("0.002").
    static func number(_ v: Double) -> String {
        String(format: "%.3f", v).replacingOccurrences(of: #"\.?0+$"#, with: "", options: .regularExpression)
    }
}
