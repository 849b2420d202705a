import Foundation
import TestSupport
import Testing

/// `proctor` is a small front executable: `exec` and `--version` are its own, everything
/// else is handed to `proctor-grade` (or `proctor-serve`) beside it. What must hold: it
/// links no Foundation (that was the start-up cost), the hand-over keeps every command and
/// message, and a missing sibling is a clear error, not a crash or a silent nothing.
@Suite("proctor: the front executable and its siblings")
struct FrontBinaryTests {
    static let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()

    static func run(_ binary: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try CLI.run(binary: binary, arguments)
    }

    /// The shared libraries an ELF file asks for (its DT_NEEDED entries), read with
    /// readelf from binutils (installed with gcc).
    static func needed(_ path: String) throws -> [String] {
        let r = try run("/usr/bin/readelf", ["-d", path])
        #expect(r.status == 0, "readelf: \(r.stderr)")
        return r.stdout.split(separator: "\n").filter { $0.contains("(NEEDED)") }.map(String.init)
    }

    @Test("`proctor` links no Foundation, ICU or libxml2; `proctor-grade` does (the check can fail)")
    func frontLinksNoFoundation() throws {
        let heavy = ["libFoundation.so", "libFoundationInternationalization", "_FoundationICU", "libxml2"]
        let front = try Self.needed(Self.folder.appendingPathComponent("proctor").path)
        #expect(!front.isEmpty, "readelf printed no NEEDED entries")
        for library in heavy { #expect(!front.contains { $0.contains(library) }, "proctor needs \(library): \(front)") }
        let grade = try Self.needed(Self.folder.appendingPathComponent("proctor-grade").path)
        #expect(grade.contains { $0.contains("libxml2") }, "\(grade)")
    }

    @Test("help, check and an unknown command come from proctor-grade with its texts and exit codes")
    func handsOverTheRest() throws {
        let proctor = Self.folder.appendingPathComponent("proctor").path
        let help = try Self.run(proctor, ["--help"])
        #expect(help.status == 0)
        for command in ["exec", "check", "run", "verify", "eval", "serve"] {
            #expect(help.stdout.contains("  \(command) "), "\(command) missing from: \(help.stdout)")
        }
        let bogus = try Self.run(proctor, ["bogus"])
        #expect(bogus.status == 64 || bogus.status == 2, "\(bogus)")
        #expect(bogus.stderr.contains("bogus"), "\(bogus.stderr)")
        let version = try Self.run(proctor, ["--version"])
        #expect(version.status == 0 && version.stdout == "0.1.0\n")
        let execHelp = try Self.run(proctor, ["exec", "--help"])
        #expect(execHelp.status == 0 && execHelp.stdout.contains("USAGE: proctor exec"), "\(execHelp)")
    }

    @Test("without proctor-grade beside it, `proctor check` says which file is missing and exits 127")
    func missingSibling() throws {
        let lonely = FileManager.default.temporaryDirectory.appendingPathComponent("proctor-front-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: lonely, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: lonely) }
        let copy = lonely.appendingPathComponent("proctor").path
        try FileManager.default.copyItem(atPath: Self.folder.appendingPathComponent("proctor").path, toPath: copy)
        let r = try Self.run(copy, ["check", "suite.yaml"])
        #expect(r.status == 127, "\(r)")
        #expect(r.stderr.contains(lonely.appendingPathComponent("proctor-grade").path), "\(r.stderr)")
        // Its own commands still work alone.
        #expect(try Self.run(copy, ["--version"]).stdout == "0.1.0\n")
    }
}
