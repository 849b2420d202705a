import CSandbox
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// The steps that build a sandbox's root, computed on the host before fork. Targets are
/// host paths below the new root's mount point, valid only in the sandbox's mount ns.
struct RootLayout {
    struct Op {
        var kind: proctor_op_kind_t
        var source: String? = nil
        var target: String
        var data: String? = nil
        var mode: UInt32 = 0o755
        var device: UInt64 = 0
    }

    /// Host folders that make up the default image (the ones that exist are used).
    static let hostImage: [String] = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"]
    /// Folders of a rootfs image that the sandbox makes fresh instead of binding.
    static let rootfsSkipped: Set<String> = ["dev", "proc", "sys", "tmp", "run", "mnt", "media", "lost+found"]
    /// The minimal /dev, made with mknod (cheaper than a bind mount each): name, minor of major 1.
    static let deviceNodes: [(String, UInt64)] = [("null", 3), ("zero", 5), ("full", 7), ("random", 8), ("urandom", 9)]

    /// /proc entries made read-only for an image build's uid-0 steps (as Docker does): the
    /// sysctls (core_pattern!), sysrq-trigger and the kernel's other knobs.
    static let procReadOnly: [String] = ["sys", "sysrq-trigger", "irq", "bus", "fs"]

    let mountPoint: String
    /// tmpfs options of the new root.
    private(set) var rootData = "size=1m,nr_inodes=4096,mode=0755"
    /// An image's overlay root: left writable (its writes land in the sandbox's own layer).
    private(set) var rootWritable = false
    private(set) var ops: [Op] = []
    /// Folders already made (an array: a dozen paths, and a hashed set cost a one-shot run more).
    private var made: [String] = ["/"]

