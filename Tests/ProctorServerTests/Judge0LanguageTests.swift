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
                    #expect(
                        served.contains(id) == language.missingTools.isEmpty,
                        "\(id) \(name): \(language.toolchainProblem ?? "installed")")
                }
            }
        }
    }

    /// Judge0 sends a program without a file name: Ruby's is saved as solution.rb, Erlang's
    /// named after its module and entered by main/1 as Judge0's escript runs it, Java's named
    /// after its public class, and that class run (the build's resolved language, not the table's).
    @Test(
        "a program by Judge0 id is Accepted", .needsRoot,
        arguments: [
            (72, "ruby", "puts gets.to_i * 2\n"),
            (
                62, "java",
                "import java.util.*;\npublic class Twice {\n  public static void main(String[] a) {\n    System.out.println(new Scanner(System.in).nextInt() * 2);\n  }\n}\n"
            ),
            (
                58, "erlang",
                "-module(main).\n-export([main/1]).\nmain(_) ->\n    {ok, [N]} = io:fread(\"\", \"~d\"),\n    io:format(\"~p~n\", [N * 2]).\n"
            ),
        ])
    func programByJudge0Id(_ id: Int, _ name: String, _ code: String) async throws {
        let language = try #require(LanguageTable().language(id: name))
        if let problem = language.toolchainProblem {
            print("⚠️  Judge0LanguageTests: \(name) SKIPPED: \(problem)")
            try Test.cancel("\(problem)")
        }
        try await withApp { client, _ in
            try await client.execute(
                uri: "/submissions?wait=true", method: .post, headers: alice,
                body: body(["source_code": code, "language_id": id, "stdin": "21\n", "expected_output": "42\n"])
            ) { r in
                #expect(r.status == .created, "\(r.text)")
                #expect((r.json["status"] as? [String: Any])?["id"] as? Int == 3, "\(name): \(r.text)")
            }
        }
    }
}
