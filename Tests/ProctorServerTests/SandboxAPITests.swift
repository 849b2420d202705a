import Foundation
import Hummingbird
import HummingbirdTesting
import ProctorServer
import TestSupport
import Testing

@Suite("sandbox API: create, exec streamed as NDJSON, files, delete, reclaim", .needsRoot)
struct SandboxAPITests {
    func create(_ client: any TestClientProtocol, _ fields: [String: Any] = [:], headers: HTTPFields = alice) async throws
        -> String
    {
        try await client.execute(uri: "/sandboxes", method: .post, headers: headers, body: body(fields)) { r in
            #expect(r.status == .created, "\(r.text)")
            return try #require(r.json["id"] as? String)
        }
    }

    func lines(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    @Test("exec streams stdout and stderr, then the result; files go in and out")
    func execAndFiles() async throws {
        try await withApp(testConfiguration(), .live) { client, _ in
            let id = try await create(client, ["limits": ["memory": "128M"], "lifetime": 60])
            try await client.execute(
                uri: "/sandboxes/\(id)/files/dir/hello.txt", method: .put, headers: alice,
                body: ByteBuffer(string: "hi there")
            ) { #expect($0.status == .created) }
            let events = try await client.execute(
                uri: "/sandboxes/\(id)/exec", method: .post, headers: alice,
                body: body([
                    "argv": [
                        "/bin/sh", "-c", "cat dir/hello.txt; echo; echo oops >&2; read x; echo got:$x; echo made > out.txt",
                    ],
                    "stdin": "line\n",
                ])
            ) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "application/x-ndjson")
                return lines(r.text)
            }
            let stdout = events.filter { $0["type"] as? String == "stdout" }.compactMap { $0["data"] as? String }.joined()
            let stderr = events.filter { $0["type"] as? String == "stderr" }.compactMap { $0["data"] as? String }.joined()
            #expect(stdout == "hi there\ngot:line\n")
            #expect(stderr == "oops\n")
            let exit = try #require(events.last)
            #expect(exit["type"] as? String == "exit")
            #expect(exit["return_code"] as? Int == 0)
            try await client.execute(uri: "/sandboxes/\(id)/files/out.txt", method: .get, headers: alice) { r in
                #expect(r.text == "made\n")
            }
            try await client.execute(uri: "/sandboxes/\(id)/files?path=.", method: .get, headers: alice) { r in
                let names = (r.json["entries"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
                #expect(Set(names) == ["dir", "out.txt"])
            }
            try await client.execute(uri: "/sandboxes/\(id)/files/out.txt", method: .delete, headers: alice) {
                #expect($0.status == .noContent)
            }
            try await client.execute(uri: "/sandboxes/\(id)/files/out.txt", method: .get, headers: alice) {
                #expect($0.status == .notFound)
            }
            // Someone else's sandbox does not exist for them.
            try await client.execute(uri: "/sandboxes/\(id)/files/dir/hello.txt", method: .get, headers: bob) {
                #expect($0.status == .notFound)
            }
            try await client.execute(uri: "/sandboxes/\(id)", method: .delete, headers: alice) {
                #expect($0.status == .noContent)
            }
            try await client.execute(
                uri: "/sandboxes/\(id)/exec", method: .post, headers: alice,
                body: body(["argv": ["/bin/true"]])
            ) { #expect($0.status == .notFound) }
        }
    }

    @Test("output arrives while the program still runs")
    func streamsLive() async throws {
        try await withApp(testConfiguration(), .live) { client, service in
            let id = try await create(client)
            // Through a raw socket: the first line must come long before the program ends.
            let port = try #require(client.port)
            let payload = String(
                decoding: try JSONSerialization.data(withJSONObject: [
                    "argv": ["/bin/sh", "-c", "echo first; sleep 60; echo second"]
                ]), as: UTF8.self)
            let startedAt = Date()
            // Read until the first line, then hang up (which kills the program).
            let (firstAt, all) = try await offPool {
                try rawStream(port: port, path: "/sandboxes/\(id)/exec", body: payload, marker: "first", stopAtMarker: true)
            }
            // The first line came while the program slept (60 s), not with the rest at its end:
            // measured against the sleep, not against a clock margin a loaded machine can eat
            // (a 4 s sleep and a 1.5 s margin failed in CI).
            #expect(firstAt.timeIntervalSince(startedAt) < 45)
            #expect(all.contains("first") && !all.contains("second"))
            _ = service
        }
    }

    @Test("a token's sandbox cap; idle and lifetime reclaim")
    func capAndReclaim() async throws {
        let c = testConfiguration { $0.maxSandboxesPerToken = 2 }
        try await withApp(c, .live) { client, _ in
            let a = try await create(client, ["lifetime": 60])
            let b = try await create(client, ["lifetime": 60])
            try await client.execute(uri: "/sandboxes", method: .post, headers: alice, body: body([:])) { r in
                #expect(r.status == .tooManyRequests)
            }
            _ = try await create(client, headers: bob)
            try await client.execute(uri: "/sandboxes/\(b)", method: .delete, headers: alice) { #expect($0.status == .noContent) }
            let idle = try await create(client, ["idle_timeout": 1])
            try await Task.sleep(for: .seconds(2.5))
            try await client.execute(uri: "/sandboxes/\(idle)", method: .get, headers: alice) { #expect($0.status == .notFound) }
            let short = try await create(client, ["lifetime": 1, "idle_timeout": 1])
            try await Task.sleep(for: .seconds(2.5))
            try await client.execute(uri: "/sandboxes/\(short)", method: .get, headers: alice) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/sandboxes", method: .get, headers: alice) { r in
                let ids = (r.json["sandboxes"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                #expect(ids == [a])
            }
        }
    }
}

/// POSTs over a plain socket and reads the chunked answer, noting when `marker` first shows.
func rawStream(port: Int, path: String, body: String, marker: String, stopAtMarker: Bool = false) throws -> (Date, String) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let ok = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard ok == 0 else { throw POSIXError(.ECONNREFUSED) }
    let request =
        "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer secret-a\r\nContent-Type: application/json\r\n"
        + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
    _ = request.withCString { send(fd, $0, strlen($0), 0) }
    var all = ""
    var firstAt: Date?
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = recv(fd, &buffer, buffer.count, 0)
        if n <= 0 { break }
        all += String(decoding: buffer[..<n], as: UTF8.self)
        if firstAt == nil && all.contains(marker) {
            firstAt = Date()
            if stopAtMarker { break }
        }
    }
    return (firstAt ?? Date.distantFuture, all)
}