    init(mountPoint: String, configuration c: SandboxConfiguration, uid: uid_t, gid: gid_t) throws {
        self.mountPoint = mountPoint
        switch c.image {
        case .host:
            for path in Self.hostImage { try addImageEntry(host: path, inside: path) }
        case .rootfs(let root):
            guard let dir = opendir(root.string) else {
                throw SandboxError(.invalidConfiguration, "rootfs \(root)", errno: Errno(rawValue: errno))
            }
            var names: [String] = []
            while let e = readdir(dir) {
                let name = withUnsafePointer(to: e.pointee.d_name) {
                    $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
                }
                if name != "." && name != ".." && !Self.rootfsSkipped.contains(name) { names.append(name) }
            }
            closedir(dir)
            for name in names.sorted() {
                try addImageEntry(host: root.appending(name).string, inside: "/" + name)
            }
        case .layers(let layers):
            try addOverlay(layers, configuration: c)
        }
        for bind in c.binds {
            try requireExisting(bind.source.string)
            if isRegularFile(bind.source.string) {
                // A file: its mount point is an empty file (in an image's layer: made there).
                mkdirs(bind.target.removingLastComponent().string)
                ops.append(Op(kind: PROCTOR_OP_TOUCH, target: inside(bind.target.string)))
            } else {
                mkdirs(bind.target.string)
            }
            ops.append(
                Op(
                    kind: bind.writable ? PROCTOR_OP_BIND_RW : PROCTOR_OP_BIND_RO,
                    source: bind.source.string, target: inside(bind.target.string)))
        }
        mkdirs("/proc")
        ops.append(Op(kind: PROCTOR_OP_PROC, target: inside("/proc")))
        if c.buildStep {
            for name in Self.procReadOnly where access("/proc/" + name, F_OK) == 0 {
                ops.append(Op(kind: PROCTOR_OP_BIND_RO, source: inside("/proc/" + name), target: inside("/proc/" + name)))
            }
        }
        mkdirs("/dev")
        // nodev is off for /dev only: nobody inside can mknod (no CAP_MKNOD), and it is root's.
        ops.append(Op(kind: PROCTOR_OP_DEV_TMPFS, target: inside("/dev"), data: "size=64k,nr_inodes=64,mode=0755"))
        for (name, minor) in Self.deviceNodes {
            ops.append(Op(kind: PROCTOR_OP_MKNOD, target: inside("/dev/" + name), mode: 0o666, device: (1 << 8) | minor))
        }
        for device in c.devices {
            try requireCharacterDevice(device.string)
            mkdirs(device.removingLastComponent().string)
            addDevice(device.string)
        }
        for (name, target) in [
            ("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
            ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2"),
        ] {
            ops.append(Op(kind: PROCTOR_OP_SYMLINK, source: target, target: inside("/dev/" + name)))
        }
        let shared = "size=\(c.limits.tmpSize),mode=1777"
        mkdirs("/dev/shm")
        ops.append(Op(kind: PROCTOR_OP_TMPFS, target: inside("/dev/shm"), data: shared))
        mkdirs("/tmp")
        ops.append(Op(kind: PROCTOR_OP_TMPFS, target: inside("/tmp"), data: shared))
        mkdirs(c.workdir.string)
        if rootWritable && !c.buildStep {
            // A folder of the writable layer (bounded by its tmpfs), so a snapshot keeps it.
            ops.append(Op(kind: PROCTOR_OP_CHOWN, target: inside(c.workdir.string), device: UInt64(uid) << 32 | UInt64(gid)))
        } else {
            ops.append(
                Op(
                    kind: PROCTOR_OP_TMPFS, target: inside(c.workdir.string),
                    data: "size=\(c.limits.workdirSize),mode=0755,uid=\(uid),gid=\(gid)"))
        }
    }

    /// The image's layers as an overlayfs on the root's mount point. The writable layer's
    /// `upper` and `work` are on the root's tmpfs beneath (sized `workdirSize`, unreachable
    /// from inside once the overlay covers it; init keeps an fd on it for snapshots) or in
    /// `layerFolder`.
    private mutating func addOverlay(_ layers: [FilePath], configuration c: SandboxConfiguration) throws {
        guard !layers.isEmpty else { throw SandboxError(.invalidConfiguration, "an image with no layers") }
        for layer in layers {
            var st = stat()
            guard stat(layer.string, &st) == 0, st.st_mode & S_IFMT == S_IFDIR else {
                throw SandboxError(.invalidConfiguration, "image layer \(layer) is not a folder")
            }
            guard !layer.string.contains(where: { $0 == ":" || $0 == "," }) else {
                throw SandboxError(.invalidConfiguration, "image layer \(layer): ':' and ',' cannot be in an overlayfs path")
            }
        }
        let scratch: String
        var keep: String? = nil
        if let folder = c.layerFolder {
            scratch = folder.string
        } else {
            rootData = "size=\(c.limits.workdirSize),mode=0755"
            scratch = mountPoint
            keep = mountPoint
            ops.append(Op(kind: PROCTOR_OP_MKDIR, target: mountPoint + "/upper", mode: 0o755))
            ops.append(Op(kind: PROCTOR_OP_MKDIR, target: mountPoint + "/work", mode: 0o700))
        }
        let lower = layers.map(\.string).joined(separator: ":")
        // No redirects, no metacopy, no index: every layer stays a plain folder tree (with
        // whiteouts) that can be stacked under any other, copied, or exported.
        let data = "lowerdir=\(lower),upperdir=\(scratch)/upper,workdir=\(scratch)/work,redirect_dir=off,metacopy=off,index=off"
        guard data.utf8.count < 4000 else { throw SandboxError(.invalidConfiguration, "an image with too many layers") }
        ops.append(Op(kind: PROCTOR_OP_OVERLAY, source: keep, target: mountPoint, data: data))
        rootWritable = true
    }

    private func inside(_ path: String) -> String {
        path == "/" ? mountPoint : mountPoint + path
    }

    private mutating func mkdirs(_ path: String) {
        var current = ""
        for part in path.split(separator: "/") {
            current += "/" + part
            if !made.contains(current) {
                made.append(current)
                ops.append(Op(kind: PROCTOR_OP_MKDIR, target: inside(current), mode: 0o755))
            }
        }
    }

    private mutating func addDevice(_ path: String) {
        ops.append(Op(kind: PROCTOR_OP_TOUCH, target: inside(path)))
        ops.append(Op(kind: PROCTOR_OP_BIND_RW, source: path, target: inside(path)))
    }

    private mutating func addImageEntry(host: String, inside path: String) throws {
        var st = stat()
        guard lstat(host, &st) == 0 else { return }
        switch st.st_mode & S_IFMT {
        case S_IFLNK:
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlink(host, &buffer, buffer.count - 1)
            guard n > 0 else { return }
            let target = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            made.append(path)
            ops.append(Op(kind: PROCTOR_OP_SYMLINK, source: target, target: inside(path)))
        case S_IFDIR:
            mkdirs(path)
            ops.append(Op(kind: PROCTOR_OP_BIND_RO, source: host, target: inside(path)))
        default:
            return
        }
    }

    private func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFREG
    }

    private func requireExisting(_ path: String) throws {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw SandboxError(.invalidConfiguration, "bind source \(path)", errno: Errno(rawValue: errno))
        }
    }

    private func requireCharacterDevice(_ path: String) throws {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw SandboxError(.invalidConfiguration, "device \(path)", errno: Errno(rawValue: errno))
        }
        guard st.st_mode & S_IFMT == S_IFCHR else {
            throw SandboxError(.invalidConfiguration, "device \(path) is not a character device")
        }
    }

    /// The ops as C structs; strings live in `strings`.
    func cOps(_ strings: CStrings) -> [proctor_mount_op_t] {
        ops.map { op in
            proctor_mount_op_t(
                kind: Int32(op.kind.rawValue), source: strings.optional(op.source),
                target: strings.string(op.target), data: strings.optional(op.data), mode: op.mode,
                device: op.device)
        }
    }
}
