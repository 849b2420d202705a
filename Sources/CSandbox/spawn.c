// The fork/exec choreography of a sandbox. The caller (a multithreaded Swift process)
// forks an intermediate child that joins the sandbox's cgroups and namespaces, and that
// child clones the real process with CLONE_PARENT, so the caller is its parent and can
// wait for it. Only async-signal-safe system calls run after fork: no malloc, no stdio.
// Failures travel back as (step, errno) records over a CLOEXEC pipe.

#include "CSandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <grp.h>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

enum { MSG_PID = 1, MSG_ERROR = 2, MSG_READY = 3 };

typedef struct {
    int kind;
    int step;
    int error;
    int pid;
} message_t;

static void send_message(int fd, int kind, int step, int error, int pid) {
    message_t m = {kind, step, error, pid};
    ssize_t r;
    do { r = write(fd, &m, sizeof m); } while (r < 0 && errno == EINTR);
}

/// Index of the root-building op being run (this child's own copy), so an error can
/// name the path: "mount /usr: EPERM".
static int current_op = -1;

static void __attribute__((noreturn)) fail(int fd, int step) {
    send_message(fd, MSG_ERROR, step, errno, current_op);
    _exit(127);
}

static pid_t clone_child(unsigned long flags) {
    // Raw clone without a new stack behaves like fork; CLONE_PARENT makes the caller's
    // parent (the Swift process) the new process's parent.
    return (pid_t)syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
}

static int join_cgroups(const int *fds, int count) {
    for (int i = 0; i < count; i++) {
        ssize_t r;
        do { r = write(fds[i], "0\n", 2); } while (r < 0 && errno == EINTR);
        if (r < 0) return -1;
    }
    return 0;
}

static void reset_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    for (int sig = 1; sig < _NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        (void)sigaction(sig, &sa, NULL);
    }
    sigset_t empty;
    sigemptyset(&empty);
    (void)sigprocmask(SIG_SETMASK, &empty, NULL);
}

static int drop_capabilities(int cap_last, unsigned long long keep) {
    for (int cap = 0; cap <= cap_last; cap++) {
        if (cap < 64 && (keep >> cap) & 1) continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) return -1;
    }
    return prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL ? -1 : 0;
}

/// Empties the inheritable set, so that a uid-0 process's capabilities after execve are
/// exactly its bounding set (root's execve gives it the bounding set, plus whatever is
/// inheritable).
static int clear_inheritable(void) {
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &header, data) < 0) return -1;
    data[0].inheritable = 0;
    data[1].inheritable = 0;
    return (int)syscall(SYS_capset, &header, data);
}

/// setgroups, setresgid, setresuid: after this the process has no capabilities at all.
/// Raw system calls, not glibc's wrappers: those broadcast the change to every thread
/// glibc believes exists (its "setxid" signal dance, with locks), and a child made by
/// clone from a multithreaded runner inherits that belief and possibly a held lock: it
/// would hang. The kernel call changes this (single-threaded) process, which is all we need.
static void become(int errfd, uid_t uid, gid_t gid) {
    if (syscall(SYS_setgroups, 0, NULL) < 0) fail(errfd, PROCTOR_STEP_SETGROUPS);
    if (syscall(SYS_setresgid, gid, gid, gid) < 0) fail(errfd, PROCTOR_STEP_SETGID);
    if (syscall(SYS_setresuid, uid, uid, uid) < 0) fail(errfd, PROCTOR_STEP_SETUID);
}

/// Writes `value` ("-1000", "1000") to /proc/self/oom_score_adj. Lowering it needs
/// CAP_SYS_RESOURCE, so this runs before the capabilities are dropped. The kernel copies
/// the value to other processes only when they share this one's memory and this one is not
/// a vfork child: init has a memory of its own, and an exec's process is a vfork child of
/// the runner, so neither call touches the runner.
static int set_oom_score_adj(const char *value) {
    int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    size_t len = strlen(value);
    ssize_t r;
    do { r = write(fd, value, len); } while (r < 0 && errno == EINTR);
    int saved = errno;
    close(fd);
    errno = saved;
    return r == (ssize_t)len ? 0 : -1;
}

