import Foundation
import Hummingbird
import HummingbirdTesting
import ProctorServer
import Synchronization
import TestSupport
import Testing

/// A loopback HTTP receiver for callbacks: answers 500 to the first `failures` posts, then 200
/// (or, with `redirect`, a 302 to that URL).
final class CallbackReceiver: Sendable {
    let port: Int
    private let fd: Int32
    let bodies = Mutex<[String]>([])
    let methods = Mutex<[String]>([])
    let attempts = Mutex(0)

    init(failures: Int, redirect: String? = nil) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        listen(fd, 16)
        var bound = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        port = Int(UInt16(bigEndian: bound.sin_port))
        let listener = fd
        Thread.detachNewThread { [self, failures, redirect] in
            while true {
                let c = accept(listener, nil, nil)
                if c < 0 { return }
                var data = [UInt8]()
                var buffer = [UInt8](repeating: 0, count: 65536)
                var timeout = timeval(tv_sec: 5, tv_usec: 0)
                setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                while true {
                    let n = recv(c, &buffer, buffer.count, 0)
                    if n <= 0 { break }
                    data += buffer[..<n]
                    let text = String(decoding: data, as: UTF8.self)
                    if let headEnd = text.range(of: "\r\n\r\n") {
                        let head = text[..<headEnd.lowerBound].lowercased()
                        let length =
                            head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                            .flatMap { Int($0.dropFirst(15).trimmingCharacters(in: .whitespaces)) } ?? 0
                        if text.utf8.count - text.utf8.distance(from: text.startIndex, to: headEnd.upperBound) >= length {
                            let n = self.attempts.withLock { a -> Int in
                                a += 1
                                return a
                            }
                            let ok = n > failures
                            if ok {
                                self.bodies.withLock { $0.append(String(text[headEnd.upperBound...])) }
                                self.methods.withLock { $0.append(String(text.prefix { $0 != " " })) }
                            }
                            var answer =
                                "HTTP/1.1 \(ok ? "200 OK" : "500 Internal Server Error")\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            if let redirect {
                                answer =
                                    "HTTP/1.1 302 Found\r\nLocation: \(redirect)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            }
                            _ = answer.withCString { send(c, $0, strlen($0), 0) }
                            break
                        }
                    }
                }
                close(c)
            }
        }
    }

    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }
}

func waitForJob(_ client: any TestClientProtocol, _ id: String, seconds: Double = 60) async throws -> [String: Any] {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        let doc = try await client.execute(uri: "/jobs/\(id)", method: .get, headers: alice) { $0.json }
        if let s = doc["status"] as? String, s == "done" || s == "failed" { return doc }
        try await Task.sleep(for: .milliseconds(200))
    }
    throw POSIXError(.ETIMEDOUT)
}

@Suite("grading jobs: POST /grade, GET /jobs, JUnit, callbacks", .needsRoot)
struct GradeTests {
    static let sumPy = try! String(contentsOf: Host.repository.appendingPathComponent("Fixtures/sum/sum.py"), encoding: .utf8)
    static let wrongPy = try! String(contentsOf: Host.repository.appendingPathComponent("Fixtures/sum/wa.py"), encoding: .utf8)

