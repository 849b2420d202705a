import CSandbox
import Glibc
import Synchronization
import SystemPackage

/// Host-side file access to a sandbox's workdir and /tmp.
///
/// The runner holds a directory fd on each of the sandbox's tmpfs roots, opened through
/// /proc/INIT/root when the sandbox was made (before any untrusted code ran). Every path
/// is resolved with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV)
/// against that fd: ".." stops at the root, absolute symlinks resolve inside it, magic
/// links (/proc/1/root) are refused, and nothing crosses into another mount. The last
/// component is never followed when it is a symlink. So a symlink the program planted
/// can never send a host-side read or write to a host file.
///
/// Nothing here waits on the program. Every open carries O_NONBLOCK, so a FIFO the program
/// made (`mkfifo f`) opens at once or fails (ENXIO) instead of waiting for its other end,
/// and an open that a lease holder would delay fails at once (EAGAIN) instead of waiting
/// out the lease-break time; then fstat must show a regular file wherever a file's bytes
/// are read or written, else `SandboxError(.notRegularFile)` (FIFO, socket, device,
/// folder, symlink). Writes open without O_TRUNC and truncate only after that check.
/// Reads, writes and host copies take a size cap (`.tooLarge`). What is left is bounded
/// work on tmpfs; async callers that would rather not spend a cooperative thread on a
/// large file use `perform` (or `Blocking.run`).
public final class SandboxFileSystem: Sendable {
    /// A file or folder in a listing or `stat`.
    public struct Entry: Sendable, Hashable, Codable {
        public enum Kind: String, Sendable, Hashable, Codable { case file, directory, symlink, other }
        public var name: String
        public var kind: Kind
        public var size: Int
        public var mode: UInt32
        public var modified: Double
    }

    public let workdir: FilePath
    let uid: UInt32
    /// The tmpfs roots and their fds, the deepest first: a workdir inside /tmp (/tmp/w) is
    /// its own tmpfs mounted over /tmp's folder, so a path is located on the deepest root
    /// that holds it. (A list, not a dictionary: a dictionary's order is not the deepest
    /// first, and its type costs a one-shot run its metadata.)
    private let roots: Mutex<[(inside: FilePath, fd: FileDescriptor)]>

    init(initPid: pid_t, workdir: FilePath, uid: UInt32) throws {
        self.workdir = workdir
        self.uid = uid
        var roots: [(inside: FilePath, fd: FileDescriptor)] = []
        let insides = [workdir, FilePath("/tmp"), FilePath("/dev/shm")].sorted { $0.components.count > $1.components.count }
        for inside in insides {
            let path = "/proc/\(initPid)/root\(inside.string)"
            let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard fd >= 0 else {
                for root in roots { try? root.fd.close() }
                throw SandboxError(.setup, "open \(inside) of the sandbox", errno: Errno(rawValue: errno))
            }
            roots.append((inside, FileDescriptor(rawValue: fd)))
        }
        self.roots = Mutex(roots)
    }

    func close() {
        roots.withLock { r in
            for root in r { try? root.fd.close() }
            r = []
        }
    }

    /// Splits a sandbox path into the tmpfs root it lives on and the path below it.
    /// Relative paths are relative to the workdir.
    func locate(_ path: String) throws -> (root: FileDescriptor, relative: String) {
        let absolute = path.hasPrefix("/") ? path : workdir.appending(path).string
        let normal = FilePath(absolute).lexicallyNormalized()
        return try roots.withLock { r in
            for (inside, fd) in r where normal.starts(with: inside) {
                var rel = normal
                _ = rel.removePrefix(inside)
                return (fd, rel.string.isEmpty ? "." : rel.string)
            }
            if r.isEmpty { throw SandboxError(.terminated, "the sandbox is terminated") }
            throw SandboxError(.invalidPath, "\(path) is outside the sandbox's workdir (\(workdir)) and /tmp")
        }
    }

    /// Runs fs calls on `Blocking`'s threads, off Swift's cooperative pool, for async
    /// callers such as the HTTP server: `try await sandbox.fs.perform { try $0.read(path) }`.
    public func perform<T: Sendable>(_ body: @escaping @Sendable (SandboxFileSystem) throws -> T) async throws -> T {
        try await Blocking.run { [self] in try body(self) }
    }

    /// What every open of this API adds: never wait (FIFOs, leases), never follow the last
    /// component, never leak into a child.
    static let openFlags: Int32 = O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC
    /// For folders named by the caller (a file's parent, a listing): O_DIRECTORY makes
    /// anything but a folder fail at once; a symlink is followed, inside the root only.
    static let folderFlags: Int32 = O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC

    private func openInside(_ path: String, _ flags: Int32, mode: UInt32 = 0) throws -> FileDescriptor {
        let (root, relative) = try locate(path)
        let fd = proctor_open_in_root(root.rawValue, relative, flags | Self.openFlags, mode)
        guard fd >= 0 else { throw openError(path, Errno(rawValue: errno)) }
        return FileDescriptor(rawValue: fd)
    }

    /// The error for a failed open: `.notRegularFile` when the path names something else
    /// than a regular file (a socket or a FIFO without a writer fails with ENXIO, a symlink
    /// with ELOOP, a device on the nodev tmpfs with EACCES, a folder with EISDIR).
    private func openError(_ path: String, _ error: Errno) -> SandboxError {
        if let st = lstatInside(path), st.st_mode & S_IFMT != S_IFREG {
            return SandboxError(.notRegularFile, "\(path) is \(Self.kindName(st.st_mode)), not a regular file", errno: error)
        }
        if error == .resourceTemporarilyUnavailable {
            return SandboxError(.fileSystem, "open \(path): busy (the program holds a lease on it)", errno: error)
        }
        return SandboxError(.fileSystem, "open \(path)", errno: error)
    }

    /// lstat of a sandbox path (the last component not followed), or nil.
    private func lstatInside(_ path: String) -> Glibc.stat? {
        guard let (dir, name) = try? openParent(path) else { return nil }
        defer { try? dir.close() }
        var st = Glibc.stat()
        return fstatat(dir.rawValue, name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? st : nil
    }

    /// fstat of an open file that must be a regular one.
    @discardableResult
    static func requireRegular(_ fd: Int32, _ path: String) throws -> Glibc.stat {
        var st = Glibc.stat()
        guard fstat(fd, &st) == 0 else { throw SandboxError(.fileSystem, "fstat \(path)", errno: Errno(rawValue: errno)) }
        guard st.st_mode & S_IFMT == S_IFREG else {
            throw SandboxError(.notRegularFile, "\(path) is \(kindName(st.st_mode)), not a regular file")
        }
        return st
    }

    static func kindName(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: return "a FIFO"
        case S_IFSOCK: return "a socket"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFDIR: return "a folder"
        case S_IFLNK: return "a symlink (never followed)"
        case S_IFREG: return "a regular file"
        default: return "of an unknown kind"
        }
    }

    static func tooLarge(_ path: String, _ size: Int, _ limit: Int) -> SandboxError {
        SandboxError(.tooLarge, "\(path) is larger than the cap of \(limit) bytes (\(size) or more)")
    }

    /// The folder that holds `path`, opened safely, and the last component's name.
    private func openParent(_ path: String) throws -> (FileDescriptor, String) {
        let (root, relative) = try locate(path)
        let file = FilePath(relative)
        guard let last = file.lastComponent?.string, last != ".", last != ".." else {
            throw SandboxError(.invalidPath, "\(path) names no file")
        }
        let parent = file.removingLastComponent().string
        let fd = proctor_open_in_root(root.rawValue, parent.isEmpty ? "." : parent, Self.folderFlags, 0)
        guard fd >= 0 else { throw SandboxError(.fileSystem, "open folder of \(path)", errno: Errno(rawValue: errno)) }
        return (FileDescriptor(rawValue: fd), last)
    }

    /// Writes a file (creating its folders), owned by the sandbox's user. `limit` caps the
    /// size (`.tooLarge`); an existing FIFO, socket, device, folder or symlink at `path` is
    /// `.notRegularFile`, and is neither opened for long nor truncated.
    public func write(_ path: String, _ bytes: [UInt8], mode: UInt32 = 0o644, limit: Int = .max) throws {
        if bytes.count > limit { throw Self.tooLarge(path, bytes.count, limit) }
        let parentPath = FilePath(path).removingLastComponent().string
        if !parentPath.isEmpty && parentPath != "/" { try mkdir(parentPath, parents: true) }
        let (dir, name) = try openParent(path)
        defer { try? dir.close() }
        // No O_TRUNC: the open file is checked first, and truncated only if it is a regular
        // one. (A FIFO with a reader would open, one without fails with ENXIO.)
        let fd = openat(dir.rawValue, name, O_WRONLY | O_CREAT | Self.openFlags, mode_t(mode))
        guard fd >= 0 else { throw openError(path, Errno(rawValue: errno)) }
        let file = FileDescriptor(rawValue: fd)
        defer { try? file.close() }
        try Self.requireRegular(fd, path)
        do {
            guard ftruncate(fd, 0) == 0 else { throw Errno(rawValue: errno) }
            _ = try file.writeAll(bytes)
            fchown(fd, uid, uid)
            fchmod(fd, mode_t(mode))
        } catch let errno as Errno {
            throw SandboxError(.fileSystem, "write \(path)", errno: errno)
        }
    }

