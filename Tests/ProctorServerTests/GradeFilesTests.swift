import Foundation
import Hummingbird
import HummingbirdTesting
import ProctorServer
import TestSupport
import Testing

/// POST /grade with a solution of several files (`files` instead of `code`): a folder
/// submission, here against the C unit suite the server holds (one result per unit test).
@Suite("grading jobs: solutions of several files", .needsRoot)
struct GradeFilesTests {
    static func read(_ path: String) -> String {
        (try? String(contentsOf: Host.repository.appendingPathComponent(path), encoding: .utf8)) ?? ""
    }

    @Test(.enabled(if: Host.has("/usr/bin/gcc"), "gcc is not installed; skipped"))
    func severalFilesAreAFolderSubmission() async throws {
        try await withApp { client, _ in
            let id = try await client.execute(
                uri: "/grade", method: .post, headers: alice,
                body: body([
                    "suite": "course-c-harness",
                    "solutions": [
                        [
                            "name": "lab2",
                            "files": [
                                ["path": "stats.c", "content": Self.read("Fixtures/course-c-harness/wrong/stats.c")],
                                ["path": "notes/README.txt", "content": "my notes"],
                            ],
                        ]
                    ],
                ])
            ) { r in
                #expect(r.status == .accepted, "\(r.text)")
                return try #require(r.json["id"] as? String)
            }
            let doc = try await waitForJob(client, id)
            let results = (doc["report"] as? [String: Any])?["results"] as? [[String: Any]]
            let tests = results?.first?["tests"] as? [[String: Any]]
            #expect(tests?.count == 5, "\(doc)")
            #expect(results?.first?["score"] as? Double == 3)

            for bad: [String: Any] in [
                ["name": "x", "code": "int x;", "files": [["path": "a.c", "content": "int a;"]]],
                ["name": "x", "files": [["path": "../a.c", "content": "int a;"]]],
                ["name": "x"],
            ] {
                try await client.execute(
                    uri: "/grade", method: .post, headers: alice,
                    body: body(["suite": "course-c-harness", "solutions": [bad]])
                ) { #expect($0.status == .badRequest, "\($0.text)") }
            }
        }
    }
}