static void close_other_fds(int keep1, int keep2, int keep3) {
    // Close everything above 2 but the fds we keep (all CLOEXEC or ours).
    int keep[3] = {keep1, keep2, keep3};
    // sort the three
    for (int i = 0; i < 3; i++)
        for (int j = i + 1; j < 3; j++)
            if (keep[j] < keep[i]) { int t = keep[i]; keep[i] = keep[j]; keep[j] = t; }
    unsigned int from = 3;
    for (int i = 0; i < 3; i++) {
        if (keep[i] < 3) continue;
        if ((unsigned int)keep[i] > from) syscall(SYS_close_range, from, (unsigned int)keep[i] - 1, 0);
        from = (unsigned int)keep[i] + 1;
    }
    syscall(SYS_close_range, from, ~0U, 0);
}

// ---------------------------------------------------------------------------------
// init

/// init's fd on the writable layer's folder (kept for the runner's snapshot), or -1.
static int layer_fd = -1;

static void build_root(const proctor_init_spec_t *s, int errfd) {
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) fail(errfd, PROCTOR_STEP_MOUNT_PRIVATE);
    if (mount("proctor", s->root, "tmpfs", MS_NOSUID | MS_NODEV, s->root_data) < 0)
        fail(errfd, PROCTOR_STEP_MOUNT_ROOT);
    for (int i = 0; i < s->op_count; i++) {
        const proctor_mount_op_t *op = &s->ops[i];
        current_op = i;
        switch (op->kind) {
        case PROCTOR_OP_MKDIR:
            if (mkdir(op->target, op->mode) < 0 && errno != EEXIST) fail(errfd, PROCTOR_STEP_MKDIR);
            break;
        case PROCTOR_OP_TOUCH: {
            int fd = open(op->target, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
            if (fd < 0) fail(errfd, PROCTOR_STEP_TOUCH);
            close(fd);
            break;
        }
        case PROCTOR_OP_SYMLINK:
            if (symlink(op->source, op->target) < 0) fail(errfd, PROCTOR_STEP_SYMLINK);
            break;
        case PROCTOR_OP_BIND_RO:
        case PROCTOR_OP_BIND_RW: {
            if (mount(op->source, op->target, NULL, MS_BIND | MS_REC, NULL) < 0) fail(errfd, PROCTOR_STEP_BIND);
            struct mount_attr attr;
            memset(&attr, 0, sizeof attr);
            attr.attr_set = MOUNT_ATTR_NOSUID;
            if (op->kind == PROCTOR_OP_BIND_RO) attr.attr_set |= MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV;
            if (syscall(SYS_mount_setattr, AT_FDCWD, op->target, AT_RECURSIVE, &attr, sizeof attr) < 0) {
                // Kernels before 5.12: a non-recursive remount does the top mount.
                unsigned long f = MS_REMOUNT | MS_BIND | MS_NOSUID;
                if (op->kind == PROCTOR_OP_BIND_RO) f |= MS_RDONLY | MS_NODEV;
                if (mount(NULL, op->target, NULL, f, NULL) < 0) fail(errfd, PROCTOR_STEP_REMOUNT);
            }
            break;
        }
        case PROCTOR_OP_TMPFS:
            if (mount("tmpfs", op->target, "tmpfs", MS_NOSUID | MS_NODEV, op->data) < 0)
                fail(errfd, PROCTOR_STEP_TMPFS);
            break;
        case PROCTOR_OP_DEV_TMPFS:
            if (mount("tmpfs", op->target, "tmpfs", MS_NOSUID | MS_NOEXEC, op->data) < 0)
                fail(errfd, PROCTOR_STEP_TMPFS);
            break;
        case PROCTOR_OP_MKNOD:
            if (mknod(op->target, S_IFCHR | (op->mode & 0777), (dev_t)op->device) < 0) fail(errfd, PROCTOR_STEP_TOUCH);
            if (chmod(op->target, op->mode & 0777) < 0) fail(errfd, PROCTOR_STEP_TOUCH);   // mknod's mode passes the umask
            break;
        case PROCTOR_OP_PROC:
            if (mount("proc", op->target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                fail(errfd, PROCTOR_STEP_PROC);
            break;
        case PROCTOR_OP_OVERLAY:
            // Not CLOEXEC: init never execs, and the runner reads it through /proc/INIT/fd.
            if (op->source && (layer_fd = open(op->source, O_PATH | O_DIRECTORY)) < 0) fail(errfd, PROCTOR_STEP_OVERLAY);
            if (mount("overlay", op->target, "overlay", MS_NOSUID | MS_NODEV, op->data) < 0)
                fail(errfd, PROCTOR_STEP_OVERLAY);
            break;
        case PROCTOR_OP_CHOWN:
            if (chown(op->target, (uid_t)(op->device >> 32), (gid_t)(op->device & 0xffffffffu)) < 0)
                fail(errfd, PROCTOR_STEP_MKDIR);
            break;
        default:
            errno = EINVAL;
            fail(errfd, PROCTOR_STEP_PROTOCOL);
        }
    }
    current_op = -1;
    if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0) fail(errfd, PROCTOR_STEP_HOSTNAME);
    if (s->loopback_up) {
        int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct ifreq ifr;
        memset(&ifr, 0, sizeof ifr);
        memcpy(ifr.ifr_name, "lo", 3);
        if (sock < 0 || ioctl(sock, SIOCGIFFLAGS, &ifr) < 0) fail(errfd, PROCTOR_STEP_LOOPBACK);
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        if (ioctl(sock, SIOCSIFFLAGS, &ifr) < 0) fail(errfd, PROCTOR_STEP_LOOPBACK);
        close(sock);
    }
    if (chdir(s->root) < 0) fail(errfd, PROCTOR_STEP_PIVOT_ROOT);
    if (syscall(SYS_pivot_root, ".", ".") < 0) fail(errfd, PROCTOR_STEP_PIVOT_ROOT);
    if (umount2(".", MNT_DETACH) < 0) fail(errfd, PROCTOR_STEP_UMOUNT_OLD);
    if (chdir("/") < 0) fail(errfd, PROCTOR_STEP_CHDIR);
    if (!s->root_writable && mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
        fail(errfd, PROCTOR_STEP_REMOUNT);
}

/// Unmaps the anonymous memory init inherited from the runner (its heap, its threads'
/// stacks, Swift's allocations): to the OOM killer a process weighs what it has mapped,
/// and a fork of a large runner would otherwise be the heaviest process of the sandbox.
/// Kept: every file-backed mapping (code, data), the anonymous mapping right after one
/// (a loaded object's bss), shared mappings, the kernel's ([stack], [vdso], ...), the
/// mapping of this stack and the one holding this thread's TLS (errno, the TCB). After
/// this, init runs only its loop of raw system calls through syscall(), which is called
/// once here first so that a lazily bound PLT entry is resolved while ld.so's data is
/// still mapped. Only system calls and stack buffers: safe in a forked child.
static void release_runner_memory(void) {
    char here = 0;
    uintptr_t sp = (uintptr_t)&here;
    uintptr_t tls = (uintptr_t)&errno;
    (void)syscall(SYS_getpid);
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    enum { MAX_RANGES = 512 };
    uintptr_t starts[MAX_RANGES], ends[MAX_RANGES];
    int count = 0;
    char buffer[4096];
    char line[512];
    size_t used = 0;
    uintptr_t previous_end = 0;
    int previous_file = 0;
    for (;;) {
        ssize_t n = read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        for (ssize_t i = 0; i < n; i++) {
            if (buffer[i] != '\n') {
                if (used < sizeof line - 1) line[used++] = buffer[i];
                continue;
            }
            line[used] = 0;
            used = 0;
            // "start-end perms offset dev inode   path"
            const char *p = line;
            uintptr_t start = 0, end = 0;
            for (; *p && *p != '-'; p++) start = start * 16 + (uintptr_t)(*p <= '9' ? *p - '0' : (*p | 32) - 'a' + 10);
            if (*p == '-') p++;
            for (; *p && *p != ' '; p++) end = end * 16 + (uintptr_t)(*p <= '9' ? *p - '0' : (*p | 32) - 'a' + 10);
            if (*p == ' ') p++;
            char shared = p[0] && p[1] && p[2] ? p[3] : 's';
            int field = 0;   // skip perms, offset, dev
            while (*p && field < 3) { if (*p == ' ') field++; p++; }
            unsigned long inode = 0;
            for (; *p >= '0' && *p <= '9'; p++) inode = inode * 10 + (unsigned long)(*p - '0');
            while (*p == ' ') p++;
            int anonymous = inode == 0 && (*p == 0 || strcmp(p, "[heap]") == 0 || strncmp(p, "[anon:", 6) == 0);
            int keep = !anonymous || shared == 's' || (sp >= start && sp < end) || (tls >= start && tls < end) ||
                       (start == previous_end && previous_file);
            if (!keep && count < MAX_RANGES && end > start) {
                starts[count] = start;
                ends[count] = end;
                count++;
            }
            previous_end = end;
            previous_file = inode != 0;
        }
    }
    close(fd);
    for (int i = 0; i < count; i++) (void)syscall(SYS_munmap, starts[i], ends[i] - starts[i]);
}

/// pid 1 of the sandbox: reaps orphans until the runner closes the lifeline (or dies).
///
/// init is a fork of the runner that never execs, so it maps all of the runner's memory
/// (hundreds of MB of address space, its resident pages shared copy-on-write). To the
/// OOM killer that made it the largest process of the sandbox's memory cgroup: at the
/// memory limit it killed init, the whole pid namespace died with it, and the run showed
/// as a plain SIGKILL instead of a memory-limit. So init makes itself unkillable by the
/// OOM killer (oom_score_adj -1000, while it still has CAP_SYS_RESOURCE); every exec'd
/// process sets its own to +1000 before execve (see exec_main), so the OOM killer
/// always has the program to kill, and prefers it. init touches only its stack and the spec's few
/// fields (copy-on-write, so the runner's pages stay the runner's and are not charged to
/// the sandbox), and takes a name of its own instead of the Swift thread's it forked from.
static void __attribute__((noreturn)) init_main(const proctor_init_spec_t *s, int errfd) {
    close_other_fds(errfd, s->lifeline_fd, -1);
    (void)prctl(PR_SET_NAME, "proctor-init", 0, 0, 0);
    layer_fd = -1;
    build_root(s, errfd);
    // Best effort: without CAP_SYS_RESOURCE (some container runtimes drop it) the kernel
    // refuses to lower the value (EACCES). Then init stays killable, but small (see
    // release_runner_memory), and the runner still reads a kill anywhere in the sandbox
    // during a run as that run's memory-limit.
    (void)set_oom_score_adj("-1000");

    sigset_t all;
    sigfillset(&all);
    if (sigprocmask(SIG_SETMASK, &all, NULL) < 0) fail(errfd, PROCTOR_STEP_SIGNALS);
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    int sigfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sigfd < 0) fail(errfd, PROCTOR_STEP_SIGNALS);

    if (drop_capabilities(s->cap_last, 0) < 0) fail(errfd, PROCTOR_STEP_CAPS);
    become(errfd, s->uid, s->gid);
    // Not dumpable: processes of the same uid cannot open /proc/1/mem or /proc/1/root.
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) fail(errfd, PROCTOR_STEP_NO_NEW_PRIVS);

    send_message(errfd, MSG_READY, 0, layer_fd, 1);
    close(errfd);

    // Everything the loop needs is on this stack from here on: `s` lives in the runner's
    // memory, which release_runner_memory unmaps.
    struct pollfd fds[2] = {{s->lifeline_fd, POLLIN, 0}, {sigfd, POLLIN, 0}};
    release_runner_memory();
    // Only raw system calls through syscall(), resolved before the release.
    for (;;) {
        long n = syscall(SYS_ppoll, fds, 2, NULL, NULL, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            syscall(SYS_exit_group, 1);
        }
        if (fds[0].revents) syscall(SYS_exit_group, 0);   // the runner is gone (or asked us to go)
        if (fds[1].revents) {
            struct signalfd_siginfo info;
            while (syscall(SYS_read, sigfd, &info, sizeof info) > 0) {}
            while (syscall(SYS_wait4, -1, NULL, WNOHANG | __WALL, NULL) > 0) {}
        }
    }
}

