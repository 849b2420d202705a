import Foundation
import Hummingbird
import HummingbirdTesting
import ProctorServer
import TestSupport
import Testing

@Suite("API basics: tokens, errors, limits, OpenAPI")
struct APIBasicsTests {
    @Test("health needs no token; everything else does, with a JSON error")
    func tokens() async throws {
        try await withApp { client, _ in
            try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/execute", method: .post, body: body(["code": "", "language": "c"])) { r in
                #expect(r.status == .unauthorized)
                let error = try #require(r.json["error"] as? [String: Any])
                #expect(error["code"] as? String == "unauthorized")
            }
            try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer nope"]) {
                #expect($0.status == .unauthorized)
            }
            try await client.execute(uri: "/metrics", method: .get, headers: alice) { #expect($0.status == .ok) }
            try await client.execute(uri: "/nowhere", method: .get, headers: alice) { r in
                #expect(r.status == .notFound)
                #expect(r.json["error"] != nil)
            }
        }
    }

    @Test("bad bodies answer 400, big ones 413, without host paths")
    func badBodies() async throws {
        let c = testConfiguration { $0.maxBodySize = 1000 }
        try await withApp(c) { client, _ in
            try await client.execute(uri: "/execute", method: .post, headers: alice, body: ByteBuffer(string: "{nope")) { r in
                #expect(r.status == .badRequest)
            }
            try await client.execute(uri: "/execute", method: .post, headers: alice, body: body(["code": "x"])) { r in
                #expect(r.status == .badRequest)
                #expect(r.text.contains("language"))
            }
            try await client.execute(
                uri: "/execute", method: .post, headers: alice,
                body: body(["code": "x", "language": "cobol"])
            ) { r in
                #expect(r.status == .badRequest)
                #expect(r.text.contains("python3"))
            }
            try await client.execute(
                uri: "/execute", method: .post, headers: alice,
                body: body(["code": String(repeating: "x", count: 5000), "language": "c"])
            ) { r in
                #expect(r.status == .contentTooLarge)
                #expect(!r.text.contains("/tmp") && !r.text.contains("/work"))
            }
            try await client.execute(
                uri: "/execute", method: .post, headers: alice,
                body: body(["code": "x", "language": "c", "files": [["path": "../etc/passwd", "content": "x"]]])
            ) { r in
                #expect(r.status == .badRequest)
            }
        }
    }

    @Test("a token past its rate limit gets 429 with Retry-After; another token does not")
    func rateLimit() async throws {
        let c = testConfiguration {
            $0.rateLimit = 0.01
            $0.rateBurst = 3
        }
        try await withApp(c) { client, _ in
            var codes: [HTTPResponse.Status] = []
            for _ in 0..<5 {
                try await client.execute(uri: "/metrics", method: .get, headers: alice) { codes.append($0.status) }
            }
            #expect(codes.prefix(3).allSatisfy { $0 == .ok })
            #expect(codes.last == .tooManyRequests)
            try await client.execute(uri: "/metrics", method: .get, headers: bob) { #expect($0.status == .ok) }
        }
    }

    @Test(
        "the OpenAPI document is served and is valid (openapi-spec-validator)",
        .enabled(if: Host.hasPython(module: "openapi_spec_validator"), "needs `pip install openapi-spec-validator`"))
    func openAPI() async throws {
        let text = try await withApp { client, _ in
            try await client.execute(uri: "/openapi.json", method: .get, headers: alice) { r in
                #expect(r.status == .ok)
                return r.text
            }
        }
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let paths = Set((doc["paths"] as? [String: Any] ?? [:]).keys)
        #expect(
            paths.isSuperset(of: [
                "/execute", "/sandboxes", "/sandboxes/{id}/exec", "/sandboxes/{id}/files/{path}", "/grade",
                "/jobs/{id}", "/jobs/{id}/junit", "/submissions", "/submissions/batch", "/submissions/{token}",
                "/languages", "/languages/{id}", "/statuses", "/about", "/config_info", "/health", "/metrics",
            ]))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-openapi-\(getpid()).json")
        try text.write(to: file, atomically: true, encoding: .utf8)
        // Waited for on a thread of its own: blocking one of the test process's two
        // cooperative threads for seconds stalls every other test running meanwhile.
        let (status, out) = try await offPool { () -> (Int32, String) in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Host.python!)
            p.arguments = ["-m", "openapi_spec_validator", file.path]
            let pipe = Pipe()
            p.standardOutput = pipe
            p.standardError = pipe
            try p.run()
            let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            return (p.terminationStatus, out)
        }
        #expect(status == 0, "\(out)")
    }
}

@Suite("POST /execute", .needsRoot)
struct ExecuteTests {
    func execute(_ client: any TestClientProtocol, _ fields: [String: Any]) async throws -> [String: Any] {
        try await client.execute(uri: "/execute", method: .post, headers: alice, body: body(fields)) { r in
            #expect(r.status == .ok, "\(r.text)")
            return r.json
        }
    }

    @Test("python with stdin and a file; C compiled; limits as statuses")
    func runs() async throws {
        try await withApp { client, service in
            var r = try await execute(
                client,
                [
                    "language": "python3", "stdin": "world\n",
                    "code": "import sys\nprint('hello', sys.stdin.read().strip(), open('data/x.txt').read())",
                    "files": [["path": "data/x.txt", "content": "42"]],
                ])
            #expect(r["stdout"] as? String == "hello world 42\n")
            #expect(r["return_code"] as? Int == 0)
            #expect(r["status"] as? String == "exited")
            #expect(r["verdict"] as? String == "AC")
            #expect((r["memory_peak"] as? Int ?? 0) > 0)

            r = try await execute(
                client, ["language": "c", "code": "#include <stdio.h>\nint main(){printf(\"%d\\n\", 6*7);return 3;}"])
            #expect(r["stdout"] as? String == "42\n")
            #expect(r["return_code"] as? Int == 3)
            #expect(r["verdict"] as? String == "RTE")

            r = try await execute(client, ["language": "c", "code": "int main(){ return x; }"])
            #expect(r["status"] as? String == "compile-error")
            let message = r["compile_output"] as? String ?? ""
            #expect(message.contains("x"))
            #expect(!message.contains(".jobs") && !message.contains("/tmp/"))

            r = try await execute(client, ["language": "python3", "code": "while True: pass", "timeout": 0.5])
            #expect(r["verdict"] as? String == "TLE")

            r = try await execute(client, ["language": "python3", "code": "x = bytearray(300 << 20)", "memory": "64M"])
            #expect(r["verdict"] as? String == "MLE")

            let audit = try await service.store.auditEntries()
            #expect(audit.count == 5)
            #expect(audit.allSatisfy { $0["caller"] == "alice" && $0["endpoint"] == "execute" })
        }
    }

    @Test("a full queue answers 503 at once; nothing is lost")
    func queueFull() async throws {
        let c = testConfiguration {
            $0.workers = 1
            $0.queueCapacity = 1
        }
        try await withApp(c, .live) { client, _ in
            let port = try #require(client.port)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<6 {
                    group.addTask { try await post(port: port, "/execute", ["language": "bash", "code": "sleep 0.5"]) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            // One runs, one waits; the rest are refused at once.
            #expect(statuses.filter { $0 == 200 }.count >= 2)
            #expect(statuses.contains(503))
            #expect(statuses.allSatisfy { $0 == 200 || $0 == 503 })
        }
    }
}
