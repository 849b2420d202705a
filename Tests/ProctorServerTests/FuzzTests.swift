import Foundation
import TestSupport
import Testing

/// schemathesis, found once; when it is missing the test is skipped and says why, loudly.
enum Schemathesis {
    static let available: Bool = {
        let ok = Host.hasPython(module: "schemathesis.cli")
        if !ok {
            FileHandle.standardError.write(
                Data(
                    """
                    ProctorServerTests: WARNING: schemathesis is not installed for \(Host.python ?? "python3"); \
                    the OpenAPI fuzzing test is SKIPPED (scripts/setup.sh installs it: pip install schemathesis)\n
                    """.utf8))
        }
        return ok
    }()
}

/// The API fuzzed from its own OpenAPI document (schemathesis) against a real `proctor serve`
/// on loopback: no 5xx, no hang, and every answer (status, content type, body) as the
/// document says.
@Suite("OpenAPI fuzzing (schemathesis)", .needsRoot, .serialized)
struct FuzzTests {
    @Test(
        "schemathesis: no server error, every response conforms to /openapi.json",
        .enabled(if: Schemathesis.available, "needs schemathesis (pip install schemathesis; scripts/setup.sh does it)"),
        .timeLimit(.minutes(4)))
    func schemathesis() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let port = ServeProcessTests.freePort()
        // A rate limit the fuzzer cannot reach (429s are not what is tested here).
        let server = try ServeProcessTests.Server.start(
            database: folder.appendingPathComponent("db.sqlite").path, port: port,
            extra: ["--rate", "100000", "--burst", "100000"])
        defer {
            kill(server.process.processIdentifier, SIGKILL)
            server.process.waitUntilExit()
        }
        try await server.waitUp()
        let output = try await offPool { () -> (Int32, String) in
            try Self.runFuzzer(Self.baseArguments(port: port), timeout: 180)
        }
        #expect(output.0 == 0, "schemathesis found problems:\n\(output.1)")
        #expect(server.process.isRunning, "the server died under fuzzing")
        let (code, _) = try await server.request("GET", "/health")
        #expect(code == 200)
    }

    static func baseArguments(port: Int) -> [String] {
        [
            "-c", "import sys; from schemathesis.cli import schemathesis; sys.argv[0] = 'schemathesis'; sys.exit(schemathesis())",
            "run", "http://127.0.0.1:\(port)/openapi.json",
            "--header", "Authorization: Bearer secret-a",
            "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            // Stateful: sequences along the document's links (a sandbox made, then its
            // files, exec, delete; a job, then its document and JUnit).
            "--phases", "examples,coverage,fuzzing,stateful",
            // One worker: with two, Python 3.11's ast module (used by hypothesis) sometimes
            // fails in a thread ("AST constructor recursion depth mismatch"), a tool error.
            "--max-examples", "15", "--seed", "8", "--workers", "1",
            "--request-timeout", "30",
            "--generation-database", "none", "--suppress-health-check", "all", "--no-color",
        ]
    }

    /// Runs schemathesis; past `timeout` seconds it is killed and the test fails (a hang).
    static func runFuzzer(_ arguments: [String], timeout: Double) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Host.python!)
        p.arguments = arguments
        // schemathesis keeps files (.schemathesis/) in its working folder: not the repository.
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-fuzz-cwd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        p.currentDirectoryURL = work
        let log = FileManager.default.temporaryDirectory.appendingPathComponent(
            "proctor-fuzz-\(getpid())-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let handle = try FileHandle(forWritingTo: log)
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
        let hung = p.isRunning
        if hung {
            p.terminate()
            p.waitUntilExit()
        }
        try? handle.close()
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return (hung ? -1 : p.terminationStatus, (hung ? "TIMED OUT after \(Int(timeout)) s\n" : "") + String(text.suffix(20000)))
    }
}