// ---------------------------------------------------------------------------------
// exec

/// execve, tried again for a while on ETXTBSY: a binary the runner just wrote into the
/// sandbox can still be open for writing in a child that another runner thread forked
/// at that moment (fork copies the fd table; CLOEXEC closes it only at that child's exec).
static void exec_retrying(const char *path, const proctor_exec_spec_t *s) {
    for (int attempt = 0; attempt < 200; attempt++) {
        execve(path, (char *const *)s->argv, (char *const *)s->envp);
        if (errno != ETXTBSY) return;
        struct timespec pause = {0, 1000000};   // 1 ms; 200 ms at most
        nanosleep(&pause, NULL);
    }
}

static void __attribute__((noreturn)) exec_main(const proctor_exec_spec_t *s, int errfd) {
    if (setsid() < 0) fail(errfd, PROCTOR_STEP_SETSID);
    if (dup2(s->stdin_fd, 0) < 0 || dup2(s->stdout_fd, 1) < 0 || dup2(s->stderr_fd, 2) < 0)
        fail(errfd, PROCTOR_STEP_DUP2);
    if (chdir(s->cwd) < 0) fail(errfd, PROCTOR_STEP_CHDIR);
    // Whatever the runner's own value (a service may run it at -1000), the program is the
    // OOM killer's first choice: at the sandbox's memory limit it must pick the program,
    // never init (which may have kept the default 0 where -1000 was refused: it is small,
    // but a program that fills a tmpfs is smaller still), and a memory cgroup with nothing
    // killable in it would stall. +1000 adds the whole limit to the program's score; on the
    // host, too, untrusted code goes before anything else. Raising needs no capability,
    // so this cannot fail but for want of /proc (the sandbox's own, in its pid ns).
    if (set_oom_score_adj("1000") < 0) fail(errfd, PROCTOR_STEP_OOM_SCORE);
    for (int i = 0; i < s->rlimit_count; i++) {
        struct rlimit rl = {s->rlimits[i].soft, s->rlimits[i].hard};
        if (setrlimit(s->rlimits[i].resource, &rl) < 0) fail(errfd, PROCTOR_STEP_RLIMIT);
    }
    if (drop_capabilities(s->cap_last, s->keep_caps) < 0) fail(errfd, PROCTOR_STEP_CAPS);
    if (s->keep_caps && clear_inheritable() < 0) fail(errfd, PROCTOR_STEP_CAPS);
    become(errfd, s->uid, s->gid);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) fail(errfd, PROCTOR_STEP_NO_NEW_PRIVS);
    close_other_fds(errfd, -1, -1);
    reset_signals();
    if (s->seccomp_filter) {
        struct sock_fprog prog = {s->seccomp_length, (struct sock_filter *)s->seccomp_filter};
        if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0) fail(errfd, PROCTOR_STEP_SECCOMP);
    }
    const char *name = s->argv[0];
    if (strchr(name, '/')) {
        exec_retrying(name, s);
        fail(errfd, PROCTOR_STEP_EXEC);
    }
    // PATH search, as execvpe does, into the parent's scratch buffer.
    int saved = ENOENT;
    size_t namelen = strlen(name);
    const char *p = s->search_path ? s->search_path : "/usr/local/bin:/usr/bin:/bin";
    while (*p) {
        const char *end = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > 0 && len + namelen + 2 <= s->path_buffer_size) {
            memcpy(s->path_buffer, p, len);
            s->path_buffer[len] = '/';
            memcpy(s->path_buffer + len + 1, name, namelen + 1);
            exec_retrying(s->path_buffer, s);
            if (errno != ENOENT && errno != ENOTDIR) saved = errno;
        }
        if (!end) break;
        p = end + 1;
    }
    errno = saved;
    fail(errfd, PROCTOR_STEP_EXEC);
}

