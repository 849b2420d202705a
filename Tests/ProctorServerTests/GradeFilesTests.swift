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

    /// A zip made on the host from `files` (name: text) with Python's zipfile, in base64.
    static func zip(_ files: [(String, String)]) throws -> String {
        let dir = NSTemporaryDirectory() + "proctor-grade-zip-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spec = try String(decoding: JSONSerialization.data(withJSONObject: files.map { [$0.0, $0.1] }), as: UTF8.self)
        let (status, log) = try Host.run([
            "/usr/bin/python3", "-c",
            "import json, sys, zipfile, warnings\nwarnings.simplefilter('ignore')\nwith zipfile.ZipFile(sys.argv[1], 'w') as z:\n    for n, t in json.loads(sys.argv[2]): z.writestr(n, t)\n",
            dir + "/a.zip", spec,
        ])
        try #require(status == 0, "\(log)")
        return try Data(contentsOf: URL(fileURLWithPath: dir + "/a.zip")).base64EncodedString()
    }

    @Test(
        "an archive upload: unpacked in a sandbox, built by its Makefile; a hostile one is a 400",
        .enabled(
            if: Host.has("/usr/bin/unzip") && Host.has("/usr/bin/make") && Host.has("/usr/bin/gcc"),
            "unzip, make or gcc is not installed; skipped"))
    func anArchiveIsAFolderSubmission() async throws {
        let lab = try Self.zip(
            ["Makefile", "main.c", "stack.c", "stack.h"].map { ("lab3/" + $0, Self.read("Fixtures/course-c-make/correct/" + $0)) }
        )
        try await withApp { client, _ in
            let id = try await client.execute(
                uri: "/grade", method: .post, headers: alice,
                body: body(["suite": "course-c-make", "solutions": [["name": "lab3.zip", "archive": lab]]])
            ) { r in
                #expect(r.status == .accepted, "\(r.text)")
                return try #require(r.json["id"] as? String)
            }
            let doc = try await waitForJob(client, id)
            let results = (doc["report"] as? [String: Any])?["results"] as? [[String: Any]]
            #expect(results?.first?["verdict"] as? String == "AC", "\(doc)")
            #expect(results?.first?["score"] as? Double == 5)

            let hostile: [(String, String, String)] = [
                ("evil.zip", try Self.zip([("main.py", "print(1)"), ("../escape.py", "x")]), "leads out"),
                ("dup.zip", try Self.zip([("main.py", "print(1)"), ("main.py", "print(2)")]), "twice"),
                ("lab.py", lab, "an archive's name ends in"),
                ("lab.zip", "not base64!", "base64"),
            ]
            for (name, archive, saying) in hostile {
                try await client.execute(
                    uri: "/grade", method: .post, headers: alice,
                    body: body(["suite": "course-c-make", "solutions": [["name": name, "archive": archive]]])
                ) {
                    #expect($0.status == .badRequest, "\(name): \($0.text)")
                    #expect($0.text.contains(saying), "\(name): \($0.text)")
                }
            }
        }
    }
}
