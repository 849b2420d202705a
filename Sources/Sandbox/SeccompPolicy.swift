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
        PROCTOR_CLONE_NEWNS, PROCTOR_CLONE_NEWUTS, PROCTOR_CLONE_NEWIPC, PROCTOR_CLONE_NEWUSER, PROCTOR_CLONE_NEWPID, PROCTOR_CLONE_NEWNET, PROCTOR_CLONE_NEWCGROUP,
    ]

    static func build(network: SandboxConfiguration.Network) throws -> SeccompPolicy {
        guard let ctx = seccomp_init(0x7fff_0000 /* SCMP_ACT_ALLOW */) else {
            throw SandboxError(.setup, "seccomp_init failed")
        }
        defer { seccomp_release(ctx) }
        let eperm = errnoAction(EPERM)
        func check(_ rc: Int32, _ what: String) throws {
            if rc < 0 { throw SandboxError(.setup, "seccomp rule \(what)", errno: Errno(rawValue: -rc)) }
        }
        func rule(_ action: UInt32, _ name: String, _ args: [scmp_arg_cmp] = []) throws {
            let nr = seccomp_syscall_resolve_name(name)
            guard nr != __NR_SCMP_ERROR else { return }   // not on this architecture
            var args = args
            try check(seccomp_rule_add_array(ctx, action, nr, UInt32(args.count), &args), name)
        }
        func masked(_ arg: UInt32, _ mask: UInt64, _ value: UInt64) -> scmp_arg_cmp {
            scmp_arg_cmp(arg: arg, op: SCMP_CMP_MASKED_EQ, datum_a: mask, datum_b: value)
        }

        try check(seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, 0x8000_0000 /* KILL_PROCESS */), "badarch")
        for name in denied { try rule(eperm, name) }
        for flag in namespaceFlags {
            try rule(eperm, "clone", [masked(0, UInt64(flag), UInt64(flag))])
        }
        try rule(errnoAction(ENOSYS), "clone3")
        for request in [0x5412 /* TIOCSTI */, 0x541C /* TIOCLINUX */] {
            try rule(eperm, "ioctl", [masked(1, 0xffff_ffff, UInt64(request))])
        }
        let afnosupport = errnoAction(EAFNOSUPPORT)
        switch network {
        case .blocked:
            try rule(afnosupport, "socket", [scmp_arg_cmp(arg: 0, op: SCMP_CMP_NE, datum_a: UInt64(AF_UNIX), datum_b: 0)])
        case .allowed:
            for family in [AF_PACKET, 40 /* AF_VSOCK */, 38 /* AF_ALG */] {
                try rule(afnosupport, "socket", [scmp_arg_cmp(arg: 0, op: SCMP_CMP_EQ, datum_a: UInt64(family), datum_b: 0)])
            }
        }
        return SeccompPolicy(program: try export(ctx))
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
