import Foundation
import Sandbox
import SystemPackage
import TestSupport
import Testing

@testable import Grading

/// Zip and tar archives as submissions: unpacked in a sandbox, read out without following
/// symlinks, capped in size and files (`SubmissionArchive`).
@Suite(
    "Archives as submissions (sandboxed)", .serialized,
    .enabled(SandboxSupport.reason) { await SandboxSupport.available() },
    .enabled(if: Host.has("/usr/bin/unzip") && Host.has("/usr/bin/tar"), "unzip or tar is not installed; skipped"))
struct ArchiveTests {
    let dir = NSTemporaryDirectory() + "proctor-archive-tests-\(getpid())-\(UUID().uuidString)"

    /// Makes an archive on the host with Python's zipfile or tarfile; `script` gets `path`.
    func make(_ name: String, _ script: String) throws -> String {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/" + name
        let (status, log) = try Host.run([
            "/usr/bin/python3", "-c", "import io, sys, tarfile, zipfile\npath = sys.argv[1]\n" + script, path,
        ])
        try #require(status == 0, "\(log)")
        return path
    }

    func files(_ folder: String) -> [String] {
        (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []).filter {
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: folder + "/" + $0, isDirectory: &isDir) && !isDir.boolValue
        }.sorted()
    }

    @Test func aZipWithOneFolderIsThatFolder() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let zip = try make(
            "lab1.zip",
            """
            with zipfile.ZipFile(path, "w") as z:
                z.writestr("lab1/calc.py", "def add(a, b):\\n    return a + b\\n")
                z.writestr("lab1/util/helpers.py", "X = 1\\n")
                z.writestr("__MACOSX/lab1/._calc.py", "junk")
            """)
        let s = try await Grader().submission(zip, language: nil, unpackingInto: dir + "/unpacked")
        #expect(s.name == "lab1.zip" && s.language.id == "python3")
        #expect(s.mainFile == "calc.py")
        #expect(s.files.map(\.target).contains("util/helpers.py"))
    }

    @Test func pathsOutAndSymlinksStayOut() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let tar = try make(
            "evil.tar",
            """
            with tarfile.open(path, "w") as t:
                for name, data in [("ok.py", b"print(1)\\n"), ("../escaped.txt", b"x"), ("/tmp/proctor-absolute-\(getpid()).txt", b"x")]:
                    info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, io.BytesIO(data))
                link = tarfile.TarInfo("passwd"); link.type = tarfile.SYMTYPE; link.linkname = "/etc/passwd"; t.addfile(link)
                hard = tarfile.TarInfo("shadow"); hard.type = tarfile.LNKTYPE; hard.linkname = "/etc/shadow"; t.addfile(hard)
            """)
        let out = dir + "/out"
        do {
            try await SubmissionArchive.unpack(FilePath(tar), into: FilePath(out))
            #expect(files(out).contains("ok.py"))
            #expect(!files(out).contains("passwd"), "a symlink is left out")
            for f in files(out) {
                let text = (try? String(contentsOfFile: out + "/" + f, encoding: .utf8)) ?? ""
                #expect(!text.contains("root:"), "\(f) holds a host file")
            }
        } catch let e as GradingError {
            #expect(e.code == .refused, "\(e)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/escaped.txt"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/proctor-absolute-\(getpid()).txt"))
    }

    @Test func aZipBombIsBoundedAndRefused() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let zip = try make(
            "bomb.zip",
            """
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr("zeros.bin", b"\\0" * (200 << 20))
            """)
        let size = (try FileManager.default.attributesOfItem(atPath: zip)[.size] as? Int) ?? 0
        #expect(size < 1 << 20, "200 MiB of zeros compress to \(size) bytes")
        let error = try await #require(throws: GradingError.self) {
            try await SubmissionArchive.unpack(FilePath(zip), into: FilePath(dir + "/out"))
        }
        #expect(error.code == .refused, "\(error)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/out/zeros.bin"))
    }

    @Test func tooManyFilesAreRefused() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let zip = try make(
            "many.zip",
            """
            with zipfile.ZipFile(path, "w") as z:
                for i in range(\(SubmissionArchive.maxFiles + 10)):
                    z.writestr("f%d.py" % i, "")
            """)
        let error = try await #require(throws: GradingError.self) {
            try await SubmissionArchive.unpack(FilePath(zip), into: FilePath(dir + "/out"))
        }
        #expect(error.message.contains("more than"), "\(error)")
    }
}
