import Foundation

/// The API's OpenAPI 3.1 document, served at /openapi.json (validated with
/// openapi-spec-validator, and fuzzed with schemathesis, by the server tests).
enum OpenAPIDocument {
    /// `base` with the error answers every operation can give, added by rule (stated once
    /// here rather than at each of 25 operations, where schemathesis found them missing):
    /// behind the token, 401 and 429; with a request body, 400, 408 and 413; with
    /// parameters, 400; with a path parameter, 404; the sandbox file calls, 503 (a file
    /// call that timed out); every call on one sandbox, 307 (in a cluster, the sandbox lives
    /// on another node: ask there). Judge0's operations answer errors in Judge0's own shapes, so
    /// theirs are any JSON object.
    static let json: String = {
        guard var doc = try? JSONSerialization.jsonObject(with: Data(base.utf8)) as? [String: Any],
            var paths = doc["paths"] as? [String: Any]
        else { return base }
        let error: [String: Any] = ["$ref": "#/components/responses/Error"]
        let judge0Error: [String: Any] = [
            "description": "An error (Judge0's shape)",
            "content": ["application/json": ["schema": ["type": "object"]]],
        ]
        for (path, item) in paths {
            guard var item = item as? [String: Any] else { continue }
            let pathParameters = path.contains("{")
            for method in ["get", "put", "post", "delete"] {
                guard var op = item[method] as? [String: Any] else { continue }
                var responses = op["responses"] as? [String: Any] ?? [:]
                let isJudge0 = (op["tags"] as? [String])?.contains("Judge0 CE") == true
                let answer = isJudge0 ? judge0Error : error
                func add(_ code: String) { if responses[code] == nil { responses[code] = answer } }
                if (op["security"] as? [Any])?.isEmpty != true {
                    add("401")
                    add("429")
                }
                if op["requestBody"] != nil {
                    for code in ["400", "408", "413"] { add(code) }
                }
                if op["parameters"] != nil || item["parameters"] != nil { add("400") }
                if pathParameters { add("404") }
                if path.hasPrefix("/sandboxes/{id}/files") { add("503") }
                if path.hasPrefix("/sandboxes/{id}") && responses["307"] == nil {
                    responses["307"] = ["$ref": "#/components/responses/Elsewhere"]
                }
                op["responses"] = responses
                // "get_sandboxes_id_files_path": what the links below name.
                if op["operationId"] == nil {
                    op["operationId"] =
                        method
                        + path.replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: "")
                        .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: ".", with: "_")
                }
                item[method] = op
            }
            paths[path] = item
        }
        doc["paths"] = paths
        guard let data = try? JSONSerialization.data(withJSONObject: doc, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return base
        }
        return String(decoding: data, as: UTF8.self)
    }()

    static let base = #"""
        {
          "openapi": "3.1.0",
          "info": {"title": "Proctor", "version": "0.1.0",
                   "description": "Run untrusted code in Linux sandboxes, grade it, and keep the record. Every route but /health and / needs a token: `Authorization: Bearer TOKEN` (or `X-Auth-Token: TOKEN`). Errors are JSON: {\"error\": {\"code\", \"message\"}}."},
          "servers": [{"url": "http://127.0.0.1:8080"}],
          "security": [{"bearer": []}, {"authToken": []}],
          "components": {
            "securitySchemes": {
              "bearer": {"type": "http", "scheme": "bearer"},
              "authToken": {"type": "apiKey", "in": "header", "name": "X-Auth-Token"}
            },
            "responses": {
              "Error": {"description": "An error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
              "Busy": {"description": "The queue is full; retry after the Retry-After header", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
              "Elsewhere": {"description": "In a cluster (several nodes sharing one PostgreSQL database), the sandbox lives on another node (its id ends in .NODE): send the same request, token included, to the Location header, that node's advertised URL with the same path and query", "headers": {"Location": {"schema": {"type": "string", "format": "uri"}}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            },
            "schemas": {
              "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}},
              "Size": {"oneOf": [{"type": "integer", "minimum": 0}, {"type": "string", "examples": ["256M"]}]},
              "File": {"type": "object", "required": ["path", "content"], "properties": {"path": {"type": "string"}, "content": {"type": "string"}, "encoding": {"type": "string", "enum": ["utf8", "base64"]}}},
              "ExecuteRequest": {"type": "object", "required": ["code", "language"], "properties": {
                "code": {"type": "string"}, "language": {"type": "string", "examples": ["python3", "c"]},
                "stdin": {"type": "string"}, "files": {"type": "array", "items": {"$ref": "#/components/schemas/File"}},
                "args": {"type": "array", "items": {"type": "string"}},
                "timeout": {"type": "number", "description": "Seconds of CPU and of wall clock; capped at 60"},
                "memory": {"$ref": "#/components/schemas/Size"},
                "image": {"$ref": "#/components/schemas/ImageName", "description": "an image of the server's store (GET /images) to compile and run in instead of the host's system folders"}}},
              "ExecuteResponse": {"type": "object", "required": ["stdout", "stderr", "execution_time", "cpu_time", "memory_peak", "status", "verdict"], "properties": {
                "stdout": {"type": "string"}, "stderr": {"type": "string"},
                "return_code": {"type": ["integer", "null"]}, "signal": {"type": ["integer", "null"]},
                "execution_time": {"type": "number", "description": "wall seconds"}, "cpu_time": {"type": "number"},
                "memory_peak": {"type": "integer", "description": "bytes"},
                "status": {"type": "string", "enum": ["exited", "signaled", "cpu-time-limit", "wall-time-limit", "memory-limit", "output-limit", "sandbox-error", "compile-error", "judge-error"]},
                "verdict": {"type": "string", "enum": ["AC", "TLE", "MLE", "OLE", "RTE", "CE", "JE"]},
                "compile_output": {"type": ["string", "null"]}, "stdout_truncated": {"type": "boolean"}, "stderr_truncated": {"type": "boolean"},
                "language": {"type": "string"}}},
              "SandboxCreate": {"type": "object", "properties": {
                "image": {"type": "string", "default": "host", "description": "host (the host's system folders, read-only), or an image of the server's store (GET /images): its layers read-only under a writable layer of workdir_size bytes", "examples": ["host", "python-data"]},
                "limits": {"type": "object", "properties": {"memory": {"$ref": "#/components/schemas/Size"}, "cpus": {"type": "number"}, "processes": {"type": "integer"}, "workdir_size": {"$ref": "#/components/schemas/Size"}, "tmp_size": {"$ref": "#/components/schemas/Size"}}},
                "network": {"type": "boolean", "default": false},
                "lifetime": {"type": "number", "description": "seconds; default 600, at most 3600"},
                "idle_timeout": {"type": "number", "description": "seconds without an exec or file call; default 120"},
                "environment": {"type": "object", "additionalProperties": {"type": "string"}}}},
              "Sandbox": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}, "image": {"type": "string"}, "created_at": {"type": "number"}, "expires_at": {"type": "number"}, "idle_timeout": {"type": "number"}, "network": {"type": "boolean"}}},
              "ImageName": {"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]{0,127}$", "description": "lower-case letters, digits, '.', '_', '-'; no '..'"},
              "Image": {"type": "object", "required": ["name", "digest", "created"], "properties": {"name": {"type": "string"}, "digest": {"type": "string", "description": "sha256: of the top layer"}, "size": {"type": ["integer", "null"], "description": "bytes of its layers' files"}, "created": {"type": "string", "format": "date-time"}, "parent": {"type": ["string", "null"], "description": "for a snapshot, the image its sandbox started from"}}},
              "SandboxExec": {"type": "object", "required": ["argv"], "properties": {"argv": {"type": "array", "items": {"type": "string"}, "minItems": 1}, "stdin": {"type": "string"}, "stdin_base64": {"type": "string"}, "cwd": {"type": "string"}, "environment": {"type": "object", "additionalProperties": {"type": "string"}}, "timeout": {"type": "number"}}},
              "ExecEvent": {"description": "One NDJSON line of POST /sandboxes/{id}/exec: output chunks as they come, then one exit line.", "oneOf": [
                {"type": "object", "required": ["type"], "properties": {"type": {"type": "string", "enum": ["stdout", "stderr"]}, "data": {"type": "string"}, "data_base64": {"type": "string", "description": "set instead of data when the chunk is not UTF-8"}}},
                {"type": "object", "required": ["type", "status"], "properties": {"type": {"const": "exit"}, "status": {"type": "string"}, "return_code": {"type": ["integer", "null"]}, "signal": {"type": ["integer", "null"]}, "execution_time": {"type": "number"}, "cpu_time": {"type": "number"}, "memory_peak": {"type": "integer"}, "verdict": {"type": "string"}}}]},
              "FileListing": {"type": "object", "properties": {"path": {"type": "string"}, "entries": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}, "type": {"type": "string", "enum": ["file", "directory", "symlink", "other"]}, "size": {"type": "integer"}, "mode": {"type": "integer"}, "modified": {"type": "number"}}}}}},
              "GradeRequest": {"type": "object", "required": ["solutions"], "properties": {
                "suite": {"type": "string", "description": "the name of a suite the server holds (its Suites folder)"},
                "suite_upload": {"type": "object", "required": ["files"], "properties": {"files": {"type": "array", "items": {"$ref": "#/components/schemas/File"}}, "main": {"type": "string", "default": "suite.yaml"}}},
                "solutions": {"type": "array", "minItems": 1, "maxItems": 100, "items": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "code": {"type": "string", "description": "one file's source"}, "files": {"type": "array", "items": {"$ref": "#/components/schemas/File"}, "description": "several files: a folder submission named name (give code, files or archive)"}, "archive": {"type": "string", "contentEncoding": "base64", "description": "a zip or tar archive, base64; name ends in .zip, .tar, .tar.gz, .tgz, .tar.xz or .tar.bz2; judged as the folder it holds"}, "language": {"type": "string"}}}},
                "callback_url": {"type": "string", "format": "uri", "description": "POSTed the job document when the job ends; retried with a doubling pause"},
                "fail_fast": {"type": "boolean"}}},
              "Job": {"type": "object", "required": ["id", "status"], "properties": {"id": {"type": "string"}, "kind": {"type": "string"}, "status": {"type": "string", "enum": ["queued", "running", "done", "failed"]}, "created_at": {"type": "number"}, "started_at": {"type": ["number", "null"]}, "finished_at": {"type": ["number", "null"]}, "attempts": {"type": "integer"}, "error": {"type": ["string", "null"]}, "callback_state": {"type": ["string", "null"]}, "report": {"description": "the JSON report, schema proctor.report/1 (Schemas/report.schema.json)", "type": ["object", "null"]}}},
              "Judge0Submission": {"type": "object", "description": "Judge0 CE's submission fields", "properties": {
                "source_code": {"type": "string"}, "language_id": {"type": "integer"}, "compiler_options": {"type": "string"}, "command_line_arguments": {"type": "string"},
                "stdin": {"type": "string"}, "expected_output": {"type": "string"}, "cpu_time_limit": {"type": "number"}, "cpu_extra_time": {"type": "number"},
                "wall_time_limit": {"type": "number"}, "memory_limit": {"type": "integer", "description": "kilobytes"}, "stack_limit": {"type": "integer"},
                "max_processes_and_or_threads": {"type": "integer"}, "enable_per_process_and_thread_time_limit": {"type": "boolean"},
                "enable_per_process_and_thread_memory_limit": {"type": "boolean"}, "max_file_size": {"type": "integer"}, "redirect_stderr_to_stdout": {"type": "boolean"},
                "enable_network": {"type": "boolean"}, "number_of_runs": {"type": "integer"}, "additional_files": {"type": "string"}, "callback_url": {"type": "string"}}},
              "Judge0Result": {"type": "object", "description": "the fields asked for (default: stdout, time, memory, stderr, token, compile_output, message, status)", "properties": {
                "token": {"type": "string"}, "stdout": {"type": ["string", "null"]}, "stderr": {"type": ["string", "null"]}, "compile_output": {"type": ["string", "null"]},
                "message": {"type": ["string", "null"]}, "exit_code": {"type": ["integer", "null"]}, "exit_signal": {"type": ["integer", "null"]},
                "status": {"type": "object", "properties": {"id": {"type": "integer", "minimum": 1, "maximum": 14}, "description": {"type": "string"}}},
                "time": {"type": ["string", "null"]}, "wall_time": {"type": ["string", "null"]}, "memory": {"type": ["integer", "null"]},
                "created_at": {"type": "string"}, "finished_at": {"type": ["string", "null"]}}, "additionalProperties": true}
            },
            "parameters": {
              "SandboxID": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
              "FilePath": {"name": "path", "in": "path", "required": true, "description": "a path inside the workdir (slashes allowed)", "schema": {"type": "string"}},
              "Base64": {"name": "base64_encoded", "in": "query", "schema": {"type": "boolean", "default": false}},
              "Fields": {"name": "fields", "in": "query", "description": "comma-separated field names, or * for all", "schema": {"type": "string"}},
              "JobID": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}
            }
          },
          "paths": {
            "/health": {"get": {"summary": "Liveness", "security": [], "responses": {"200": {"description": "ok"}}}},
            "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {"200": {"description": "text exposition format", "content": {"text/plain": {"schema": {"type": "string"}}}}, "401": {"$ref": "#/components/responses/Error"}}}},
            "/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI document", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
            "/execute": {"post": {"summary": "Compile and run a program once",
              "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ExecuteRequest"}}}},
              "responses": {"200": {"description": "The run", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ExecuteResponse"}}}},
                            "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
                            "404": {"$ref": "#/components/responses/Error"},
                            "413": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/Error"},
                            "503": {"$ref": "#/components/responses/Busy"}}}},
            "/": {"get": {"summary": "The playground page", "security": [], "responses": {"200": {"description": "HTML", "content": {"text/html": {"schema": {"type": "string"}}}}}}},
            "/sandboxes": {
              "post": {"summary": "Create a sandbox", "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/SandboxCreate"}}}},
                       "responses": {"201": {"description": "Created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Sandbox"}}},
                         "links": {"show": {"operationId": "get_sandboxes_id", "parameters": {"id": "$response.body#/id"}},
                                   "exec": {"operationId": "post_sandboxes_id_exec", "parameters": {"id": "$response.body#/id"}},
                                   "list": {"operationId": "get_sandboxes_id_files", "parameters": {"id": "$response.body#/id"}},
                                   "write": {"operationId": "put_sandboxes_id_files_path", "parameters": {"id": "$response.body#/id"}},
                                   "read": {"operationId": "get_sandboxes_id_files_path", "parameters": {"id": "$response.body#/id"}},
                                   "remove": {"operationId": "delete_sandboxes_id_files_path", "parameters": {"id": "$response.body#/id"}},
                                   "delete": {"operationId": "delete_sandboxes_id", "parameters": {"id": "$response.body#/id"}}}}, "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/Error"}}},
              "get": {"summary": "The caller's live sandboxes", "responses": {"200": {"description": "List", "content": {"application/json": {"schema": {"type": "object", "properties": {"sandboxes": {"type": "array", "items": {"$ref": "#/components/schemas/Sandbox"}}}}}}}}}},
            "/sandboxes/{id}": {"parameters": [{"$ref": "#/components/parameters/SandboxID"}],
              "get": {"summary": "A sandbox", "responses": {"200": {"description": "The sandbox", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Sandbox"}}}}, "404": {"$ref": "#/components/responses/Error"}}},
              "delete": {"summary": "Terminate a sandbox", "responses": {"204": {"description": "Terminated"}, "404": {"$ref": "#/components/responses/Error"}}}},
            "/sandboxes/{id}/exec": {"parameters": [{"$ref": "#/components/parameters/SandboxID"}],
              "post": {"summary": "Run a command; output streamed as chunked NDJSON as it is produced, the result last",
                       "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SandboxExec"}}}},
                       "responses": {"200": {"description": "NDJSON stream", "content": {"application/x-ndjson": {"schema": {"$ref": "#/components/schemas/ExecEvent"}}}}, "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}},
            "/sandboxes/{id}/snapshot": {"parameters": [{"$ref": "#/components/parameters/SandboxID"}],
              "post": {"summary": "Turn the sandbox's writable layer (what it wrote over its image) into a new image of the server's store; never replaces an image",
                       "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["name"], "properties": {"name": {"$ref": "#/components/schemas/ImageName"}}}}}},
                       "responses": {"201": {"description": "The new image", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Image"}}}}, "400": {"$ref": "#/components/responses/Error"}, "403": {"description": "The token's snapshot quota (count or bytes) is used up", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}, "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/Error"}}}},
            "/images": {"get": {"summary": "The server's image store", "responses": {"200": {"description": "Images", "content": {"application/json": {"schema": {"type": "object", "properties": {"images": {"type": "array", "items": {"$ref": "#/components/schemas/Image"}}}}}}}}}},
            "/images/{name}": {"parameters": [{"name": "name", "in": "path", "required": true, "schema": {"$ref": "#/components/schemas/ImageName"}}],
              "delete": {"summary": "Delete an image this token made (a snapshot); others' and the host's answer 404", "responses": {"204": {"description": "Deleted"}, "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}},
            "/sandboxes/{id}/files": {"parameters": [{"$ref": "#/components/parameters/SandboxID"}, {"name": "path", "in": "query", "schema": {"type": "string", "default": "."}}],
              "get": {"summary": "List a folder", "responses": {"200": {"description": "Entries", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FileListing"}}}}, "404": {"$ref": "#/components/responses/Error"}}}},
            "/sandboxes/{id}/files/{path}": {"parameters": [{"$ref": "#/components/parameters/SandboxID"}, {"$ref": "#/components/parameters/FilePath"}],
              "get": {"summary": "Read a file", "responses": {"200": {"description": "Bytes", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}, "404": {"$ref": "#/components/responses/Error"}}},
              "put": {"summary": "Write a file (folders made as needed)", "parameters": [{"name": "mode", "in": "query", "schema": {"type": "string", "examples": ["755"]}}],
                      "requestBody": {"required": true, "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
                      "responses": {"201": {"description": "Written"}, "400": {"$ref": "#/components/responses/Error"}, "413": {"$ref": "#/components/responses/Error"}}},
              "delete": {"summary": "Remove a file or folder", "parameters": [{"name": "recursive", "in": "query", "schema": {"type": "boolean"}}], "responses": {"204": {"description": "Removed"}, "404": {"$ref": "#/components/responses/Error"}}}},
            "/grade": {"post": {"summary": "Queue a grading job", "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GradeRequest"}}}},
              "responses": {"202": {"description": "Accepted (stored before this answer)", "content": {"application/json": {"schema": {"type": "object", "properties": {"id": {"type": "string"}, "status": {"type": "string"}}}}},
                            "links": {"job": {"operationId": "get_jobs_id", "parameters": {"id": "$response.body#/id"}},
                                      "junit": {"operationId": "get_jobs_id_junit", "parameters": {"id": "$response.body#/id"}}}},
                            "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}, "503": {"$ref": "#/components/responses/Busy"}}}},
            "/jobs/{id}": {"parameters": [{"$ref": "#/components/parameters/JobID"}],
              "get": {"summary": "A job's status and JSON report", "responses": {"200": {"description": "The job", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}}, "404": {"$ref": "#/components/responses/Error"}}}},
            "/jobs/{id}/junit": {"parameters": [{"$ref": "#/components/parameters/JobID"}],
              "get": {"summary": "A finished job's JUnit XML", "responses": {"200": {"description": "JUnit XML", "content": {"application/xml": {"schema": {"type": "string"}}}}, "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"}}}},
            "/submissions": {"post": {"summary": "Judge0: create a submission", "tags": ["Judge0 CE"],
              "parameters": [{"$ref": "#/components/parameters/Base64"}, {"name": "wait", "in": "query", "schema": {"type": "boolean", "default": false}}, {"$ref": "#/components/parameters/Fields"}],
              "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Judge0Submission"}}}},
              "responses": {"201": {"description": "{token}, or the result with wait=true", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Judge0Result"}}},
                                   "links": {"get": {"operationId": "get_submissions_token", "parameters": {"token": "$response.body#/token"}}}}, "422": {"description": "Field errors", "content": {"application/json": {"schema": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}}}}, "503": {"$ref": "#/components/responses/Busy"}}}},
            "/submissions/{token}": {"get": {"summary": "Judge0: a submission", "tags": ["Judge0 CE"],
              "parameters": [{"name": "token", "in": "path", "required": true, "schema": {"type": "string"}}, {"$ref": "#/components/parameters/Base64"}, {"$ref": "#/components/parameters/Fields"}],
              "responses": {"200": {"description": "The submission", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Judge0Result"}}}}, "400": {"description": "Not UTF-8; ask with base64_encoded=true"}, "404": {"description": "Not found"}}}},
            "/submissions/batch": {
              "post": {"summary": "Judge0: create submissions", "tags": ["Judge0 CE"], "parameters": [{"$ref": "#/components/parameters/Base64"}],
                       "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["submissions"], "properties": {"submissions": {"type": "array", "items": {"$ref": "#/components/schemas/Judge0Submission"}}}}}}},
                       "responses": {"201": {"description": "A token or field errors per submission", "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}}, "422": {"description": "Not 1 to 20 submissions", "content": {"application/json": {"schema": {"type": "object"}}}}, "503": {"$ref": "#/components/responses/Busy"}}},
              "get": {"summary": "Judge0: several submissions", "tags": ["Judge0 CE"],
                      "parameters": [{"name": "tokens", "in": "query", "required": true, "schema": {"type": "string"}}, {"$ref": "#/components/parameters/Base64"}, {"$ref": "#/components/parameters/Fields"}],
                      "responses": {"200": {"description": "Submissions", "content": {"application/json": {"schema": {"type": "object", "properties": {"submissions": {"type": "array", "items": {"oneOf": [{"$ref": "#/components/schemas/Judge0Result"}, {"type": "null"}]}}}}}}}}}},
            "/languages": {"get": {"summary": "Judge0: languages", "tags": ["Judge0 CE"], "responses": {"200": {"description": "id and name", "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}}}}}}}},
            "/languages/{id}": {"get": {"summary": "Judge0: a language", "tags": ["Judge0 CE"], "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
              "responses": {"200": {"description": "The language", "content": {"application/json": {"schema": {"type": "object"}}}}, "404": {"description": "Not found"}}}},
            "/statuses": {"get": {"summary": "Judge0: statuses", "tags": ["Judge0 CE"], "responses": {"200": {"description": "id and description", "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}}}}},
            "/about": {"get": {"summary": "Judge0: about", "tags": ["Judge0 CE"], "responses": {"200": {"description": "version etc.", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
            "/config_info": {"get": {"summary": "Judge0: configuration and limits", "tags": ["Judge0 CE"], "responses": {"200": {"description": "Judge0's configuration fields", "content": {"application/json": {"schema": {"type": "object"}}}}}}}
          }
        }
        """#
}
