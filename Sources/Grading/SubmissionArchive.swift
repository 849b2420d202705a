import Foundation
import Sandbox
import SystemPackage

/// A zip or tar archive handed in as a submission (`--solution lab1.zip`, a file under a
/// Kattis package's `submissions/`, an `archive` in the server's POST /grade), judged as the
/// folder it holds. Every door unpacks it here, so the same rules hold at each.
///
/// The archive is listed and unpacked by /usr/bin/unzip or /usr/bin/tar *inside a sandbox*
/// (no network, a CPU and wall-time limit, its workdir a tmpfs of `maxBytes`, so a zip bomb
/// fills at most that and then fails), then read out through the sandbox's file system, which
/// never follows a symlink. Refused, with the reason, before anything reaches the host:
/// an entry with an absolute path or a `..` (by the listing), a name listed twice, more
/// than `maxFiles` files, an archive that expands past `maxBytes`, a device, FIFO or socket,
/// a name that is not UTF-8. A symlink is left out (it could only point somewhere the host
/// must not read), and a hard link to a file outside the archive does not unpack. The files
/// are written beneath a fresh host folder (`ConfinedRoot.create`: no '..', no symlink
/// followed, no overwrite), which is then a folder submission; a refusal leaves no folder.
public enum SubmissionArchive {
    public static let maxBytes = 64 << 20
    public static let maxFiles = Submission.folderFileLimit

    /// The archive kinds known by name.
    public static func isArchive(_ path: String) -> Bool {
        let lower = path.lowercased()
        return [".zip", ".tar", ".tar.gz", ".tgz", ".tar.xz", ".tar.bz2"].contains { lower.hasSuffix($0) }
    }

    /// Unpacks `archive` into the new folder `into` (made here). Throws `.refused` with the reason.
    public static func unpack(_ archive: FilePath, into folder: FilePath) async throws {
        try await unpack(HostFile.read(archive, limit: maxBytes), named: archive.string, into: folder)
    }

    /// The submission an archive (`bytes`, its kind told by `name`) holds: unpacked into a new
    /// folder beneath `scratch` (which the caller removes when done) and judged as that folder;
    /// an archive holding one folder alone (macOS's `__MACOSX` aside) is that folder.
    public static func submission(
        _ bytes: [UInt8], named name: String, scratch: String, languages: LanguageTable, language: String?
    ) async throws -> Submission {
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let folder = scratch + "/" + UUID().uuidString
        try await unpack(bytes, named: name, into: FilePath(folder))
        let entries = try ConfinedRoot(FilePath(folder)).list(".").filter { $0 != "__MACOSX" && !$0.hasPrefix(".") }
        var top = folder
        if entries.count == 1, (try? ConfinedRoot(FilePath(folder)).kind(entries[0])) == .directory {
            top = folder + "/" + entries[0]
        }
        let shown = FilePath(name).lastComponent?.string ?? name
        var s = try Submission.folder(
            name: shown, path: top, root: ConfinedRoot(FilePath(top)), folder: ".", languages: languages, language: language)
        s.name = shown
        return s
    }

