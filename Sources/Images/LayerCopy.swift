import CSandbox
import Foundation
import Glibc
import SystemPackage

/// Copies a writable layer that a sandbox filled (overlayfs's upper folder) into a new
/// host folder. The source is untrusted and may change while it is read: every step is
/// relative to a directory fd and opens with O_NOFOLLOW, so a symlink or a folder swapped
/// for one is copied as a symlink, never followed to a host file. Kept: regular files,
/// folders, symlinks, overlayfs's whiteouts (character devices 0/0) and xattrs (the
/// "opaque" mark); FIFOs, sockets and other devices are left out. Files of
/// `uid` (the sandbox's) become root's, so that no host uid owns an image's files.
struct LayerCopy {
    let uid: UInt32
    /// Stop past this many bytes (the source's tmpfs bounds it already).
    var limit: Int = 64 << 30
    private(set) var bytes = 0

    init(uid: UInt32) {
        self.uid = uid
    }

    mutating func copy(from source: FilePath, to target: FilePath) throws {
        let fd = open(source.string, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open \(source)") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw failure("stat \(source)") }
        guard mkdir(target.string, 0o755) == 0 || errno == EEXIST else { throw failure("mkdir \(target)") }
        try copyFolder(fd, to: target.string)
        try finish(target.string, st, fd: fd)
    }

    private func failure(_ what: String) -> ImageError {
        ImageError(.store, "snapshot: \(what): \(String(cString: strerror(errno)))")
    }

    private func owner(_ st: stat) -> (uid_t, gid_t) {
        (st.st_uid == uid ? 0 : st.st_uid, st.st_gid == uid ? 0 : st.st_gid)
    }

    /// Ownership, mode, xattrs and times of a copied folder or file (its fd open on the source).
    private func finish(_ path: String, _ st: stat, fd: Int32) throws {
        let (u, g) = owner(st)
        guard lchown(path, u, g) == 0 else { throw failure("chown \(path)") }
        guard chmod(path, st.st_mode & 0o7777) == 0 else { throw failure("chmod \(path)") }
        copyXattrs(fd, to: path)
        var times = [st.st_atim, st.st_mtim]
        _ = utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW)
    }

    private func copyXattrs(_ fd: Int32, to path: String) {
        _ = proctor_copy_xattrs(fd, path)
    }

    private mutating func copyFolder(_ dirfd: Int32, to target: String) throws {
        let listing = dup(dirfd)
        guard listing >= 0, let dir = fdopendir(listing) else { throw failure("read \(target)") }
        var names: [String] = []
        while let e = readdir(dir) {
            let name = withUnsafePointer(to: e.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(dir)
        for name in names { try copyEntry(dirfd, name, to: target + "/" + name) }
    }

    private mutating func copyEntry(_ dirfd: Int32, _ name: String, to path: String) throws {
        var st = stat()
        guard fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return }  // gone meanwhile
        let (u, g) = owner(st)
        switch st.st_mode & S_IFMT {
        case S_IFDIR:
            let fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { return }
            defer { close(fd) }
            guard fstat(fd, &st) == 0, mkdir(path, 0o700) == 0 else { throw failure("mkdir \(path)") }
            try copyFolder(fd, to: path)
            try finish(path, st, fd: fd)
        case S_IFREG:
            let fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
            guard fd >= 0 else { return }
            defer { close(fd) }
            guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return }
            let out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard out >= 0 else { throw failure("create \(path)") }
            defer { close(out) }
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = read(fd, &buffer, buffer.count)
                if n < 0 && errno == EINTR { continue }
                guard n >= 0 else { throw failure("read \(path)") }
                if n == 0 { break }
                bytes += n
                guard bytes <= limit else { throw ImageError(.store, "snapshot: more than \(limit) bytes") }
                var written = 0
                while written < n {
                    let w = buffer.withUnsafeBytes { write(out, $0.baseAddress! + written, n - written) }
                    guard w > 0 else { throw failure("write \(path)") }
                    written += w
                }
            }
            try finish(path, st, fd: fd)
        case S_IFLNK:
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlinkat(dirfd, name, &buffer, buffer.count - 1)
            guard n >= 0 else { return }
            let target = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard symlink(target, path) == 0 else { throw failure("symlink \(path)") }
            _ = lchown(path, u, g)
        case S_IFCHR where st.st_rdev == 0:
            // A whiteout: the file is deleted in this layer.
            guard mknod(path, S_IFCHR | 0o000, 0) == 0 else { throw failure("whiteout \(path)") }
            _ = lchown(path, u, g)
        default:
            // FIFOs, sockets and devices (a sandbox cannot mknod one, but its layer is
            // untrusted all the same): not an image's to hold; a FIFO would block whoever
            // opens it later (an export, a sandbox's program).
            return
        }
    }
}