    @Test("a named suite, two solutions: the JSON report, the JUnit XML, a callback retried until it lands")
    func namedSuite() async throws {
        let receiver = try CallbackReceiver(failures: 2)
        defer { receiver.stop() }
        let c = testConfiguration {
            $0.callbackBackoff = 0.1
            $0.callbackTargets = CallbackTargets(allowedHosts: ["127.0.0.1"])
        }
        try await withApp(c) { client, service in
            let id = try await client.execute(
                uri: "/grade", method: .post, headers: alice,
                body: body([
                    "suite": "sum",
                    "solutions": [["name": "good.py", "code": Self.sumPy], ["name": "bad.py", "code": Self.wrongPy]],
                    "callback_url": "http://127.0.0.1:\(receiver.port)/done",
                ])
            ) { r in
                #expect(r.status == .accepted, "\(r.text)")
                return try #require(r.json["id"] as? String)
            }
            let doc = try await waitForJob(client, id)
            #expect(doc["status"] as? String == "done")
            let report = try #require(doc["report"] as? [String: Any])
            #expect(report["schema"] as? String == "proctor.report/1")
            let results = try #require(report["results"] as? [[String: Any]])
            #expect(results.map { $0["verdict"] as? String } == ["AC", "WA"])
            #expect(!String(describing: report).contains(".jobs/"))
            try await client.execute(uri: "/jobs/\(id)/junit", method: .get, headers: alice) { r in
                #expect(r.status == .ok)
                #expect(r.text.contains("<testsuites"))
                #expect(r.text.contains("failure"))
            }
            try await client.execute(uri: "/jobs/\(id)", method: .get, headers: bob) { #expect($0.status == .notFound) }
            let deadline = Date().addingTimeInterval(10)
            while receiver.bodies.withLock({ $0.isEmpty }) && Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
            #expect(receiver.attempts.withLock { $0 } == 3)
            let delivered = receiver.bodies.withLock { $0.first } ?? ""
            #expect(delivered.contains(id) && delivered.contains("proctor.report/1"))
            let audit = try await service.store.auditEntries()
            #expect(audit.contains { $0["endpoint"] == "grade" && $0["verdict"] == "WA" })
        }
    }

    @Test("an uploaded suite; a bad one is a 400 with its line and no host path; an unknown name is a 404")
    func uploads() async throws {
        try await withApp { client, _ in
            let suite =
                "version: 1\nname: up\nproblems:\n  - id: echo\n    kind: stdio\n    tests:\n      - name: one\n        input: data/in.txt\n"
            _ = suite
            let good =
                "version: 1\nname: up\nproblems:\n  - id: double\n    kind: stdio\n    compare: tokens\n    tests:\n      - glob: data/*.in\n"
            let id = try await client.execute(
                uri: "/grade", method: .post, headers: alice,
                body: body([
                    "suite_upload": [
                        "files": [
                            ["path": "suite.yaml", "content": good], ["path": "data/1.in", "content": "4\n"],
                            ["path": "data/1.ans", "content": "8\n"],
                        ]
                    ],
                    "solutions": [["name": "d.py", "code": "print(2 * int(input()))"]],
                ])
            ) { r in
                #expect(r.status == .accepted, "\(r.text)")
                return try #require(r.json["id"] as? String)
            }
            let doc = try await waitForJob(client, id)
            let results = (doc["report"] as? [String: Any])?["results"] as? [[String: Any]]
            #expect(results?.first?["verdict"] as? String == "AC")

            try await client.execute(
                uri: "/grade", method: .post, headers: alice,
                body: body([
                    "suite_upload": ["files": [["path": "suite.yaml", "content": "version: 1\nname: x\nproblemz: []\n"]]],
                    "solutions": [["name": "d.py", "code": "print(1)"]],
                ])
            ) { r in
                #expect(r.status == .badRequest)
                #expect(r.text.contains("suite.yaml:3"))
                #expect(!r.text.contains("/tmp") && !r.text.contains(".jobs"))
            }
            try await client.execute(
                uri: "/grade", method: .post, headers: alice,
                body: body([
                    "suite": "../etc", "solutions": [["name": "d.py", "code": "print(1)"]],
                ])
            ) { #expect($0.status == .badRequest) }
            try await client.execute(
                uri: "/grade", method: .post, headers: alice,
                body: body([
                    "suite": "nosuch", "solutions": [["name": "d.py", "code": "print(1)"]],
                ])
            ) { #expect($0.status == .notFound) }
        }
    }

    /// POSTs a grading request; returns the status and the body.
    static func grade(_ client: any TestClientProtocol, _ request: [String: Any]) async throws -> (Int, String) {
        try await client.execute(uri: "/grade", method: .post, headers: alice, body: body(request)) { r in
            (Int(r.status.code), r.text)
        }
    }

    static func upload(_ suite: String, _ more: [[String: String]] = []) -> [String: Any] {
        [
            "suite_upload": ["files": [["path": "suite.yaml", "content": suite]] + more],
            "solutions": [["name": "cat.py", "code": "import sys\nprint(open('x').read() if False else sys.stdin.read())"]],
        ]
    }

    @Test("an uploaded suite naming a host file (absolute, '../', files.source, checker) is a 400; the file never comes back")
    func uploadCannotReadHostFiles() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-secret-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let secret = "TOP-SECRET-\(UUID().uuidString)"
        let path = folder + "/secret.txt"
        try secret.write(toFile: path, atomically: true, encoding: .utf8)
        let up = String(repeating: "../", count: 20) + path.dropFirst()
        let head = "version: 1\nproblems:\n  - id: p\n"
        let attacks = [
            head + "    tests:\n      - {name: t, input: \"\", answer_file: \(path)}\n",
            head + "    tests:\n      - {name: t, input: \"\", answer_file: \"\(up)\"}\n",
            head + "    tests:\n      - {name: t, input_file: \(path), answer: \"\"}\n",
            head + "    files: [{source: \(path), target: x}]\n    tests:\n      - {name: t, input: \"\", answer: \"\"}\n",
            head + "    checker: {source: \"\(up)\"}\n    tests:\n      - {name: t, input: \"\"}\n",
            head + "    tests:\n      - glob: \"\(folder)/*.txt\"\n",
        ]
        try await withApp { client, _ in
            for attack in attacks {
                let (status, text) = try await Self.grade(client, Self.upload(attack))
                #expect(status == 400, "\(attack) -> \(status) \(text)")
                #expect(text.contains("suite.yaml:"), "\(text)")
                #expect(!text.contains(secret))
            }
            // Nothing was queued: no job can have leaked it later.
            let jobs = try await client.execute(uri: "/jobs/none", method: .get, headers: alice) { $0.status }
            #expect(jobs == .notFound)
        }
    }

    @Test("upload paths with '..', absolute, '.', duplicates, a bad main or solution name are refused")
    func uploadPathsAreChecked() async throws {
        let suite = "version: 1\nproblems:\n  - id: p\n    tests:\n      - {name: t, input: \"1\", answer: \"1\"}\n"
        try await withApp { client, _ in
            let bad: [[String: Any]] = [
                Self.upload(suite, [["path": "../escape.txt", "content": "x"]]),
                Self.upload(suite, [["path": "data/../../escape.txt", "content": "x"]]),
                Self.upload(suite, [["path": "/tmp/proctor-escape-\(UUID().uuidString)", "content": "x"]]),
                Self.upload(suite, [["path": "./a", "content": "x"]]),
                Self.upload(suite, [["path": "suite.yaml", "content": "x"]]),
                [
                    "suite_upload": ["files": [["path": "suite.yaml", "content": suite]], "main": "../suite.yaml"],
                    "solutions": [["name": "a.py", "code": "print(1)"]],
                ],
                [
                    "suite_upload": ["files": [["path": "suite.yaml", "content": suite]]],
                    "solutions": [["name": "../../a.py", "code": "print(1)"]],
                ],
                [
                    "suite_upload": ["files": [["path": "suite.yaml", "content": suite]]],
                    "solutions": [["name": "/tmp/a.py", "code": "print(1)"]],
                ],
            ]
            for request in bad {
                let (status, text) = try await Self.grade(client, request)
                #expect(status == 400, "\(request) -> \(status) \(text)")
            }
            var many = ServerConfiguration().maxSuiteFiles
            many += 1
            let files = (0..<many).map { ["path": "f\($0)", "content": ""] }
            let (status, _) = try await Self.grade(client, Self.upload(suite, files))
            #expect(status == 400)
        }
        #expect(!FileManager.default.fileExists(atPath: FileManager.default.temporaryDirectory.path + "/escape.txt"))
    }

    @Test("an uploaded suite asking for more than the caps is a 400 naming the line and the cap")
    func uploadLimitsAreCapped() async throws {
        let c = testConfiguration { $0.suiteCaps.memory = 64 << 20 }
        try await withApp(c) { client, _ in
            let suite =
                "version: 1\nproblems:\n  - id: p\n    limits: {time: 1h, memory: 128M}\n    tests:\n      - {name: t, input: \"1\", answer: \"1\"}\n"
            let (status, text) = try await Self.grade(client, Self.upload(suite))
            #expect(status == 400)
            #expect(text.contains("suite.yaml:4:20") && text.contains("above the cap of 10s CPU time"), "\(text)")
            #expect(text.contains("suite.yaml:4:32") && text.contains("above the cap of 64M"), "\(text)")
            // The server's own suites are not held to the caps.
            let (named, _) = try await Self.grade(client, ["suite": "sum", "solutions": [["name": "a.py", "code": "print(1)"]]])
            #expect(named == 202)
        }
    }
}