// ---------------------------------------------------------------------------------
// the shared choreography

typedef struct {
    const proctor_init_spec_t *init;
    const proctor_exec_spec_t *exec;
} spawn_target_t;

typedef struct {
    spawn_target_t target;
    const int *cgroup_fds;
    int cgroup_fd_count;
    int errfd;
    char *grandchild_stack_top;
} middle_args_t;

static int grandchild_main(void *arg) {
    middle_args_t *a = arg;
    exec_main(a->target.exec, a->errfd);
}

/// The middle child: joins the cgroups and namespaces, then starts the real process as a
/// child of the runner (CLONE_PARENT).
static int middle_main(void *arg) {
    middle_args_t *a = arg;
    int errfd = a->errfd;
    if (join_cgroups(a->cgroup_fds, a->cgroup_fd_count) < 0) fail(errfd, PROCTOR_STEP_CGROUP);
    pid_t child;
    if (a->target.exec) {
        if (setns(a->target.exec->ns_pidfd, a->target.exec->ns_flags) < 0) fail(errfd, PROCTOR_STEP_SETNS);
        // vfork-style: the process shares the runner's memory until execve, so no page
        // table is copied; it only touches its own stack and the prepared spec.
        child = clone(grandchild_main, a->grandchild_stack_top, CLONE_VM | CLONE_VFORK | CLONE_PARENT, a);
    } else {
        // init lives on and never execs: a real copy.
        child = clone_child(CLONE_PARENT | (unsigned long)a->target.init->clone_flags);
        if (child == 0) init_main(a->target.init, errfd);
    }
    if (child < 0) fail(errfd, PROCTOR_STEP_CLONE);
    send_message(errfd, MSG_PID, 0, 0, child);
    _exit(0);
}

