import Foundation
import Sandbox
import SystemPackage

/// A zip or tar archive handed in as a submission (`--solution lab1.zip`), judged as the
/// folder it holds.
///
/// The archive is unpacked by /usr/bin/unzip or /usr/bin/tar *inside a sandbox* (no network,
/// a CPU and wall-time limit, its workdir a tmpfs of `maxBytes`, so a zip bomb fills at most
/// that and then fails), then read out through the sandbox's file system, which never
/// follows a symlink: absolute paths and `..` entries land inside the sandbox's root or are
/// refused by the tools, a symlink in the archive is left out (it could only point
/// somewhere the host must not read), and more than `maxFiles` files refuses the archive.
/// The files are written beneath a fresh host folder (`ConfinedRoot.create`: no '..', no
/// symlink followed, no overwrite), which is then a folder submission.
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
        let bytes = try HostFile.read(archive, limit: maxBytes)
        let zip = archive.string.lowercased().hasSuffix(".zip")
        guard FileManager.default.isExecutableFile(atPath: zip ? "/usr/bin/unzip" : "/usr/bin/tar") else {
            throw GradingError(.usage, "cannot unpack \(archive): \(zip ? "/usr/bin/unzip" : "/usr/bin/tar") is not installed")
        }
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
            o.captureLimit = 4096
            o.cwd = FilePath(sandbox.fs.workdir.string + "/out")
            let argv =
                zip
                ? ["/usr/bin/unzip", "-q", "-o", "../archive.in"]
                : ["/usr/bin/tar", "-x", "--no-same-owner", "--no-same-permissions", "-f", "../archive.in"]
            let r = try await sandbox.run(argv, o)
            guard r.status == .exited, r.exitCode == 0 else {
                let why = String(decoding: r.stderr.prefix(500), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                throw GradingError(
                    .refused,
                    "the archive \(archive) does not unpack (\(r.limitReason ?? "exit code \(r.exitCode ?? -1)")\(why.isEmpty ? "" : ": " + why))"
                )
            }
            try FileManager.default.createDirectory(atPath: folder.string, withIntermediateDirectories: false)
            let root = ConfinedRoot(folder)
            var count = 0
            func copy(_ dir: String) throws {
                for e in try sandbox.fs.list(dir) {
                    let inside = dir + "/" + e.name
                    let relative = String(inside.dropFirst("out/".count))
                    switch e.kind {
                    case .directory: try copy(inside)
                    case .file:
                        count += 1
                        if count > maxFiles {
                            throw GradingError(.refused, "the archive \(archive) holds more than \(maxFiles) files")
                        }
                        try root.create(
                            relative, try sandbox.fs.read(inside, limit: maxBytes), mode: e.mode & 0o111 != 0 ? 0o755 : 0o644)
                    case .symlink, .other: continue
                    }
                }
            }
            try copy("out")
            await sandbox.terminate()
        } catch {
            await sandbox.terminate()
            throw error
        }
    }
}
