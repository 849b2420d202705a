import CSandbox
import CSeccomp
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// The seccomp filter of sandboxed processes, built with libseccomp in the runner and
/// exported as BPF once per network policy; children only load the bytes.
///
/// Default allow, then deny what a graded program never needs. Denials answer EPERM (or
/// ENOSYS for clone3, so libc falls back to clone, whose flags a filter can read), so a
/// program sees a failed call, not a mysterious death; foreign architectures (i386 via
/// int 0x80, x32) are killed, since a filter for one ABI says nothing about another.
struct SeccompPolicy: Sendable {
    let program: [UInt8]

    var instructionCount: Int { program.count / 8 }

    static let denied: [String] = [
        "mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen", "fsconfig",
        "fsmount", "fspick", "mount_setattr",
        "ptrace", "process_vm_readv", "process_vm_writev", "kcmp",
        "bpf", "perf_event_open", "userfaultfd",
        "keyctl", "add_key", "request_key",
        "io_uring_setup", "io_uring_enter", "io_uring_register",
        "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
        "reboot", "swapon", "swapoff", "acct", "quotactl", "syslog",
        "unshare", "setns",
        "open_by_handle_at", "name_to_handle_at",
        "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
        "sethostname", "setdomainname",
        "iopl", "ioperm", "vhangup", "lookup_dcookie", "fanotify_init",
    ]

    static let namespaceFlags: [Int] = [
        PROCTOR_CLONE_NEWNS, PROCTOR_CLONE_NEWUTS, PROCTOR_CLONE_NEWIPC, PROCTOR_CLONE_NEWUSER, PROCTOR_CLONE_NEWPID,
        PROCTOR_CLONE_NEWNET, PROCTOR_CLONE_NEWCGROUP,
    ]

    /// One rule of the filter: an action for a system call, under optional argument tests.
    struct Rule {
        var action: UInt32
        var name: String
        var args: [scmp_arg_cmp] = []
    }

    static let badArchAction: UInt32 = 0x8000_0000  // SCMP_ACT_KILL_PROCESS

    /// The rules for a network policy, in the order they are added.
    static func rules(network: SandboxConfiguration.Network) -> [Rule] {
        func masked(_ arg: UInt32, _ mask: UInt64, _ value: UInt64) -> scmp_arg_cmp {
            scmp_arg_cmp(arg: arg, op: SCMP_CMP_MASKED_EQ, datum_a: mask, datum_b: value)
        }
        let eperm = errnoAction(EPERM)
        var rules = denied.map { Rule(action: eperm, name: $0) }
        for flag in namespaceFlags {
            rules.append(Rule(action: eperm, name: "clone", args: [masked(0, UInt64(flag), UInt64(flag))]))
        }
        rules.append(Rule(action: errnoAction(ENOSYS), name: "clone3"))
        for request in [0x5412 /* TIOCSTI */, 0x541C /* TIOCLINUX */] {
            rules.append(Rule(action: eperm, name: "ioctl", args: [masked(1, 0xffff_ffff, UInt64(request))]))
        }
        let afnosupport = errnoAction(EAFNOSUPPORT)
        switch network {
        case .blocked:
            rules.append(
                Rule(
                    action: afnosupport, name: "socket",
                    args: [scmp_arg_cmp(arg: 0, op: SCMP_CMP_NE, datum_a: UInt64(AF_UNIX), datum_b: 0)]))
        case .allowed:
            for family in [AF_PACKET, 40 /* AF_VSOCK */, 38 /* AF_ALG */] {
                rules.append(
                    Rule(
                        action: afnosupport, name: "socket",
                        args: [scmp_arg_cmp(arg: 0, op: SCMP_CMP_EQ, datum_a: UInt64(family), datum_b: 0)]))
            }
        }
        return rules
    }

    /// The filter for `network`: from the cache in `cacheFolder` when a program compiled from
    /// the very same rules by the very same libseccomp is there, else compiled (and cached).
    static func build(network: SandboxConfiguration.Network, cacheFolder: FilePath? = nil) throws -> SeccompPolicy {
        let rules = rules(network: network)
        guard let cacheFolder else { return SeccompPolicy(program: try compile(rules)) }
        let cache = SeccompCache(folder: cacheFolder, description: describe(rules))
        if let program = cache.load() { return SeccompPolicy(program: program) }
        let program = try compile(rules)
        cache.store(program)
        return SeccompPolicy(program: program)
    }

    /// Everything the exported program depends on, as text: the format of the cache, the
    /// libseccomp version, its API level and the kernel's release, the native architecture,
    /// the bad-architecture action, each rule.
    static func describe(_ rules: [Rule]) -> String {
        var text = "proctor-seccomp 1\n"
        if let v = seccomp_version() {
            text += "libseccomp \(v.pointee.major).\(v.pointee.minor).\(v.pointee.micro)\n"
        }
        // What libseccomp found the kernel supports, and the kernel itself (/run empties
        // at boot, but PROCTOR_STATE_DIR may point elsewhere).
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        text += "api \(seccomp_api_get())\nkernel \(release)\n"
        text += "arch \(seccomp_arch_native())\nbadarch \(badArchAction)\n"
        for r in rules {
            text += "\(r.action) \(r.name)"
            for a in r.args { text += " [\(a.arg) \(a.op.rawValue) \(a.datum_a) \(a.datum_b)]" }
            text += "\n"
        }
        return text
    }