enum { CHILD_STACK_SIZE = 128 * 1024 };

/// The first half of a spawn: the middle child is started and, being vfork-style, is gone
/// when this returns (init, if any, exists by then).
static proctor_spawn_pending_t spawn_start(spawn_target_t target, const int *cgroup_fds, int cgroup_fd_count) {
    proctor_spawn_pending_t pending = {-1, -1, {-1, PROCTOR_STEP_NONE, 0, -1, -1}};
    proctor_spawn_result_t result = {-1, PROCTOR_STEP_NONE, 0, -1, -1};
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) < 0) {
        result.step = PROCTOR_STEP_PIPE;
        result.error = errno;
        pending.result = result;
        return pending;
    }
    // Stacks for the vfork-style children: the middle one, and an exec's process.
    char *stacks = mmap(NULL, 2 * CHILD_STACK_SIZE, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stacks == MAP_FAILED) {
        close(pipefd[0]);
        close(pipefd[1]);
        result.step = PROCTOR_STEP_FORK;
        result.error = errno;
        pending.result = result;
        return pending;
    }
    middle_args_t args = {target, cgroup_fds, cgroup_fd_count, pipefd[1], stacks + 2 * CHILD_STACK_SIZE};

    // No signal handler of the parent may run in the children.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);

    // The middle child shares the runner's memory (vfork-style) and is gone before the
    // runner goes on; only init, which lives on, gets a copy of the address space.
    pid_t middle = clone(middle_main, stacks + CHILD_STACK_SIZE, CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
    int fork_errno = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    munmap(stacks, 2 * CHILD_STACK_SIZE);
    close(pipefd[1]);
    if (middle < 0) {
        close(pipefd[0]);
        result.step = PROCTOR_STEP_FORK;
        result.error = fork_errno;
        pending.result = result;
        return pending;
    }
    pending.read_fd = pipefd[0];
    pending.middle = middle;
    return pending;
}