    public func write(_ path: String, _ text: String, mode: UInt32 = 0o644, limit: Int = .max) throws {
        try write(path, Array(text.utf8), mode: mode, limit: limit)
    }

    /// Copies a host file in (a symlink on the host is followed: the host path is the
    /// caller's, not the program's). A host FIFO, socket or device is `.notRegularFile`
    /// at once, never waited on; `limit` caps the size (`.tooLarge`).
    public func copy(from host: FilePath, to path: String, mode: UInt32? = nil, limit: Int = .max) throws {
        let raw = open(host.string, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard raw >= 0 else {
            let error = Errno(rawValue: errno)
            var st = Glibc.stat()
            if hostStat(host.string, &st) == 0, st.st_mode & S_IFMT != S_IFREG {
                throw SandboxError(.notRegularFile, "\(host) is \(Self.kindName(st.st_mode)), not a regular file", errno: error)
            }
            throw SandboxError(.fileSystem, "open \(host)", errno: error)
        }
        let fd = FileDescriptor(rawValue: raw)
        defer { try? fd.close() }
        let st = try Self.requireRegular(raw, host.string)
        if Int(st.st_size) > limit { throw Self.tooLarge(host.string, Int(st.st_size), limit) }
        let data = try Self.readAll(fd, limit: limit, path: host.string)
        try write(path, data, mode: mode ?? UInt32(st.st_mode & 0o777), limit: limit)
    }

    /// Reads a regular file, at most `limit` bytes (a program may have made it huge):
    /// larger is `.tooLarge`; a FIFO, socket, device, folder or symlink is `.notRegularFile`.
    public func read(_ path: String, limit: Int = 64 << 20) throws -> [UInt8] {
        let fd = try openInside(path, O_RDONLY)
        defer { try? fd.close() }
        let st = try Self.requireRegular(fd.rawValue, path)
        if Int(st.st_size) > limit { throw Self.tooLarge(path, Int(st.st_size), limit) }
        return try Self.readAll(fd, limit: limit, path: path, expected: Int(st.st_size))
    }

    /// Reads to the end, failing past `limit` (the file may grow while it is read).
    package static func readAll(_ fd: FileDescriptor, limit: Int, path: String, expected: Int = 0) throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(min(max(0, expected), limit))
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n: Int
            do {
                n = try chunk.withUnsafeMutableBytes { try fd.read(into: $0) }
            } catch let errno as Errno {
                throw SandboxError(.fileSystem, "read \(path)", errno: errno)
            }
            if n == 0 { return bytes }
            if bytes.count + n > limit { throw tooLarge(path, bytes.count + n, limit) }
            bytes += chunk[..<n]
        }
    }

    /// Lists a folder. Nothing listed is opened: each entry is an fstatat that does not
    /// follow symlinks.
    public func list(_ path: String = ".") throws -> [Entry] {
        let (root, relative) = try locate(path)
        let raw = proctor_open_in_root(root.rawValue, relative, Self.folderFlags, 0)
        guard raw >= 0 else { throw SandboxError(.fileSystem, "list \(path)", errno: Errno(rawValue: errno)) }
        let fd = FileDescriptor(rawValue: raw)
        guard let dir = fdopendir(fd.rawValue) else {
            try? fd.close()
            throw SandboxError(.fileSystem, "list \(path)", errno: Errno(rawValue: errno))
        }
        defer { closedir(dir) }
        var entries: [Entry] = []
        while let e = readdir(dir) {
            let name = withUnsafePointer(to: e.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            var st = Glibc.stat()
            guard fstatat(dirfd(dir), name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            entries.append(Self.entry(name, st))
        }
        return entries.sorted { $0.name < $1.name }
    }

    public func stat(_ path: String) throws -> Entry {
        let (root, relative) = try locate(path)
        if relative == "." {
            var st = Glibc.stat()
            fstat(root.rawValue, &st)
            return Self.entry(FilePath(path).lastComponent?.string ?? "/", st)
        }
        let (dir, name) = try openParent(path)
        defer { try? dir.close() }
        var st = Glibc.stat()
        guard fstatat(dir.rawValue, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else {
            throw SandboxError(.fileSystem, "stat \(path)", errno: Errno(rawValue: errno))
        }
        return Self.entry(name, st)
    }

    public func exists(_ path: String) -> Bool {
        (try? stat(path)) != nil
    }

    public func mkdir(_ path: String, parents: Bool = false, mode: UInt32 = 0o755) throws {
        if parents {
            let parent = FilePath(path).removingLastComponent().string
            if !parent.isEmpty, parent != "/", parent != path, !exists(parent) { try mkdir(parent, parents: true, mode: mode) }
        }
        let (root, relative) = try locate(path)
        if relative == "." { return }
        _ = root
        let (dir, name) = try openParent(path)
        defer { try? dir.close() }
        if mkdirat(dir.rawValue, name, mode_t(mode)) != 0 {
            if errno == EEXIST && parents { return }
            throw SandboxError(.fileSystem, "mkdir \(path)", errno: Errno(rawValue: errno))
        }
        fchownat(dir.rawValue, name, uid, uid, AT_SYMLINK_NOFOLLOW)
    }

    /// Removes a file, a symlink (never what it points to) or, with `recursive`, a folder tree.
    public func remove(_ path: String, recursive: Bool = false) throws {
        let (dir, name) = try openParent(path)
        defer { try? dir.close() }
        if unlinkat(dir.rawValue, name, 0) == 0 { return }
        guard errno == EISDIR else { throw SandboxError(.fileSystem, "remove \(path)", errno: Errno(rawValue: errno)) }
        if recursive { try Self.emptyFolder(dir.rawValue, name) }
        if unlinkat(dir.rawValue, name, AT_REMOVEDIR) != 0 {
            throw SandboxError(.fileSystem, "remove \(path)", errno: Errno(rawValue: errno))
        }
    }

    /// Deletes everything inside folder `name` of `parent`, never following a symlink.
    static func emptyFolder(_ parent: Int32, _ name: String) throws {
        let fd = openat(parent, name, O_RDONLY | O_DIRECTORY | openFlags)
        guard fd >= 0 else { throw SandboxError(.fileSystem, "open \(name)", errno: Errno(rawValue: errno)) }
        try emptyFolder(fd: fd)
    }

    private static func emptyFolder(fd: Int32) throws {
        guard let dir = fdopendir(fd) else {
            Glibc.close(fd)
            throw SandboxError(.fileSystem, "list folder", errno: Errno(rawValue: errno))
        }
        defer { closedir(dir) }
        var names: [(String, Bool)] = []
        while let e = readdir(dir) {
            let name = withUnsafePointer(to: e.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append((name, e.pointee.d_type == UInt8(DT_DIR))) }
        }
        for (name, isDir) in names {
            if isDir {
                try emptyFolder(dirfd(dir), name)
                unlinkat(dirfd(dir), name, AT_REMOVEDIR)
            } else if unlinkat(dirfd(dir), name, 0) != 0 && errno == EISDIR {
                try emptyFolder(dirfd(dir), name)
                unlinkat(dirfd(dir), name, AT_REMOVEDIR)
            }
        }
    }

    /// Empties the workdir, /tmp and /dev/shm (a pool's reset).
    func wipe() throws {
        let fds = roots.withLock { $0.map(\.fd) }
        for root in fds {
            // A fresh open file description: a dup would share (and move) the directory offset.
            let fresh = openat(root.rawValue, ".", O_RDONLY | O_DIRECTORY | Self.openFlags)
            guard fresh >= 0 else { throw SandboxError(.fileSystem, "open workdir", errno: Errno(rawValue: errno)) }
            try Self.emptyFolder(fd: fresh)
        }
    }

    static func entry(_ name: String, _ st: Glibc.stat) -> Entry {
        let kind: Entry.Kind
        switch st.st_mode & S_IFMT {
        case S_IFREG: kind = .file
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .symlink
        default: kind = .other
        }
        return Entry(
            name: name, kind: kind, size: Int(st.st_size), mode: UInt32(st.st_mode & 0o7777),
            modified: Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9)
    }
}

/// stat(2) on a host path (inside the class, `stat` names the method).
private func hostStat(_ path: String, _ st: inout Glibc.stat) -> Int32 {
    stat(path, &st)
}
