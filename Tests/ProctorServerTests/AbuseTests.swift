import Foundation
import Hummingbird
import HummingbirdTesting
import ProctorServer
import TestSupport
import Testing

/// Issue 8: what a sandboxed program or a rude client can do to the server. Each test runs
/// the server in-process on a real socket (HummingbirdTesting's live mode) and attacks it
/// over raw connections.
@Suite("abuse: FIFOs, hang-ups, slow clients, load", .needsRoot, .timeLimit(.minutes(10)))
struct AbuseTests {
    func create(_ client: any TestClientProtocol, _ fields: [String: Any] = [:]) async throws -> String {
        try await client.execute(uri: "/sandboxes", method: .post, headers: alice, body: body(fields)) { r in
            #expect(r.status == .created, "\(r.text)")
            return try #require(r.json["id"] as? String)
        }
    }

    func run(_ client: any TestClientProtocol, _ id: String, _ script: String) async throws -> String {
        try await client.execute(
            uri: "/sandboxes/\(id)/exec", method: .post, headers: alice,
            body: body(["argv": ["/bin/sh", "-c", script]])
        ) { r in
            #expect(r.status == .ok, "\(r.text)")
            return r.text
        }
    }

    func metrics(_ client: any TestClientProtocol) async throws -> String {
        try await client.execute(uri: "/metrics", method: .get, headers: alice) { $0.text }
    }

