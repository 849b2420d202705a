import Foundation
import Hummingbird
import HummingbirdTesting
import ProctorServer
import TestSupport
import Testing

@Suite("Judge0 CE compatible API")
struct Judge0Tests {
    @Test("statuses, about, config_info, languages: Judge0's names and ids")
    func metadata() async throws {
        try await withApp { client, _ in
            try await client.execute(uri: "/statuses", method: .get, headers: alice) { r in
                let list = (try? JSONSerialization.jsonObject(with: Data(r.body.readableBytesView))) as? [[String: Any]] ?? []
                #expect(list.count == 14)
                #expect(list.first { $0["id"] as? Int == 11 }?["description"] as? String == "Runtime Error (NZEC)")
            }
            try await client.execute(uri: "/about", method: .get, headers: alice) {
                #expect($0.json["version"] as? String == "1.13.1")
            }
            try await client.execute(uri: "/config_info", method: .get, headers: alice) { r in
                // Judge0's 15 s, lowered to the server's CPU cap (10 s by default).
                #expect(r.json["max_cpu_time_limit"] as? Double == 10)
                #expect(r.json["enable_wait_result"] as? Bool == true)
            }
            try await client.execute(uri: "/languages/71", method: .get, headers: alice) { r in
                #expect(r.json["source_file"] as? String == "solution.py")
            }
            try await client.execute(uri: "/languages/9999", method: .get, headers: alice) { #expect($0.status == .notFound) }
        }
    }

    @Test("validation answers 422 with Judge0's field errors")
    func validation() async throws {
        try await withApp { client, _ in
            try await client.execute(
                uri: "/submissions", method: .post, headers: alice,
                body: body(["source_code": "x", "language_id": 71, "cpu_time_limit": 100])
            ) { r in
                #expect(r.status == .unprocessableContent)
                #expect(r.json["cpu_time_limit"] != nil)
            }
            try await client.execute(uri: "/submissions", method: .post, headers: alice, body: body(["source_code": "x"])) { r in
                #expect(r.status == .unprocessableContent)
                #expect(r.json["language_id"] != nil)
            }
        }
    }

    @Test("wait=true, base64, fields; batch create and get", .needsRoot)
    func submissions() async throws {
        try await withApp { client, _ in
            let code = Data("import sys\nsys.stdout.buffer.write(b'\\xff\\xfe')\nprint(input())".utf8).base64EncodedString()
            let stdin = Data("hi".utf8).base64EncodedString()
            let token = try await client.execute(
                uri: "/submissions?base64_encoded=true&wait=true&fields=token,stdout,status,time,memory",
                method: .post, headers: alice,
                body: body(["source_code": code, "language_id": 71, "stdin": stdin])
            ) { r in
                #expect(r.status == .created, "\(r.text)")
                #expect((r.json["status"] as? [String: Any])?["id"] as? Int == 3)
                #expect(Set(r.json.keys) == ["token", "stdout", "status", "time", "memory"])
                #expect(Data(base64Encoded: r.json["stdout"] as? String ?? "") == Data([0xFF, 0xFE] + Array("hi\n".utf8)))
                return try #require(r.json["token"] as? String)
            }
            try await client.execute(uri: "/submissions/\(token)?base64_encoded=false", method: .get, headers: alice) { r in
                #expect(r.status == .badRequest)
                #expect(r.text.contains("base64_encoded=true"))
            }
            try await client.execute(uri: "/submissions/\(token)", method: .get, headers: bob) { #expect($0.status == .notFound) }
            let tokens = try await client.execute(
                uri: "/submissions/batch", method: .post, headers: alice,
                body: body([
                    "submissions": [
                        ["source_code": "print(1)", "language_id": 71], ["source_code": "print(2)", "language_id": 4242],
                    ]
                ])
            ) { r in
                #expect(r.status == .created)
                let list = (try? JSONSerialization.jsonObject(with: Data(r.body.readableBytesView))) as? [[String: Any]] ?? []
                #expect(list.count == 2)
                #expect(list[1]["language_id"] != nil)
                return list.compactMap { $0["token"] as? String }
            }
            #expect(tokens.count == 1)
            var status = 1
            for _ in 0..<100 {
                status = try await client.execute(
                    uri: "/submissions/batch?tokens=\(tokens[0])&base64_encoded=false", method: .get,
                    headers: alice
                ) { r in
                    let s = (r.json["submissions"] as? [[String: Any]])?.first
                    return (s?["status"] as? [String: Any])?["id"] as? Int ?? 0
                }
                if status > 2 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(status == 3)
        }
    }

    @Test("callback_url: Judge0's PUT of the submission, encoded as it was created", .needsRoot)
    func callback() async throws {
        let receiver = try CallbackReceiver(failures: 1)
        defer { receiver.stop() }
        let c = testConfiguration {
            $0.callbackBackoff = 0.1
            $0.callbackTargets = CallbackTargets(allowedHosts: ["127.0.0.1"])
        }
        try await withApp(c) { client, _ in
            let token = try await client.execute(
                uri: "/submissions?base64_encoded=false", method: .post, headers: alice,
                body: body([
                    "source_code": "print('called back')", "language_id": 71,
                    "callback_url": "http://127.0.0.1:\(receiver.port)/j0",
                ])
            ) { r in try #require(r.json["token"] as? String) }
            let deadline = Date().addingTimeInterval(30)
            while receiver.bodies.withLock({ $0.isEmpty }) && Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
            #expect(receiver.methods.withLock { $0 } == ["PUT"])
            let sent = try #require(receiver.bodies.withLock { $0.first })
            let doc = try #require(try JSONSerialization.jsonObject(with: Data(sent.utf8)) as? [String: Any])
            #expect(doc["token"] as? String == token)
            #expect(doc["stdout"] as? String == "called back\n")
            #expect((doc["status"] as? [String: Any])?["id"] as? Int == 3)
        }
    }

    @Test(
        "the official Python client (PyPI judge0) against a live server", .needsRoot,
        .enabled(if: Host.hasPython(module: "judge0"), "needs `pip install judge0`"))
    func officialClient() async throws {
        try await withApp(testConfiguration(), .live) { client, _ in
            let port = try #require(client.port)
            let script = Host.repository.appendingPathComponent("Tests/ProctorServerTests/judge0_client_check.py").path
            let output = try await offPool { () -> (Int32, String) in
                let p = Process()
                p.executableURL = URL(fileURLWithPath: Host.python!)
                p.arguments = [script, "http://127.0.0.1:\(port)", "secret-a"]
                var env = ProcessInfo.processInfo.environment
                env["JUDGE0_SUPPRESS_PREVIEW_WARNING"] = "1"
                p.environment = env
                let pipe = Pipe()
                p.standardOutput = pipe
                p.standardError = pipe
                try p.run()
                let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                p.waitUntilExit()
                return (p.terminationStatus, text)
            }
            #expect(output.0 == 0, "\(output.1)")
        }
    }
}

@Suite("Judge0 limits follow the server's caps")
struct Judge0CapsTests {
    @Test("an operator's lower caps lower config_info's maxima and refuse submissions above them (422)")
    func capsFromConfiguration() async throws {
        let c = testConfiguration {
            $0.suiteCaps.cpuTime = .seconds(2)
            $0.suiteCaps.wallTime = .seconds(4)
            $0.suiteCaps.memory = 64 << 20
            $0.suiteCaps.processes = 8
        }
        try await withApp(c) { client, _ in
            try await client.execute(uri: "/config_info", method: .get, headers: alice) { r in
                #expect(r.json["max_cpu_time_limit"] as? Double == 2)
                #expect(r.json["cpu_time_limit"] as? Double == 2)
                #expect(r.json["max_wall_time_limit"] as? Double == 4)
                #expect(r.json["max_memory_limit"] as? Int == 65536)
                #expect(r.json["memory_limit"] as? Int == 65536)
                #expect(r.json["max_max_processes_and_or_threads"] as? Int == 8)
            }
            for (field, value) in [
                ("cpu_time_limit", 3.0), ("wall_time_limit", 5.0), ("memory_limit", 65537.0),
                ("max_processes_and_or_threads", 9.0),
            ] {
                try await client.execute(
                    uri: "/submissions", method: .post, headers: alice,
                    body: body(["source_code": "print(1)", "language_id": 71, field: value])
                ) { r in
                    #expect(r.status == .unprocessableContent, "\(field): \(r.text)")
                    #expect(r.json[field] != nil, "\(field): \(r.text)")
                }
            }
        }
    }
}