/// The second half: reads the spawn's messages until init is ready (or the exec'd process
/// has exec'd), then reaps the middle child.
static proctor_spawn_result_t spawn_wait(proctor_spawn_pending_t *pending, int is_init) {
    proctor_spawn_result_t result = pending->result;
    if (pending->read_fd < 0) return result;
    int fd = pending->read_fd;
    pid_t middle = pending->middle;
    pending->read_fd = -1;
    // Read until every writer is gone: the middle child sends the pid; the grandchild
    // sends READY (init) or an error, or closes its end by execve (exec).
    int ready = 0;
    message_t m;
    for (;;) {
        ssize_t r = read(fd, &m, sizeof m);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        if (r != (ssize_t)sizeof m) continue;
        if (m.kind == MSG_PID) result.pid = m.pid;
        else if (m.kind == MSG_READY) {
            ready = 1;
            result.layer_fd = m.error;
        }
        else if (m.kind == MSG_ERROR && result.step == PROCTOR_STEP_NONE) {
            result.step = m.step;
            result.error = m.error;
            result.op_index = m.pid;
        }
        // init keeps no copy of the pipe after READY, but its READY arrives first.
        if (ready && result.pid > 0) break;
    }
    close(fd);
    int status;
    while (waitpid(middle, &status, 0) < 0 && errno == EINTR) {}
    if (result.step == PROCTOR_STEP_NONE && result.pid <= 0) {
        result.step = PROCTOR_STEP_PROTOCOL;
        result.error = ECHILD;
    }
    if (is_init && result.step == PROCTOR_STEP_NONE && !ready) {
        result.step = PROCTOR_STEP_PROTOCOL;
        result.error = EPIPE;
    }
    if (result.step != PROCTOR_STEP_NONE && result.pid > 0) {
        // The grandchild failed and exited: reap it here.
        while (waitpid(result.pid, &status, 0) < 0 && errno == EINTR) {}
        result.pid = -1;
    }
    return result;
}

