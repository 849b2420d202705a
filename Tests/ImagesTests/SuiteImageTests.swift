import Foundation
import Grading
import HummingbirdTesting
import SystemPackage
import TestSupport
import Testing

/// `image:` in suites: a problem's (or the suite's default) builds and runs there; an image
/// the store lacks is an error at its line before anything runs, on the command line and
/// for a suite uploaded to the server.
@Suite(
    "images in suites: image: NAME, checked at load, graded in the image", .serialized, .imageHost,
    .timeLimit(.minutes(15)))
struct SuiteImageTests {
    /// Passes only where six 1.17.0 is (the test image's pip install); the host's Python
    /// has no six, or Debian's older one: an RTE either way.
    static let solution = "import six\nassert six.__version__ == '1.17.0', six.__version__\nprint('six', six.__version__)\n"

    static let suite = """
        version: 1
        name: six
        image: test-python
        problems:
          - id: in-image
            tests:
              - {name: t1, answer: "six 1.17.0"}
          - id: on-host
            image: host
            tests:
              - {name: t1, answer: "six 1.17.0"}
        """

    /// A folder with `suite.yaml` and `uses_six.py` (not six.py: it would shadow the module), removed after `body`.
    func withFolder<T>(_ suite: String, _ body: (String) async throws -> T) async throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-suite-image-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try suite.write(toFile: folder + "/suite.yaml", atomically: true, encoding: .utf8)
        try Self.solution.write(toFile: folder + "/uses_six.py", atomically: true, encoding: .utf8)
        return try await body(folder)
    }

    @Test("a problem under image: test-python passes; the same program on the host's Python is an RTE")
    func gradedInTheImage() async throws {
        _ = try await ImageHost.python.value
        try await withFolder(Self.suite) { folder in
            let loaded = try SuiteLoader.load(FilePath(folder + "/suite.yaml"), images: ImageHost.store.folder)
            #expect(loaded.problems.map(\.image) == ["test-python", nil])
            var options = GradingOptions()
            options.images = ImageHost.store.folder
            options.jobs = 2
            let grader = Grader(options: options)
            let run = try await grader.grade(
                suites: [loaded], submissions: [try grader.submission(folder + "/uses_six.py", language: nil)])
            let verdicts = Dictionary(uniqueKeysWithValues: run.results.map { ($0.problem, $0.verdict) })
            #expect(verdicts["in-image"] == .accepted, "\(run.results.map { $0.tests.map(\.message) })")
            #expect(verdicts["on-host"] == .runtimeError, "\(run.results.map { $0.tests.map(\.message) })")
        }
    }

    @Test("an image the store lacks is an error at its line, before anything runs")
    func unknownImage() async throws {
        _ = try await ImageHost.python.value
        let text = Self.suite.replacingOccurrences(of: "image: host", with: "image: no-such-image")
            .replacingOccurrences(of: "image: test-python", with: "image: ../test-python")
        try await withFolder(text) { folder in
            let error = try #require(throws: GradingError.self) {
                try SuiteLoader.load(FilePath(folder + "/suite.yaml"), images: ImageHost.store.folder)
            }
            let lines = error.diagnostics.map(\.line).sorted()
            #expect(lines == [3, 9], "\(error.diagnostics)")
            #expect(error.diagnostics.allSatisfy { $0.file.hasSuffix("suite.yaml") })
            #expect(error.diagnostics.contains { $0.message.contains("unknown image 'no-such-image'") })
            #expect(!"\(error)".contains(ImageHost.store.folder.root.string))
        }
    }

    @Test("POST /grade with an uploaded suite: an unknown image is a 400 at its line; test-python grades in the image")
    func uploadedSuite() async throws {
        _ = try await ImageHost.python.value
        let root = ImageHost.store.folder.root.string
        try await ImageServer.with { client in
            let post = { (suite: String) async throws -> (Int, [String: Any], String) in
                try await client.execute(
                    uri: "/grade", method: .post, headers: ImageServer.alice,
                    body: ImageServer.body([
                        "suite_upload": ["files": [["path": "suite.yaml", "content": suite]]],
                        "solutions": [["name": "uses_six.py", "code": Self.solution]],
                    ])
                ) { (Int($0.status.code), ImageServer.json($0), String(buffer: $0.body)) }
            }
            let (refused, _, text) = try await post(Self.suite.replacingOccurrences(of: "image: host", with: "image: nope"))
            #expect(refused == 400)
            #expect(text.contains("suite.yaml:9") && text.contains("unknown image 'nope'"), "\(text)")
            #expect(!text.contains(root))
            let (accepted, job, _) = try await post(Self.suite)
            #expect(accepted == 202)
            let id = try #require(job["id"] as? String)
            var doc: [String: Any] = [:]
            for _ in 0..<150 {
                doc = try await client.execute(uri: "/jobs/\(id)", method: .get, headers: ImageServer.alice) {
                    ImageServer.json($0)
                }
                if let s = doc["status"] as? String, s == "done" || s == "failed" { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            let results = (doc["report"] as? [String: Any])?["results"] as? [[String: Any]] ?? []
            let verdicts = Dictionary(
                uniqueKeysWithValues: results.compactMap { r in (r["problem"] as? String).map { ($0, r["verdict"] as? String) } })
            #expect(verdicts["in-image"] == "AC", "\(doc)")
            #expect(verdicts["on-host"] == "RTE", "\(doc)")
        }
    }
}