    /// Polls /metrics until `name` reads `value`, for at most `seconds`; the seconds it took.
    func waitForMetric(_ client: any TestClientProtocol, _ name: String, _ value: Double, seconds: Double) async throws -> Double?
    {
        let start = Date()
        while Date().timeIntervalSince(start) < seconds {
            if metric(try await metrics(client), name) == value { return Date().timeIntervalSince(start) }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    /// GET /health on a fresh connection; its seconds.
    static func probeHealth(port: Int) throws -> (Int, Double) {
        let start = Date()
        let answer = try RawConnection.exchange(port: port, "GET", "/health", timeout: 10)
        return (statusCode(answer), Date().timeIntervalSince(start))
    }

    @Test("a FIFO, a socket, a folder or a huge file: file calls answer 400 or 413 at once, many at a time, and /health stays up")
    func specialFiles() async throws {
        try await withApp(testConfiguration(), .live) { client, _ in
            let port = try #require(client.port)
            let id = try await create(client, ["lifetime": 120])
            _ = try await run(
                client, id,
                """
                mkfifo f; mkdir d
                /usr/bin/python3 -c "import socket; s = socket.socket(socket.AF_UNIX); s.bind('sock')"
                head -c 5000000 /dev/zero > big
                """)
            var calls: [(String, String, Int)] = []
            for name in ["f", "sock"] {
                calls += [
                    ("GET", "/sandboxes/\(id)/files/\(name)", 400), ("PUT", "/sandboxes/\(id)/files/\(name)", 400),
                    ("GET", "/sandboxes/\(id)/files?path=\(name)", 400),
                ]
            }
            calls += [
                ("GET", "/sandboxes/\(id)/files/d", 400), ("PUT", "/sandboxes/\(id)/files/d", 400),
                ("GET", "/sandboxes/\(id)/files/big", 413),
            ]
            // Twice over, all at once: more blocked calls than the cooperative pool has threads.
            let answers = try await withThrowingTaskGroup(of: (String, Int, Int, Double).self) { group in
                for (method, path, expected) in calls + calls {
                    group.addTask {
                        try await offPool {
                            let start = Date()
                            let a = try RawConnection.exchange(
                                port: port, method, path, body: method == "PUT" ? "data" : "", timeout: 15)
                            return ("\(method) \(path)", expected, statusCode(a), Date().timeIntervalSince(start))
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            for (call, expected, status, seconds) in answers {
                #expect(status == expected, "\(call)")
                #expect(seconds < 5, "\(call) took \(seconds) s")
            }
            let (health, seconds) = try await offPool { try Self.probeHealth(port: port) }
            #expect(health == 200 && seconds < 0.5)
            // A regular file still goes in and out.
            try await client.execute(
                uri: "/sandboxes/\(id)/files/ok.txt", method: .put, headers: alice,
                body: ByteBuffer(string: "fine")
            ) { #expect($0.status == .created) }
            try await client.execute(uri: "/sandboxes/\(id)/files/ok.txt", method: .get, headers: alice) {
                #expect($0.text == "fine")
            }
        }
    }

    @Test("a client that hangs up during POST /execute: its program is killed and its worker freed within seconds")
    func hangUpExecute() async throws {
        try await withApp(testConfiguration { $0.workers = 2 }, .live) { client, _ in
            let port = try #require(client.port)
            let connection = try RawConnection(port: port)
            let payload = #"{"language": "bash", "code": "sleep 30", "timeout": 40}"#
            connection.send(RawConnection.head("POST", "/execute", contentLength: payload.utf8.count) + payload)
            let started = try await waitForMetric(client, "proctor_execute_running", 1, seconds: 20)
            try #require(started != nil, "the run never started")
            try await Task.sleep(for: .milliseconds(500))
            connection.close()
            let freed = try await waitForMetric(client, "proctor_execute_running", 0, seconds: 5)
            #expect(freed != nil, "the run went on after its client left")
        }
    }

    @Test("a client that hangs up during a streamed exec: the process is killed, even one that prints nothing")
    func hangUpExec() async throws {
        try await withApp(testConfiguration(), .live) { client, _ in
            let port = try #require(client.port)
            let id = try await create(client, ["lifetime": 120])
            let connection = try RawConnection(port: port)
            let payload = #"{"argv": ["/bin/sh", "-c", "echo started; exec sleep 30"]}"#
            connection.send(RawConnection.head("POST", "/sandboxes/\(id)/exec", contentLength: payload.utf8.count) + payload)
            let first = try await offPool { connection.read(until: "started", timeout: 20) }
            try #require(first.contains("started"))
            connection.close()
            let count = """
                /usr/bin/python3 -c "import os; print('sleeps:', sum(1 for p in os.listdir('/proc') if p.isdigit() and open('/proc/' + p + '/cmdline', 'rb').read().startswith(b'sleep')))"
                """
            var gone = false
            let deadline = Date().addingTimeInterval(5)
            while !gone && Date() < deadline {
                gone = try await run(client, id, count).contains("sleeps: 0")
                if !gone { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(gone, "sleep 30 still runs after its client left")
        }
    }

    @Test("a Judge0 client that hangs up during wait=true: the submission's run is killed, the submission says so")
    func hangUpJudge0Wait() async throws {
        try await withApp(testConfiguration { $0.workers = 2 }, .live) { client, _ in
            let port = try #require(client.port)
            let connection = try RawConnection(port: port)
            let payload =
                #"{"source_code": "import time\ntime.sleep(15)", "language_id": 71, "wall_time_limit": 20, "cpu_time_limit": 10}"#
            connection.send(
                RawConnection.head("POST", "/submissions?base64_encoded=false&wait=true", contentLength: payload.utf8.count)
                    + payload)
            let started = try await waitForMetric(client, "proctor_execute_running", 1, seconds: 20)
            try #require(started != nil, "the submission never started")
            try await Task.sleep(for: .milliseconds(500))
            connection.close()
            let freed = try await waitForMetric(client, "proctor_execute_running", 0, seconds: 5)
            #expect(freed != nil, "the submission's run went on after its client left")
            // The job's outcome is stored (and counted) just after its run ends.
            var text = ""
            let deadline = Date().addingTimeInterval(5)
            while Date() < deadline {
                text = try await metrics(client)
                if text.contains(#"proctor_jobs_total{kind="judge0",outcome="cancelled"} 1"#) { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(
                text.contains(#"proctor_jobs_total{kind="judge0",outcome="cancelled"} 1"#),
                "\(text.split(separator: "\n").filter { $0.hasPrefix("proctor_jobs") })")
        }
    }

    @Test("under abuse (FIFO calls, trickled uploads, CPU-bound sandboxes, more runs than workers) /health answers fast")
    func liveness() async throws {
        let c = testConfiguration {
            $0.workers = 2
            $0.queueCapacity = 8
            $0.bodyTimeout = 4
        }
        try await withApp(c, .live) { client, _ in
            let port = try #require(client.port)
            let fifo = try await create(client, ["lifetime": 120])
            _ = try await run(client, fifo, "mkfifo f")
            // Two sandboxes spinning (a quarter core each: the test process needs the rest).
            var spinners: [RawConnection] = []
            for _ in 0..<2 {
                let id = try await create(client, ["lifetime": 120, "limits": ["cpus": 0.25]])
                let connection = try RawConnection(port: port)
                let payload = #"{"argv": ["/usr/bin/python3", "-c", "while True: pass"], "timeout": 60}"#
                connection.send(RawConnection.head("POST", "/sandboxes/\(id)/exec", contentLength: payload.utf8.count) + payload)
                spinners.append(connection)
            }
            defer { for s in spinners { s.close() } }
            // Three trickled uploads: a 100 kB body sent 10 bytes every 100 ms.
            let trickles = (0..<3).map { i in
                Task {
                    try await offPool { () -> (Int, Double) in
                        let connection = try RawConnection(port: port)
                        defer { connection.close() }
                        let start = Date()
                        connection.send(
                            RawConnection.head(
                                "PUT", "/sandboxes/\(fifo)/files/up\(i)", contentLength: 100_000,
                                contentType: "application/octet-stream"))
                        while Date().timeIntervalSince(start) < 30 {
                            guard connection.send(String(repeating: "x", count: 10)) else { break }
                            let answer = connection.read(timeout: 0.1)
                            if !answer.isEmpty { return (statusCode(answer), Date().timeIntervalSince(start)) }
                        }
                        return (0, Date().timeIntervalSince(start))
                    }
                }
            }
            // More runs than workers (two run, two wait), and FIFO calls all the while.
            let runs = Task {
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<4 {
                        group.addTask { try await post(port: port, "/execute", ["language": "bash", "code": "sleep 3"]) }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
            }
            let fifoCalls = Task {
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for i in 0..<12 {
                        group.addTask {
                            try await offPool {
                                statusCode(
                                    try RawConnection.exchange(
                                        port: port, i % 2 == 0 ? "GET" : "PUT", "/sandboxes/\(fifo)/files/f",
                                        body: i % 2 == 0 ? "" : "x", timeout: 15))
                            }
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
            }
            try await Task.sleep(for: .milliseconds(500))
            var probes: [(Int, Double)] = []
            for _ in 0..<10 {
                probes.append(try await offPool { try Self.probeHealth(port: port) })
                try await Task.sleep(for: .milliseconds(100))
            }
            // A frozen server takes seconds or never answers. The bound leaves room for the
            // machine: the whole suite runs at once in this process, on two shared cores.
            #expect(probes.allSatisfy { $0.0 == 200 })
            #expect(probes.allSatisfy { $0.1 < 1 }, "\(probes.map(\.1))")
            #expect(probes.filter { $0.1 < 0.5 }.count >= 8, "\(probes.map(\.1))")
            #expect(try await fifoCalls.value.allSatisfy { $0 == 400 })
            #expect(try await runs.value.allSatisfy { $0 == 200 })
            for t in trickles {
                let (status, seconds) = try await t.value
                // Cut at the body timeout (4 s), with room for a loaded machine.
                #expect(status == 408, "a trickled upload answered \(status)")
                #expect(seconds < 10)
            }
        }
    }
}
