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
        #expect(error.message.contains("expands past 64 MiB"), "\(error)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/out"), "nothing of it reaches the host")
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

    /// Unpacks `archive` expecting a refusal whose message has `saying`; nothing may reach the host.
    func refused(_ archive: String, saying: String) async throws {
        let out = dir + "/out-" + UUID().uuidString
        let error = try await #require(throws: GradingError.self, "\(archive)") {
            try await SubmissionArchive.unpack(FilePath(archive), into: FilePath(out))
        }
        #expect(error.code == .refused && error.message.contains(saying), "\(archive): \(error)")
        #expect(!FileManager.default.fileExists(atPath: out), "\(archive): a refused archive leaves no folder")
    }

    static let mark = "proctor-archive-out-\(getpid())"

    /// Hostile archives, each refused with the reason before anything of it reaches the host:
    /// its file name, the Python that writes it (to `path`), and what the refusal says.
    static let hostile: [(String, String, String)] = [
        (
            "up.zip", "with zipfile.ZipFile(path, 'w') as z:\n    z.writestr('ok.py', 'x')\n    z.writestr('../\(mark)', 'x')\n",
            "leads out"
        ),
        ("deep.zip", "with zipfile.ZipFile(path, 'w') as z:\n    z.writestr('a/../../\(mark)', 'x')\n", "leads out"),
        ("abs.zip", "with zipfile.ZipFile(path, 'w') as z:\n    z.writestr('/tmp/\(mark)', 'x')\n", "leads out"),
        ("up.tar", tar(entry: "../\(mark)"), "leads out"),
        ("abs.tar.gz", tar(entry: "/tmp/\(mark)", mode: "w:gz"), "leads out"),
        (
            "dup.zip",
            "import warnings; warnings.simplefilter('ignore')\nwith zipfile.ZipFile(path, 'w') as z:\n    z.writestr('calc.py', 'good')\n    z.writestr('calc.py', 'evil')\n",
            "twice"
        ),
        (
            "dup.tar",
            "with tarfile.open(path, 'w') as t:\n    for n, d in [('calc.py', b'good'), ('./calc.py', b'evil')]:\n        info = tarfile.TarInfo(n); info.size = len(d); t.addfile(info, io.BytesIO(d))\n",
            "twice"
        ),
        (
            "latin.zip",
            "with zipfile.ZipFile(path, 'w') as z:\n    z.writestr('plain.py', 'x')\ndata = open(path, 'rb').read().replace(b'plain.py', b'pl\\xe9in.py')\nopen(path, 'wb').write(data)\n",
            "not UTF-8"
        ),
        ("latin.tar", tar(entry: "caf\\xe9.py", format: ", format=tarfile.GNU_FORMAT, encoding='latin-1'"), "not UTF-8"),
        (
            "many.tar.gz",
            "with tarfile.open(path, 'w:gz') as t:\n    for i in range(5000):\n        info = tarfile.TarInfo('f%d.py' % i); t.addfile(info, io.BytesIO(b''))\n",
            "more than \(SubmissionArchive.maxFiles) files"
        ),
    ]

    /// The Python that writes a tar with one one-byte file named `entry`.
    static func tar(entry: String, mode: String = "w", format: String = "") -> String {
        "with tarfile.open(path, '\(mode)'\(format)) as t:\n    info = tarfile.TarInfo('\(entry)'); info.size = 1; t.addfile(info, io.BytesIO(b'x'))\n"
    }

    @Test(
        "'..', absolute paths, a name twice, names not UTF-8, too many files (by the listing): refused, in zip and tar",
        arguments: hostile)
    func hostileArchiveIsRefused(_ name: String, _ script: String, _ saying: String) async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await refused(try make(name, script), saying: saying)
        #expect(!FileManager.default.fileExists(atPath: dir + "/\(Self.mark)"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/\(Self.mark)"))
    }

    @Test("a zip's symlinks are left out, and a file written through one lands in the sandbox, not the host")
    func zipSymlinksStayOut() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let mark = "proctor-archive-link-\(getpid())"
        let zip = try make(
            "links.zip",
            """
            def link(z, name, target):
                info = zipfile.ZipInfo(name); info.external_attr = (0o120777 << 16); z.writestr(info, target)
            with zipfile.ZipFile(path, "w") as z:
                z.writestr("main.py", "print(1)\\n")
                link(z, "passwd", "/etc/passwd")
                link(z, "tmp", "/tmp")
                z.writestr("tmp/\(mark)", "pwned")
            """)
        let out = dir + "/out"
        do {
            try await SubmissionArchive.unpack(FilePath(zip), into: FilePath(out))
            #expect(files(out).contains("main.py") && !files(out).contains("passwd"), "\(files(out))")
            for f in files(out) {
                #expect(!((try? String(contentsOfFile: out + "/" + f, encoding: .utf8)) ?? "").contains("root:"), "\(f)")
            }
        } catch let e as GradingError {
            #expect(e.code == .refused, "\(e)")
        }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/\(mark)"), "written through a symlink onto the host")
    }

    @Test("devices and FIFOs are refused; a hard link to a host file does not unpack")
    func specialFilesAreRefused() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (name, kind) in [("chr.tar", "CHRTYPE"), ("blk.tar", "BLKTYPE"), ("fifo.tar", "FIFOTYPE")] {
            let tar = try make(
                name,
                "with tarfile.open(path, 'w') as t:\n    info = tarfile.TarInfo('dev'); info.type = tarfile.\(kind); info.devmajor = 1; info.devminor = 3; t.addfile(info)\n"
            )
            let out = dir + "/out-" + name
            let error = try await #require(throws: GradingError.self, "\(name)") {
                try await SubmissionArchive.unpack(FilePath(tar), into: FilePath(out))
            }
            #expect(
                error.code == .refused
                    && (error.message.contains("not a regular file") || error.message.contains("does not unpack")),
                "\(name): \(error)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
        let hard = try make(
            "hard.tar",
            "with tarfile.open(path, 'w') as t:\n    info = tarfile.TarInfo('passwd'); info.type = tarfile.LNKTYPE; info.linkname = '/etc/passwd'; t.addfile(info)\n"
        )
        try await refused(hard, saying: "does not unpack")
    }

    @Test(
        "a zip of a C lab with its Makefile: unpacked, built by make, judged (the CLI's door)",
        .enabled(if: Host.has("/usr/bin/make") && Host.has("/usr/bin/gcc"), "make or gcc is not installed; skipped"))
    func aZipOfAMakefileLab() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let zip = try make(
            "lab3.zip",
            "import os\nsrc = '\(Repo.fixture("course-c-make/correct"))'\nwith zipfile.ZipFile(path, 'w') as z:\n    for f in sorted(os.listdir(src)):\n        z.write(os.path.join(src, f), 'lab3/' + f)\n"
        )
        let grader = Grader()
        let s = try await grader.submission(zip, language: nil, unpackingInto: dir + "/unpacked")
        #expect(s.language.buildSystem == .make && s.name == "lab3.zip")
        let run = try await grader.grade(suites: [try Repo.suite("course-c-make")], submissions: [s])
        #expect(run.results[0].verdict == .accepted, "\(run.results[0].compileMessage ?? "")")
    }
}