static proctor_spawn_result_t spawn(spawn_target_t target, const int *cgroup_fds, int cgroup_fd_count) {
    proctor_spawn_pending_t pending = spawn_start(target, cgroup_fds, cgroup_fd_count);
    return spawn_wait(&pending, target.init != NULL);
}

proctor_spawn_pending_t proctor_spawn_init_start(const proctor_init_spec_t *spec, const int *cgroup_fds, int n) {
    spawn_target_t t = {spec, NULL};
    return spawn_start(t, cgroup_fds, n);
}

proctor_spawn_result_t proctor_spawn_init_wait(proctor_spawn_pending_t *pending) {
    return spawn_wait(pending, 1);
}

proctor_spawn_result_t proctor_spawn_exec(const proctor_exec_spec_t *spec, const int *cgroup_fds, int n) {
    spawn_target_t t = {NULL, spec};
    return spawn(t, cgroup_fds, n);
}

int proctor_pidfd_open(pid_t pid) {
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

int proctor_pidfd_kill(int pidfd) {
    return (int)syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
}

int proctor_wait_pidfd(int pidfd, int *exit_code, int *signal_number) {
    siginfo_t info;
    for (;;) {
        memset(&info, 0, sizeof info);
        if (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED) == 0) break;
        if (errno != EINTR) return -1;
    }
    *exit_code = -1;
    *signal_number = 0;
    if (info.si_code == CLD_EXITED) *exit_code = info.si_status;
    else *signal_number = info.si_status;
    return 0;
}