    /// Unpacks the archive `bytes` (`archive`: its name, which tells zip from tar) into the
    /// new folder `into` (made here). Throws `.refused` with the reason.
    public static func unpack(_ bytes: [UInt8], named archive: String, into folder: FilePath) async throws {
        guard bytes.count <= maxBytes else {
            throw GradingError(.refused, "the archive \(archive) is larger than \(maxBytes >> 20) MiB")
        }
        let zip = archive.lowercased().hasSuffix(".zip")
        let tool = zip ? "/usr/bin/unzip" : "/usr/bin/tar"
        guard FileManager.default.isExecutableFile(atPath: tool) else {
            throw GradingError(.usage, "cannot unpack \(archive): \(tool) is not installed")
        }
        func refused(_ why: String) -> GradingError { GradingError(.refused, "the archive \(archive) \(why)") }
        var c = SandboxConfiguration()
        c.limits.workdirSize = maxBytes
        c.limits.fileSize = maxBytes
        c.limits.memory = 256 << 20
        c.limits.processes = 16
        let sandbox = try await Sandbox.create(c)
        do {
            try sandbox.fs.write("archive.in", bytes)
            try sandbox.fs.mkdir("out")
            var o = ExecOptions()
            o.cpuTime = .seconds(10)
            o.wallTime = .seconds(20)
            o.outputLimit = 1 << 20
            o.captureLimit = 1 << 20
            o.cwd = FilePath(sandbox.fs.workdir.string + "/out")
            let listing = try await sandbox.run(
                zip ? [tool, "-Z1", "../archive.in"] : [tool, "-t", "--quoting-style=literal", "-f", "../archive.in"], o)
            guard listing.status == .exited, listing.exitCode == 0 else {
                throw refused("cannot be read (\(reason(listing)))")
            }
            if let why = Self.refusal(listing: listing.stdout) { throw refused(why) }
            o.captureLimit = 4096
            let argv =
                zip
                ? [tool, "-q", "-o", "../archive.in"]
                : [tool, "-x", "--no-same-owner", "--no-same-permissions", "-f", "../archive.in"]
            let r = try await sandbox.run(argv, o)
            guard r.status == .exited, r.exitCode == 0 else {
                let stderr = String(decoding: r.stderr, as: UTF8.self)
                if r.signal == Int(SIGXFSZ)
                    || ["No space left", "File too large", "write error"].contains(where: stderr.contains)
                {
                    throw refused("expands past \(maxBytes >> 20) MiB, the cap (a zip bomb?); nothing of it was kept")
                }
                throw refused("does not unpack (\(reason(r)))")
            }
            try FileManager.default.createDirectory(atPath: folder.string, withIntermediateDirectories: false)
            do {
                try copyOut(sandbox, into: ConfinedRoot(folder), refused)
            } catch {
                try? FileManager.default.removeItem(atPath: folder.string)
                throw error
            }
            await sandbox.terminate()
        } catch {
            await sandbox.terminate()
            throw error
        }
    }

    /// Why a run of unzip or tar failed, for a message.
    static func reason(_ r: ExecResult) -> String {
        let why = String(decoding: r.stderr.prefix(500), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return (r.limitReason ?? "exit code \(r.exitCode ?? -1)") + (why.isEmpty ? "" : ": " + why)
    }

    /// Why an archive whose names are `listing` (one a line, as `unzip -Z1` or `tar -t` print
    /// them, unquoted) is refused before it is unpacked: an absolute path or a '..', a name
    /// twice, a name that is not UTF-8, too many files. Nil: unpack it. (A name with a newline
    /// reads as two: refused only when a part would be, or counted twice.)
    static func refusal(listing: [UInt8]) -> String? {
        var seen: Set<[Substring]> = []
        var files = 0
        for line in listing.split(separator: 0x0A) {
            let name = String(decoding: line, as: UTF8.self)
            // The names as stored: one the sandbox's file system could not name back is refused.
            guard Array(name.utf8) == Array(line) else {
                return "has a name that is not UTF-8 ('\(OutputText.sanitize(Array(line), limit: 200))')"
            }
            let parts = name.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
            if name.hasPrefix("/") || parts.contains("..") {
                return
                    "has an entry that leads out of its folder ('\(OutputText.sanitize(Array(line), limit: 200))': an absolute path or '..')"
            }
            guard !parts.isEmpty else { continue }
            guard seen.insert(parts).inserted else {
                return "holds '\(OutputText.sanitize(Array(line), limit: 200))' twice (which one would be judged?)"
            }
            if !name.hasSuffix("/") { files += 1 }
            if files > maxFiles { return "holds more than \(maxFiles) files" }
        }
        return nil
    }

    /// Copies the unpacked files out of the sandbox beneath `root`: regular files only,
    /// symlinks left out; a device, FIFO or socket, a name that is not UTF-8, or more than
    /// `maxFiles` files refuses the archive.
    static func copyOut(_ sandbox: Sandbox, into root: ConfinedRoot, _ refused: (String) -> GradingError) throws {
        var count = 0
        func copy(_ dir: String) throws {
            for e in try sandbox.fs.list(dir) {
                let inside = dir + "/" + e.name
                let relative = String(inside.dropFirst("out/".count))
                // The sandbox's listing decodes names as UTF-8, marking bytes that are not.
                guard !e.name.contains("\u{FFFD}") else { throw refused("has a name that is not UTF-8 ('\(relative)')") }
                switch e.kind {
                case .directory: try copy(inside)
                case .file:
                    count += 1
                    if count > maxFiles { throw refused("holds more than \(maxFiles) files") }
                    try root.create(
                        relative, try sandbox.fs.read(inside, limit: maxBytes), mode: e.mode & 0o111 != 0 ? 0o755 : 0o644)
                case .symlink: continue
                case .other: throw refused("holds '\(relative)', which is not a regular file (a device, FIFO or socket)")
                }
            }
        }
        try copy("out")
    }
}
