import Foundation
import Grading
import Hummingbird
import HummingbirdTesting
import ProctorServer
import Testing

@Suite("Judge0 CE language ids of the added languages")
struct Judge0LanguageTests {
    /// Judge0 CE 1.13.1's ids (its db/languages/active.rb) for Proctor's languages past the first eight.
    static let ids: [Int: String] = [
        51: "csharp", 55: "lisp", 56: "d", 57: "elixir", 58: "erlang", 59: "fortran", 60: "go", 61: "haskell", 64: "lua",
        65: "ocaml", 67: "pascal", 68: "php", 69: "prolog", 70: "python2", 72: "ruby", 74: "typescript", 78: "kotlin",
        80: "r", 81: "scala", 85: "perl",
    ]

    @Test("/languages serves each under its Judge0 id where its toolchain is installed")
    func servedWhereInstalled() async throws {
        try await withApp { client, _ in
            try await client.execute(uri: "/languages", method: .get, headers: alice) { r in
                let list = (try? JSONSerialization.jsonObject(with: Data(r.body.readableBytesView))) as? [[String: Any]] ?? []
                let served = Set(list.compactMap { $0["id"] as? Int })
                for (id, name) in Self.ids.sorted(by: { $0.key < $1.key }) {
                    let language = try #require(LanguageTable().language(id: name))
                    #expect(served.contains(id) == language.missingTools.isEmpty, "\(id) \(name): \(language.toolchainProblem ?? "installed")")
                }
            }
        }
    }

    @Test("a Ruby program by Judge0 id 72 is Accepted", .needsRoot)
    func rubyByJudge0Id() async throws {
        let ruby = try #require(LanguageTable().language(id: "ruby"))
        if let problem = ruby.toolchainProblem {
            print("⚠️  Judge0LanguageTests: SKIPPED: \(problem)")
            try Test.cancel("\(problem)")
        }
        try await withApp { client, _ in
            try await client.execute(uri: "/submissions?wait=true", method: .post, headers: alice,
                                     body: body(["source_code": "puts gets.to_i * 2\n", "language_id": 72, "stdin": "21\n",
                                                 "expected_output": "42\n"])) { r in
                #expect(r.status == .created, "\(r.text)")
                #expect((r.json["status"] as? [String: Any])?["id"] as? Int == 3, "\(r.text)")
            }
        }
    }
}
