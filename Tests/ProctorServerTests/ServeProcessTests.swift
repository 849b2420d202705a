import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `proctor serve` as a real process: killed with SIGKILL mid-job and restarted, it loses no
/// accepted job and runs the interrupted one again; SIGTERM stops it cleanly.
@Suite("proctor serve as a process: SIGKILL and restart, SIGTERM", .needsRoot, .serialized)
struct ServeProcessTests {
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    struct Server {
        let process: Process
        let port: Int

        static func start(database: String, port: Int) throws -> Server {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Host.proctor)
            p.arguments = ["serve", "--port", "\(port)", "--database", database,
                           "--suites", Host.repository.appendingPathComponent("Suites").path, "--workers", "2"]
            var env = ProcessInfo.processInfo.environment
            env["PROCTOR_TOKENS"] = "alice:secret-a"
            p.environment = env
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            return Server(process: p, port: port)
        }

        func request(_ method: String, _ path: String, _ body: Any? = nil) async throws -> (Int, [String: Any]) {
            var r = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
            r.httpMethod = method
            r.setValue("Bearer secret-a", forHTTPHeaderField: "Authorization")
            r.setValue("application/json", forHTTPHeaderField: "Content-Type")
            if let body { r.httpBody = try JSONSerialization.data(withJSONObject: body) }
            let (data, response) = try await URLSession.shared.data(for: r)
            let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, json)
        }

        func waitUp() async throws {
            for _ in 0..<100 {
                if let (code, _) = try? await request("GET", "/health"), code == 200 { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw POSIXError(.ETIMEDOUT)
        }
    }

    @Test("kill -9 during a grading job: after a restart the job runs again and finishes; queued submissions too")
    func killAndRestart() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-serve-kill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("db.sqlite").path
        let port = Self.freePort()
        var server = try Server.start(database: database, port: port)
        try await server.waitUp()
        let slow = "import time\ntime.sleep(0.8)\na, b = map(int, input().split())\nprint(a + b)\n"
        let (code, job) = try await server.request("POST", "/grade", ["suite": "sum", "solutions": [["name": "slow.py", "code": slow]]])
        #expect(code == 202)
        let id = try #require(job["id"] as? String)
        var tokens: [String] = []
        for i in 0..<3 {
            let (c, s) = try await server.request("POST", "/submissions?base64_encoded=false",
                                                  ["source_code": "print(\(i) * 7)", "language_id": 71])
            #expect(c == 201)
            tokens.append(try #require(s["token"] as? String))
        }
        // Wait until the grading job runs (a loaded machine may take a while to get there),
        // then kill the server outright.
        var running = false
        for _ in 0..<300 where !running {
            let (_, doc) = try await server.request("GET", "/jobs/\(id)")
            running = doc["status"] as? String == "running"
            if !running { try await Task.sleep(for: .milliseconds(100)) }
        }
        try #require(running, "the job never started running")
        kill(server.process.processIdentifier, SIGKILL)
        server.process.waitUntilExit()

        server = try Server.start(database: database, port: port)
        defer {
            kill(server.process.processIdentifier, SIGKILL)
            server.process.waitUntilExit()
        }
        try await server.waitUp()
        var doc: [String: Any] = [:]
        for _ in 0..<300 {
            (_, doc) = try await server.request("GET", "/jobs/\(id)")
            if doc["status"] as? String == "done" || doc["status"] as? String == "failed" { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(doc["status"] as? String == "done")
        #expect((doc["attempts"] as? Int ?? 0) >= 2, "the interrupted job ran again")
        let results = (doc["report"] as? [String: Any])?["results"] as? [[String: Any]]
        #expect(results?.first?["verdict"] as? String == "AC")
        for (i, t) in tokens.enumerated() {
            var s: [String: Any] = [:]
            for _ in 0..<100 {
                (_, s) = try await server.request("GET", "/submissions/\(t)?base64_encoded=false")
                if ((s["status"] as? [String: Any])?["id"] as? Int ?? 1) > 2 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(s["stdout"] as? String == "\(i * 7)\n")
        }
    }

    @Test("SIGTERM: the server stops on its own, promptly, with exit code 0")
    func sigterm() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-serve-term-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try Server.start(database: folder.appendingPathComponent("db.sqlite").path, port: Self.freePort())
        try await server.waitUp()
        let (code, answer) = try await server.request("POST", "/execute", ["language": "python3", "code": "print(1)"])
        #expect(code == 200 && answer["stdout"] as? String == "1\n")
        kill(server.process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(15)
        while server.process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!server.process.isRunning)
        if server.process.isRunning {
            kill(server.process.processIdentifier, SIGKILL)
        } else {
            #expect(server.process.terminationStatus == 0)
        }
    }
}
