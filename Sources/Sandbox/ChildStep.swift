import CSandbox
import SystemPackage

/// Turns a failed child step into the sentence a person needs: "mount /usr: EPERM".
enum ChildStep {
    static func name(_ step: Int32) -> String {
        switch proctor_step_t(rawValue: UInt32(step)) {
        case PROCTOR_STEP_FORK: return "fork"
        case PROCTOR_STEP_CGROUP: return "join cgroup"
        case PROCTOR_STEP_SETNS: return "setns"
        case PROCTOR_STEP_CLONE: return "clone"
        case PROCTOR_STEP_MOUNT_PRIVATE: return "make mounts private"
        case PROCTOR_STEP_MOUNT_ROOT: return "mount root tmpfs"
        case PROCTOR_STEP_MKDIR: return "mkdir"
        case PROCTOR_STEP_TOUCH: return "create mount point"
        case PROCTOR_STEP_SYMLINK: return "symlink"
        case PROCTOR_STEP_BIND: return "mount"
        case PROCTOR_STEP_REMOUNT: return "remount read-only"
        case PROCTOR_STEP_TMPFS: return "mount tmpfs"
        case PROCTOR_STEP_PROC: return "mount proc"
        case PROCTOR_STEP_HOSTNAME: return "sethostname"
        case PROCTOR_STEP_LOOPBACK: return "bring up loopback"
        case PROCTOR_STEP_PIVOT_ROOT: return "pivot_root"
        case PROCTOR_STEP_UMOUNT_OLD: return "unmount old root"
        case PROCTOR_STEP_SETSID: return "setsid"
        case PROCTOR_STEP_DUP2: return "dup2 stdio"
        case PROCTOR_STEP_CHDIR: return "chdir"
        case PROCTOR_STEP_RLIMIT: return "setrlimit"
        case PROCTOR_STEP_CAPS: return "drop capabilities"
        case PROCTOR_STEP_SETGROUPS: return "setgroups"
        case PROCTOR_STEP_SETGID: return "setgid"
        case PROCTOR_STEP_SETUID: return "setuid"
        case PROCTOR_STEP_NO_NEW_PRIVS: return "no_new_privs"
        case PROCTOR_STEP_SIGNALS: return "signals"
        case PROCTOR_STEP_SECCOMP: return "load seccomp filter"
        case PROCTOR_STEP_EXEC: return "exec"
        case PROCTOR_STEP_PIPE: return "pipe"
        case PROCTOR_STEP_OOM_SCORE: return "set oom_score_adj"
        case PROCTOR_STEP_OVERLAY: return "mount the image (overlayfs)"
        default: return "child protocol"
        }
    }

    /// "mount /usr: EPERM (Operation not permitted)".
    static func describe(_ r: proctor_spawn_result_t, layout: RootLayout? = nil, command: String? = nil) -> String {
        var what = name(r.step)
        if let layout, r.op_index >= 0, Int(r.op_index) < layout.ops.count {
            let op = layout.ops[Int(r.op_index)]
            var inside = String(op.target.dropFirst(layout.mountPoint.count))
            if inside.isEmpty { inside = "/" }
            what += " " + inside
        } else if r.step == Int32(PROCTOR_STEP_EXEC.rawValue), let command {
            what += " " + command
        }
        let errno = Errno(rawValue: r.error)
        return "\(what): \(errno.symbolicName) (\(errno.description))"
    }
}