int proctor_open_in_root(int root_fd, const char *path, int flags, unsigned int mode) {
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (unsigned long long)(flags | O_CLOEXEC);
    how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
    for (int attempt = 0;; attempt++) {
        long r = syscall(SYS_openat2, root_fd, path, &how, sizeof how);
        if (r >= 0 || errno != EAGAIN || attempt >= 64) return (int)r;
    }
}

int proctor_pidfd_exited(int pidfd) {
    struct pollfd p = {pidfd, POLLIN, 0};
    int n;
    do { n = poll(&p, 1, 0); } while (n < 0 && errno == EINTR);
    if (n < 0) return -1;
    return n > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR)) ? 1 : 0;
}

long proctor_memfd_create(const char *name) {
    return syscall(SYS_memfd_create, name, 1U /* MFD_CLOEXEC */);
}

int proctor_cap_last(void) {
    int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return CAP_LAST_CAP;
    char buf[16] = {0};
    ssize_t r = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (r <= 0) return CAP_LAST_CAP;
    int v = 0;
    for (ssize_t i = 0; i < r && buf[i] >= '0' && buf[i] <= '9'; i++) v = v * 10 + (buf[i] - '0');
    return v > 0 ? v : CAP_LAST_CAP;
}

int proctor_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

// ---------------------------------------------------------------------------------
// IPC reset

#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <dirent.h>

struct linux_dirent64_ {
    unsigned long long d_ino;
    long long d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

/// In a vfork-style child that joined the sandbox's IPC namespace: removes every SysV
/// shared memory segment, semaphore set and message queue, and every POSIX message queue
/// (through a private mqueue mount). Only system calls; the directory is read with
/// getdents64 into a stack buffer.
static int clear_ipc_main(void *arg) {
    int ns_pidfd = *(int *)arg;
    if (setns(ns_pidfd, CLONE_NEWIPC) < 0) _exit(1);
    struct shmid_ds shm;
    int max = shmctl(0, SHM_INFO, &shm);
    for (int i = 0; i <= max; i++) {
        int id = shmctl(i, SHM_STAT, &shm);
        if (id >= 0) shmctl(id, IPC_RMID, NULL);
    }
    struct seminfo si;
    union { int val; struct semid_ds *buf; unsigned short *array; struct seminfo *__buf; } semarg;
    semarg.__buf = &si;
    max = semctl(0, 0, SEM_INFO, semarg);
    struct semid_ds sem;
    semarg.buf = &sem;
    for (int i = 0; i <= max; i++) {
        int id = semctl(i, 0, SEM_STAT, semarg);
        if (id >= 0) semctl(id, 0, IPC_RMID);
    }
    struct msqid_ds msq;
    max = msgctl(0, MSG_INFO, &msq);
    for (int i = 0; i <= max; i++) {
        int id = msgctl(i, MSG_STAT, &msq);
        if (id >= 0) msgctl(id, IPC_RMID, NULL);
    }
    // POSIX message queues live in the IPC namespace's mqueue fs: mount it privately.
    if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
        mount("mqueue", "/tmp", "mqueue", 0, NULL) < 0) _exit(2);
    int dir = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) _exit(3);
    char buffer[4096] __attribute__((aligned(8)));
    for (;;) {
        long n = syscall(SYS_getdents64, dir, buffer, sizeof buffer);
        if (n <= 0) break;
        for (long off = 0; off < n;) {
            struct linux_dirent64_ *e = (struct linux_dirent64_ *)(buffer + off);
            if (e->d_name[0] != '.') unlinkat(dir, e->d_name, 0);
            off += e->d_reclen;
        }
    }
    _exit(0);
}

int proctor_clear_ipc(int ns_pidfd) {
    enum { STACK = 64 * 1024 };
    char *stack = mmap(NULL, STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) return -1;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t child = clone(clear_ipc_main, stack + STACK, CLONE_VM | CLONE_VFORK | SIGCHLD, &ns_pidfd);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    munmap(stack, STACK);
    if (child < 0) return -1;
    int status = 0;
    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}
