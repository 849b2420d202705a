import Foundation
import HummingbirdTesting
import ProctorServer
import TestSupport
import Testing

/// Attacks on the callback door: a caller aiming the server's own requests at loopback,
/// private, link-local or metadata addresses, directly, through odd spellings of an
/// address, through a name, or through a redirect.
@Suite("callbacks cannot be aimed inward")
struct CallbackTargetTests {
    /// Every spelling here reaches the machine itself or a private network.
    static let inward = [
        "http://127.0.0.1:9/x", "http://localhost:9/", "http://127.1:9/", "http://0x7f000001/", "http://2130706433/",
        "http://0.0.0.0:9/", "http://[::1]:9/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:a9fe:a9fe]/",
        "http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/", "http://172.16.0.1/", "http://192.168.1.1/",
        "http://100.64.0.1/", "http://[fd00::1]/", "http://[fe80::1]/", "https://127.0.0.1/",
    ]

    @Test("internal addresses are refused by the check, public ones pass", arguments: inward)
    func refusesInward(url: String) async {
        await #expect(throws: CallbackTargets.Refusal.self) { _ = try await CallbackTargets().check(url) }
    }

    @Test("address classes: internal and public, IPv4 inside IPv6 judged by its IPv4 address")
    func classes() {
        #expect(CallbackTargets.isInternal([8, 8, 8, 8]) == false)
        #expect(CallbackTargets.isInternal([1, 1, 1, 1]) == false)
        #expect(CallbackTargets.isInternal([172, 32, 0, 1]) == false)
        #expect(CallbackTargets.isInternal([172, 31, 255, 255]) == true)
        #expect(CallbackTargets.isInternal([169, 254, 169, 254]) == true)
        #expect(CallbackTargets.isInternal([255, 255, 255, 255]) == true)
        let mapped: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]
        #expect(CallbackTargets.isInternal(mapped + [127, 0, 0, 1]) == true)
        #expect(CallbackTargets.isInternal(mapped + [8, 8, 8, 8]) == false)
        #expect(CallbackTargets.isInternal([0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1]) == true)
        #expect(CallbackTargets.isInternal([0x20, 0x02, 192, 168, 0, 1] + Array(repeating: 0, count: 10)) == true)
        #expect(CallbackTargets.isInternal([0x26, 0x06, 0x47, 0x00] + Array(repeating: 0, count: 12)) == false)
    }

    @Test("the operator's allowed hosts and allow-internal let a callback through; userinfo never")
    func allowances() async throws {
        _ = try await CallbackTargets(allowedHosts: ["127.0.0.1"]).check("http://127.0.0.1:9/")
        _ = try await CallbackTargets(allowInternal: true).check("http://10.0.0.1/")
        await #expect(throws: CallbackTargets.Refusal.self) {
            _ = try await CallbackTargets(allowedHosts: ["127.0.0.1"]).check("http://localhost:9/")
        }
        await #expect(throws: CallbackTargets.Refusal.self) { _ = try await CallbackTargets().check("ftp://example.com/") }
        await #expect(throws: CallbackTargets.Refusal.self) { _ = try await CallbackTargets().check("http://u:p@8.8.8.8/") }
    }

    @Test("POST /grade with an inward callback_url is a 400 and no job", .needsRoot)
    func gradeRefuses() async throws {
        try await withApp(testConfiguration()) { client, service in
            for url in ["http://127.0.0.1:9/", "http://169.254.169.254/", "http://[::1]/"] {
                try await client.execute(
                    uri: "/grade", method: .post, headers: alice,
                    body: body([
                        "suite": "sum", "solutions": [["name": "a.py", "code": "print(1)"]], "callback_url": url,
                    ])
                ) { r in
                    #expect(r.status == .badRequest, "\(url): \(r.text)")
                    #expect(r.text.contains("internal address"))
                }
            }
            #expect(try await service.store.auditEntries().isEmpty)
        }
    }

    @Test("a Judge0 submission with an inward callback_url is a 422 on callback_url")
    func judge0Refuses() async throws {
        try await withApp(testConfiguration()) { client, _ in
            try await client.execute(
                uri: "/submissions", method: .post, headers: alice,
                body: body([
                    "source_code": "print(1)", "language_id": 71, "callback_url": "http://localhost:8080/admin",
                ])
            ) { r in
                #expect(r.status == .unprocessableContent, "\(r.text)")
                let errors = r.json["callback_url"] as? [String]
                #expect(errors?.first?.contains("internal address") == true, "\(r.text)")
            }
        }
    }

    @Test("a redirect from an allowed receiver is not followed", .needsRoot)
    func noRedirects() async throws {
        let inner = try CallbackReceiver(failures: 0)
        defer { inner.stop() }
        let outer = try CallbackReceiver(failures: 0, redirect: "http://localhost:\(inner.port)/stolen")
        defer { outer.stop() }
        let c = testConfiguration {
            $0.callbackBackoff = 0.05
            $0.callbackTries = 2
            $0.callbackTargets = CallbackTargets(allowedHosts: ["127.0.0.1"])
        }
        try await withApp(c) { client, _ in
            let token = try await client.execute(
                uri: "/submissions?base64_encoded=false", method: .post, headers: alice,
                body: body([
                    "source_code": "print(1)", "language_id": 71, "callback_url": "http://127.0.0.1:\(outer.port)/cb",
                ])
            ) { r in try #require(r.json["token"] as? String, "\(r.text)") }
            let deadline = Date().addingTimeInterval(30)
            while outer.attempts.withLock({ $0 }) < 2 && Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
            try await Task.sleep(for: .milliseconds(300))
            #expect(outer.attempts.withLock { $0 } == 2, "token \(token)")
            #expect(inner.attempts.withLock { $0 } == 0)
        }
    }
}
