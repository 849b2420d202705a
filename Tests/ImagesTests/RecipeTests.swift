import Foundation
import Images
import SystemPackage
import Testing

@Suite("image recipes: YAML, the Swift builder, layer digests")
struct RecipeTests {
    @Test("YAML and the Swift builder make the same recipe, with the same digests")
    func yamlAndBuilder() throws {
        let file = try RecipeFile.parse(
            """
            name: py-six
            base: debian:bookworm
            steps:
              - apt: [python3-pip]
              - pip: six==1.17.0
              - run: python3 -c 'import six'
            """, file: "r.yaml", folder: "/tmp", defaultName: "r")
        let swift = Image.debian(.bookworm).apt("python3-pip").pip("six==1.17.0").run("python3 -c 'import six'")
        #expect(file.name == "py-six")
        #expect(file.recipe == swift)
        #expect(try file.recipe.digests() == swift.digests())
        #expect(
            try swift.canonicalLines() == [
                "debootstrap --variant=minbase bookworm", "apt python3-pip", "pip six==1.17.0", "run python3 -c 'import six'",
            ])
    }

    @Test("changing a step changes its digest and those above it, never those below")
    func digestsChain() throws {
        let a = try Image.debian().apt("python3-minimal").pip("six").digests()
        let b = try Image.debian().apt("python3-minimal").pip("idna").digests()
        let c = try Image.debian(.trixie).apt("python3-minimal").pip("six").digests()
        #expect(a[0] == b[0] && a[1] == b[1] && a[2] != b[2])
        #expect(zip(a, c).allSatisfy { $0 != $1 })
        #expect(a.allSatisfy { $0.hasPrefix("sha256:") && $0.count == 71 })
    }

    @Test("a copy step hashes the copied bytes, not the path")
    func copyHashesContent() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-copy-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("data.txt")
        try "one".write(to: file, atomically: true, encoding: .utf8)
        let recipe = Image.debian().copy(FilePath(folder.path), to: "/opt/data")
        let first = try recipe.digests()
        #expect(try recipe.digests() == first)
        try "two".write(to: file, atomically: true, encoding: .utf8)
        let second = try recipe.digests()
        #expect(first[0] == second[0] && first[1] != second[1])
    }

    @Test("a bad recipe is refused with its file and line")
    func errorsNameTheLine() throws {
        func message(_ text: String) -> String {
            do {
                _ = try RecipeFile.parse(text, file: "bad.yaml", folder: "/tmp", defaultName: "bad")
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        #expect(
            message("base: debian:bookworm\nsteps:\n  - apt: [git]\n  - ap: [x]\n").hasPrefix("bad.yaml:4: unknown step \"ap\""))
        #expect(message("base: debian:bookworm\nsteps:\n  - apt: ['git; rm -rf /']\n").hasPrefix("bad.yaml:3:"))
        #expect(message("base: ubuntu:noble\n").hasPrefix("bad.yaml:1: base"))
        #expect(message("base: debian:bookworm\nsteps:\n  - copy: {from: /nonexistent-x, to: /opt}\n").hasPrefix("bad.yaml:3:"))
        #expect(message("bogus: 1\n").hasPrefix("bad.yaml:1: unknown key"))
    }
}
