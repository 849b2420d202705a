import CSandbox
import Foundation
import SystemPackage

/// O_PATH (a _GNU_SOURCE flag the Glibc module leaves out): a handle that names a file
/// without opening it for reading, so fstat can look before anything is read.
private let O_PATH: Int32 = 0o10000000

/// A folder whose files a loader may read, and nothing outside it: a suite's folder, a
/// problem package, an upload. Every path a suite or package names is resolved here.
///
/// Why: a suite file is input from someone else (an upload to the server, a package from
/// the net). If it could name `/root/secret.txt`, `../../etc/shadow` or a symlink that
/// points out, grading would copy that file into a sandbox or into a WA excerpt. So:
/// paths are relative, ".." never leaves the folder, and every open goes through
/// openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) from a descriptor on the folder, so
/// no symlink anywhere in the path can lead out (one that stays inside is fine). Only
/// regular files are read: a FIFO or a device is refused before it is opened for
/// reading, so it cannot hang the loader or the runner.
///
/// The folder itself is trusted (the caller chose it). Loaded paths are kept as
/// `RootedPath` (root + relative) and opened the same way when a test runs, so a file
/// swapped for a symlink after loading cannot leak either.
public struct ConfinedRoot: Sendable, Hashable, CustomStringConvertible {
    /// The folder, as the caller named it.
    public let folder: FilePath

    public init(_ folder: FilePath) {
        self.folder = folder
    }

    public var description: String { folder.string }

    public enum Kind: Sendable, Hashable {
        case file, directory, other
    }

    /// Checks a path as written in a suite or package: relative, and no ".." that leaves
    /// the folder. Returns it normalized ("a/./b" -> "a/b"; "." for the folder itself).
    public func relative(_ s: String) throws -> FilePath {
        guard !s.isEmpty else { throw Self.refused("an empty path") }
        guard !s.contains("\0") else { throw Self.refused("'\(s)' has a NUL byte") }
        let p = FilePath(s)
        if p.isAbsolute || s.hasPrefix("/") {
            throw Self.refused("'\(s)' is an absolute path; paths are relative to \(folder) and stay inside it")
        }
        let normal = p.lexicallyNormalized()
        if normal.components.first?.kind == .parentDirectory {
            throw Self.refused("'\(s)' leaves \(folder) ('..' goes above it)")
        }
        return normal.components.isEmpty ? FilePath(".") : normal
    }

    /// A checked path beneath this root (not opened; see `file` for one that must exist).
    public func path(_ s: String) throws -> RootedPath {
        RootedPath(root: self, relative: try relative(s))
    }

    /// A regular file beneath the root, checked now (and opened again, confined, when used).
    public func file(_ s: String) throws -> RootedPath {
        let p = try path(s)
        let fd = try p.open()
        try? fd.close()
        return p
    }

    /// What `s` is, following symlinks only while they stay beneath the root; nil when
    /// nothing is there. A path that leads out is an error, not nil.
    public func kind(_ s: String) throws -> Kind? {
        let rel = try relative(s)
        do {
            let fd = try openBeneath(rel, O_PATH)
            defer { try? fd.close() }
            return try Self.kind(of: fd, rel)
        } catch let e as Errno where e == .noSuchFileOrDirectory || e == .notDirectory {
            return nil
        } catch let e as Errno {
            throw Self.error(e, rel, root: self)
        }
    }