    /// Builds the filter with libseccomp and exports it as BPF.
    static func compile(_ rules: [Rule]) throws -> [UInt8] {
        guard let ctx = seccomp_init(0x7fff_0000 /* SCMP_ACT_ALLOW */) else {
            throw SandboxError(.setup, "seccomp_init failed")
        }
        defer { seccomp_release(ctx) }
        func check(_ rc: Int32, _ what: String) throws {
            if rc < 0 { throw SandboxError(.setup, "seccomp rule \(what)", errno: Errno(rawValue: -rc)) }
        }
        try check(seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, badArchAction), "badarch")
        for rule in rules {
            let nr = seccomp_syscall_resolve_name(rule.name)
            guard nr != __NR_SCMP_ERROR else { continue }  // not on this architecture
            var args = rule.args
            try check(seccomp_rule_add_array(ctx, rule.action, nr, UInt32(args.count), &args), rule.name)
        }
        return try export(ctx)
    }

    private static func errnoAction(_ code: Int32) -> UInt32 {
        0x0005_0000 | (UInt32(code) & 0xffff)
    }

    private static func export(_ ctx: scmp_filter_ctx) throws -> [UInt8] {
        let raw = Int32(proctor_memfd_create("proctor-seccomp"))
        guard raw >= 0 else { throw SandboxError(.setup, "memfd_create", errno: Errno(rawValue: errno)) }
        let fd = FileDescriptor(rawValue: raw)
        defer { try? fd.close() }
        let rc = seccomp_export_bpf(ctx, raw)
        guard rc >= 0 else { throw SandboxError(.setup, "seccomp_export_bpf", errno: Errno(rawValue: -rc)) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        var offset: Int64 = 0
        while true {
            let n = try chunk.withUnsafeMutableBytes { try fd.read(fromAbsoluteOffset: offset, into: $0) }
            if n == 0 { break }
            bytes += chunk[..<n]
            offset += Int64(n)
        }
        return bytes
    }
}

/// Compiled filters kept in the state folder (root's, like the uid lock files), so that a
/// one-shot runner (`proctor exec`) loads the bytes instead of running libseccomp. A file
/// holds the full description of what it was compiled from (rules, libseccomp version,
/// architecture) and a checksum; it is used only when it and its folder are root's and
/// writable by no one else, its description equals the current one byte for byte, and the
/// checksum holds.
/// Anything else is ignored and the filter compiled anew.
struct SeccompCache {
    let folder: FilePath
    let path: FilePath
    let description: [UInt8]
    static let magic: [UInt8] = Array("PRSECCMP".utf8)
    static let maxInstructions = 4096  // BPF_MAXINSNS

    init(folder: FilePath, description: String) {
        self.folder = folder
        self.description = Array(description.utf8)
        path = folder.appending("seccomp-" + FNV1a.hex(self.description) + ".bpf")
    }

    /// magic, description length (u32 LE), program length (u32 LE), description, program,
    /// FNV-1a of all that (u64 LE).
    func encode(_ program: [UInt8]) -> [UInt8] {
        var bytes = Self.magic
        func u32(_ v: Int) { for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
        u32(description.count)
        u32(program.count)
        bytes += description
        bytes += program
        let sum = FNV1a.hash(bytes)
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: sum >> (8 * UInt64(i)))) }
        return bytes
    }

    func decode(_ bytes: [UInt8]) -> [UInt8]? {
        let header = Self.magic.count + 8
        guard bytes.count >= header + 8, Array(bytes[..<Self.magic.count]) == Self.magic else { return nil }
        func u32(_ at: Int) -> Int { (0..<4).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) } }
        let descriptionLength = u32(Self.magic.count)
        let programLength = u32(Self.magic.count + 4)
        guard descriptionLength == description.count, programLength > 0, programLength % 8 == 0,
            programLength / 8 <= Self.maxInstructions,
            bytes.count == header + descriptionLength + programLength + 8
        else { return nil }
        let body = bytes.count - 8
        let sum = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[body + $1]) << (8 * UInt64($1)) }
        guard sum == FNV1a.hash(Array(bytes[..<body])),
            bytes[header..<(header + descriptionLength)].elementsEqual(description)
        else { return nil }
        return Array(bytes[(header + descriptionLength)..<body])
    }

    func load() -> [UInt8]? {
        var folder = stat()
        guard stat(self.folder.string, &folder) == 0, folder.st_uid == 0,
            folder.st_mode & 0o022 == 0
        else { return nil }
        guard let fd = try? FileDescriptor.open(path, .readOnly, options: [.closeOnExec, .noFollow]) else { return nil }
        defer { try? fd.close() }
        var st = stat()
        guard fstat(fd.rawValue, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_uid == 0,
            st.st_mode & 0o022 == 0, st.st_size > 0, st.st_size < 1 << 20
        else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
        let n = bytes.withUnsafeMutableBytes { try? fd.read(fromAbsoluteOffset: 0, into: $0) }
        guard n == bytes.count else { return nil }
        return decode(bytes)
    }

    /// Written to a temporary file, then renamed: readers see a whole file or none.
    func store(_ program: [UInt8]) {
        let temporary = FilePath(path.string + ".\(getpid()).tmp")
        guard
            let fd = try? FileDescriptor.open(
                temporary, .writeOnly, options: [.create, .exclusiveCreate, .closeOnExec, .noFollow],
                permissions: [.ownerReadWrite])
        else { return }
        let written = (try? fd.writeAll(encode(program))) != nil
        try? fd.close()
        if !written || rename(temporary.string, path.string) != 0 { unlink(temporary.string) }
    }
}
