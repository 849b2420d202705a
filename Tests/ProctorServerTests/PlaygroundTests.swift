import Foundation
import Hummingbird
import HummingbirdTesting
import ProctorServer
import TestSupport
import Testing

enum Chromium {
    static let path = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    static func run(_ arguments: [String]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path!)
        p.arguments =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage",
                "--user-data-dir="
                    + FileManager.default.temporaryDirectory.appendingPathComponent("proctor-chromium-\(getpid())").path,
            ]
            + arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text)
    }
}

@Suite("playground page")
struct PlaygroundTests {
    @Test("GET / serves the page without a token")
    func page() async throws {
        try await withApp { client, _ in
            try await client.execute(uri: "/", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.text.contains("<select id=\"language\">"))
                #expect(r.text.contains("python3"))
            }
        }
    }

    @Test(
        "headless Chromium runs a program from the page and shows stdout, verdict, time, memory; screenshot kept",
        .needsRoot,
        .enabled(if: Chromium.path != nil, "needs Chromium (apt-get install -y chromium): the browser test is SKIPPED"))
    func browser() async throws {
        try await withApp(testConfiguration(), .live) { client, _ in
            let port = try #require(client.port)
            let fragment =
                "token=secret-a&language=python3&autorun&stdin=Ada&code="
                + "print('hello', input())".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let url = "http://127.0.0.1:\(port)/#\(fragment)"
            let (status, dom) = try await offPool {
                try Chromium.run(["--virtual-time-budget=15000", "--dump-dom", url])
            }
            #expect(status == 0)
            #expect(dom.contains("<pre id=\"stdout\">hello Ada\n</pre>"), "\(dom.suffix(2000))")
            #expect(dom.contains("<span id=\"verdict\" class=\"AC\">AC</span>"))
            #expect(dom.contains("MiB</td>"))
            let shot = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-playground.png").path
            try? FileManager.default.removeItem(atPath: shot)
            let (shotStatus, _) = try await offPool {
                try Chromium.run(["--virtual-time-budget=15000", "--window-size=1000,900", "--screenshot=\(shot)", url])
            }
            #expect(shotStatus == 0)
            let size = (try? FileManager.default.attributesOfItem(atPath: shot)[.size] as? Int) ?? 0
            #expect(size > 10_000, "the screenshot is a real image")
        }
    }
}