    /// The names in a folder beneath the root, sorted, without "." and "..".
    public func list(_ s: String) throws -> [String] {
        let rel = try relative(s)
        let fd: FileDescriptor
        do {
            fd = try openBeneath(rel, O_RDONLY | O_DIRECTORY)
        } catch let e as Errno {
            throw Self.error(e, rel, root: self)
        }
        guard let dir = fdopendir(fd.rawValue) else {
            let e = Errno(rawValue: errno)
            try? fd.close()
            throw Self.error(e, rel, root: self)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Regular files whose path matches a glob pattern (fnmatch, one folder level per
    /// component: `data/*.in`, `tests/*/in.txt`), sorted by name with numbers compared as
    /// numbers. Matched by listing folders beneath the root, never by the host's glob(3);
    /// a match that is a symlink leading out is an error, not a skipped file.
    public func glob(_ pattern: String) throws -> [RootedPath] {
        let rel = try relative(pattern)
        var current: [FilePath] = [FilePath(".")]
        let parts = rel.components.map(\.string)
        for (i, part) in parts.enumerated() {
            let last = i == parts.count - 1
            var next: [FilePath] = []
            for base in current {
                let names: [String]
                if part.contains(where: { "*?[".contains($0) }) {
                    guard try kind(base.string) == .directory else { continue }
                    names = try list(base.string).filter { fnmatch(part, $0, FNM_PERIOD) == 0 }
                } else {
                    names = [part]
                }
                for name in names {
                    let candidate = base == FilePath(".") ? FilePath(name) : base.appending(name)
                    let k = try kind(candidate.string)
                    if last ? k == .file : k == .directory { next.append(candidate) }
                }
            }
            current = next
        }
        return current.sorted { $0.string.compare($1.string, options: .numeric) == .orderedAscending }
            .map { RootedPath(root: self, relative: $0) }
    }

    /// Creates a new file beneath the root (its folders too), for laying out an upload.
    /// No component is followed if it is a symlink (O_NOFOLLOW all the way), the file must
    /// not exist yet (O_EXCL: a duplicate is an error, never an overwrite), and the path
    /// may have no '..' at all.
    public func create(_ s: String, _ bytes: [UInt8], mode: UInt32 = 0o644) throws {
        if FilePath(s).components.contains(where: { $0.kind == .parentDirectory }) {
            throw Self.refused("'\(s)' has a '..'; name files beneath \(folder) without it")
        }
        let rel = try relative(s)
        guard let last = rel.lastComponent?.string, last != "." else {
            throw Self.refused("'\(s)' names no file beneath \(folder)")
        }
        var dir = open(folder.string, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dir >= 0 else { throw GradingError(.io, "open \(folder): \(Errno(rawValue: errno))") }
        defer { close(dir) }
        for part in rel.removingLastComponent().components.map(\.string) {
            if mkdirat(dir, part, 0o755) != 0 && errno != EEXIST {
                throw GradingError(.io, "create folder for '\(s)': \(Errno(rawValue: errno))")
            }
            let next = openat(dir, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard next >= 0 else { throw Self.refused("'\(s)': '\(part)' is not a folder (\(Errno(rawValue: errno)))") }
            close(dir)
            dir = next
        }
        let fd = openat(dir, last, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(mode))
        guard fd >= 0 else {
            let e = Errno(rawValue: errno)
            throw e == .fileExists
                ? Self.refused("'\(s)' is there twice") : GradingError(.io, "create '\(s)': \(e)", underlyingError: e)
        }
        let file = FileDescriptor(rawValue: fd)
        defer { try? file.close() }
        do {
            _ = try file.writeAll(bytes)
        } catch let e as Errno {
            throw GradingError(.io, "write '\(s)': \(e)", underlyingError: e)
        }
    }

    /// Opens a regular file beneath the root for reading. The path is opened O_PATH first
    /// and checked with fstat, then reopened through /proc/self/fd: a FIFO or a device is
    /// never opened for reading (no hang, no side effect of opening a device).
    func openFile(_ rel: FilePath) throws -> FileDescriptor {
        do {
            let handle = try openBeneath(rel, O_PATH)
            defer { try? handle.close() }
            guard try Self.kind(of: handle, rel) == .file else {
                throw GradingError(.refused, "'\(rel)' is not a regular file (a folder, FIFO, socket or device)")
            }
            let fd = open("/proc/self/fd/\(handle.rawValue)", O_RDONLY | O_CLOEXEC | O_NOCTTY)
            if fd >= 0 { return FileDescriptor(rawValue: fd) }
            // No /proc: open it again (non-blocking) and check that it is the same file.
            let again = try openBeneath(rel, O_RDONLY | O_NONBLOCK | O_NOCTTY)
            var a = stat()
            var b = stat()
            guard fstat(handle.rawValue, &a) == 0, fstat(again.rawValue, &b) == 0, a.st_dev == b.st_dev, a.st_ino == b.st_ino
            else {
                try? again.close()
                throw GradingError(.refused, "\(folder.appending(rel.components)) changed while it was opened")
            }
            return again
        } catch let e as Errno {
            throw Self.error(e, rel, root: self)
        }
    }

    private func openBeneath(_ rel: FilePath, _ flags: Int32) throws -> FileDescriptor {
        let dir = open(folder.string, O_PATH | O_DIRECTORY | O_CLOEXEC)
        guard dir >= 0 else { throw Errno(rawValue: errno) }
        defer { close(dir) }
        let fd = proctor_open_beneath(dir, rel.string, flags, 0)
        guard fd >= 0 else { throw Errno(rawValue: errno) }
        return FileDescriptor(rawValue: fd)
    }

    private static func kind(of fd: FileDescriptor, _ rel: FilePath) throws -> Kind {
        var st = stat()
        guard fstat(fd.rawValue, &st) == 0 else { throw Errno(rawValue: errno) }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    static func refused(_ message: String) -> GradingError { GradingError(.refused, message) }

    /// An open that failed, said in words: EXDEV is the kernel's "that would leave the root".
    static func error(_ e: Errno, _ rel: FilePath, root: ConfinedRoot) -> GradingError {
        let path = rel.string
        switch e {
        case .improperLink:
            return refused("'\(path)' leads outside \(root.folder) (a symlink or '..' that points out)")
        case .tooManySymbolicLinkLevels:
            return refused("'\(path)' goes through a symlink that may not be followed")
        case .noSuchFileOrDirectory, .notDirectory:
            return GradingError(.refused, "no such file '\(path)' in \(root.folder)")
        default:
            return GradingError(.io, "open '\(path)' in \(root.folder): \(e)", underlyingError: e)
        }
    }
}

/// A file beneath a `ConfinedRoot`: opened beneath the root every time it is used.
public struct RootedPath: Sendable, Hashable, CustomStringConvertible {
    public let root: ConfinedRoot
    /// Relative to the root, normalized, never leaving it.
    public let relative: FilePath

    /// The host path, for messages and for what a name decides (a language by extension).
    /// Never open this path directly: use `open()` or `read(limit:)`.
    public var path: FilePath { root.folder.appending(relative.components) }
    public var lastComponent: FilePath.Component? { relative.lastComponent }
    public var `extension`: String? { relative.extension }
    public var description: String { path.string }

    public func open() throws -> FileDescriptor { try root.openFile(relative) }

    /// Its size in bytes (a regular file's, beneath the root).
    public func size() throws -> Int {
        let fd = try open()
        defer { try? fd.close() }
        var st = stat()
        guard fstat(fd.rawValue, &st) == 0 else { throw GradingError(.io, "stat \(path): \(Errno(rawValue: errno))") }
        return Int(st.st_size)
    }

    public func read(limit: Int = 1 << 30) throws -> [UInt8] {
        try contents(limit: limit).bytes
    }

    /// The bytes and the permission bits (an extra file may be a script a test runs).
    public func contents(limit: Int = 1 << 30) throws -> (bytes: [UInt8], mode: UInt32) {
        let fd = try open()
        defer { try? fd.close() }
        var st = stat()
        let mode = fstat(fd.rawValue, &st) == 0 ? UInt32(st.st_mode & 0o777) : 0o644
        return (try HostFile.read(fd, limit: limit, name: path.string), mode)
    }
}
