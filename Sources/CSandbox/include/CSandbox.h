// The code that runs between fork and exec. Everything here is async-signal-safe: the
// Swift side prepares every string, array and BPF program before calling in, and the
// children only make system calls. Every symbol is prefixed `proctor_`.
#ifndef PROCTOR_CSANDBOX_H
#define PROCTOR_CSANDBOX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/resource.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Which step of the child setup failed; reported back with errno over the error pipe.
typedef enum {
    PROCTOR_STEP_NONE = 0,
    PROCTOR_STEP_FORK,
    PROCTOR_STEP_CGROUP,
    PROCTOR_STEP_SETNS,
    PROCTOR_STEP_CLONE,
    PROCTOR_STEP_MOUNT_PRIVATE,
    PROCTOR_STEP_MOUNT_ROOT,
    PROCTOR_STEP_MKDIR,
    PROCTOR_STEP_TOUCH,
    PROCTOR_STEP_SYMLINK,
    PROCTOR_STEP_BIND,
    PROCTOR_STEP_REMOUNT,
    PROCTOR_STEP_TMPFS,
    PROCTOR_STEP_PROC,
    PROCTOR_STEP_HOSTNAME,
    PROCTOR_STEP_LOOPBACK,
    PROCTOR_STEP_PIVOT_ROOT,
    PROCTOR_STEP_UMOUNT_OLD,
    PROCTOR_STEP_SETSID,
    PROCTOR_STEP_DUP2,
    PROCTOR_STEP_CHDIR,
    PROCTOR_STEP_RLIMIT,
    PROCTOR_STEP_CAPS,
    PROCTOR_STEP_SETGROUPS,
    PROCTOR_STEP_SETGID,
    PROCTOR_STEP_SETUID,
    PROCTOR_STEP_NO_NEW_PRIVS,
    PROCTOR_STEP_SIGNALS,
    PROCTOR_STEP_SECCOMP,
    PROCTOR_STEP_EXEC,
    PROCTOR_STEP_PIPE,
    PROCTOR_STEP_PROTOCOL,
    PROCTOR_STEP_OOM_SCORE,
    PROCTOR_STEP_OVERLAY,
} proctor_step_t;

/// One step of building the sandbox's root, prepared by the parent with absolute host
/// paths inside the new root's mount point.
typedef enum {
    PROCTOR_OP_MKDIR = 1,     // mkdir target (mode)
    PROCTOR_OP_TOUCH,         // create an empty file target (a bind target for a file)
    PROCTOR_OP_SYMLINK,       // symlink source -> target
    PROCTOR_OP_BIND_RO,       // bind source on target, then read-only, nosuid, nodev (recursive)
    PROCTOR_OP_BIND_RW,       // bind source on target, nosuid (devices keep dev)
    PROCTOR_OP_TMPFS,         // tmpfs on target with data, nosuid, nodev
    PROCTOR_OP_PROC,          // fresh proc on target
    PROCTOR_OP_DEV_TMPFS,     // tmpfs on target with data, nosuid, noexec (device nodes allowed)
    PROCTOR_OP_MKNOD,         // character device target (mode), device number `device`
    PROCTOR_OP_OVERLAY,       // overlayfs on target with data (lowerdir, upperdir, workdir), nosuid, nodev;
                              // first an fd is kept on `source` (the writable layer's folder), if any
    PROCTOR_OP_CHOWN,         // chown target to uid `device >> 32`, gid `device & 0xffffffff`
} proctor_op_kind_t;

typedef struct {
    int kind;
    const char *source;
    const char *target;
    const char *data;
    unsigned int mode;
    unsigned long long device;
} proctor_mount_op_t;

typedef struct {
    int resource;
    rlim_t soft;
    rlim_t hard;
} proctor_rlimit_t;

/// What the sandbox's init (pid 1) needs.
typedef struct {
    int clone_flags;              // CLONE_NEWPID | CLONE_NEWNS | ... (no SIGCHLD)
    const char *root;             // an empty host folder: the new root's tmpfs goes on it (in the new mount ns only)
    const char *root_data;        // tmpfs options of the new root
    const proctor_mount_op_t *ops;
    int op_count;
    const char *hostname;
    int loopback_up;              // bring lo up (a fresh net namespace has it down)
    int lifeline_fd;              // read end: EOF means the runner died, and init leaves
    uid_t uid;                    // init drops to these once the root is built
    gid_t gid;
    int cap_last;
    int root_writable;            // leave the new root writable (an image's overlay) instead of read-only
} proctor_init_spec_t;

/// What one exec needs.
typedef struct {
    int ns_pidfd;                 // pidfd of the sandbox's init: setns target
    int ns_flags;                 // namespaces to join
    const char *cwd;
    const char *const *argv;
    const char *const *envp;
    const char *search_path;      // PATH used when argv[0] has no slash
    char *path_buffer;            // scratch space for PATH search (PATH_MAX + name)
    size_t path_buffer_size;
    int stdin_fd, stdout_fd, stderr_fd;   // all >= 3, duplicated onto 0, 1, 2
    uid_t uid;
    gid_t gid;
    const proctor_rlimit_t *rlimits;
    int rlimit_count;
    int cap_last;
    const void *seccomp_filter;   // struct sock_filter array (BPF), or NULL
    unsigned short seccomp_length;
    unsigned long long keep_caps; // capabilities left in the bounding set (bit n: capability n); 0 for
                                  // every sandboxed program. Only an image-building step (uid 0) has any.
} proctor_exec_spec_t;

/// The outcome of a spawn: either a pid, or which step failed and why.
typedef struct {
    pid_t pid;
    int step;
    int error;
    int op_index;                 // the root-building op that failed, or -1
    int layer_fd;                 // init's fd on the writable layer's folder (PROCTOR_OP_OVERLAY), or -1
} proctor_spawn_result_t;

/// Starts the sandbox's init: a child joins the given cgroups (writes "0" into each
/// cgroup.procs fd), then clones init into fresh namespaces as a child of the caller. In
/// two halves, so that the caller can work while init builds its root: `start` returns once
/// init exists (its namespaces made; it works on a copy of the caller's memory, so the spec
/// may go), `wait` once it has built its root (or failed, with the step). Every started
/// spawn must be waited for.
typedef struct {
    int read_fd;                  // the spawn's message pipe, -1 when the start failed
    pid_t middle;
    proctor_spawn_result_t result; // the start's failure, if any
} proctor_spawn_pending_t;

proctor_spawn_pending_t proctor_spawn_init_start(const proctor_init_spec_t *spec,
                                                 const int *cgroup_fds, int cgroup_fd_count);
proctor_spawn_result_t proctor_spawn_init_wait(proctor_spawn_pending_t *pending);

/// Starts one process inside a running sandbox, as a child of the caller. Returns once
/// execve succeeded (or failed, with the step).
proctor_spawn_result_t proctor_spawn_exec(const proctor_exec_spec_t *spec,
                                          const int *cgroup_fds, int cgroup_fd_count);

/// Namespace flags (sched.h hides them without _GNU_SOURCE, which Swift's Glibc lacks).
enum {
    PROCTOR_CLONE_NEWNS = 0x00020000,
    PROCTOR_CLONE_NEWCGROUP = 0x02000000,
    PROCTOR_CLONE_NEWUTS = 0x04000000,
    PROCTOR_CLONE_NEWIPC = 0x08000000,
    PROCTOR_CLONE_NEWUSER = 0x10000000,
    PROCTOR_CLONE_NEWPID = 0x20000000,
    PROCTOR_CLONE_NEWNET = 0x40000000,
};

/// pipe2 with O_CLOEXEC (a _GNU_SOURCE function).
int proctor_pipe_cloexec(int fds[2]);

/// A pidfd for a child of ours, or -1 with errno.
int proctor_pidfd_open(pid_t pid);
/// SIGKILL to the process behind a pidfd (no pid-reuse race).
int proctor_pidfd_kill(int pidfd);

/// Waits for a child through its pidfd; fills the raw wait status. Retries on EINTR.
int proctor_wait_pidfd(int pidfd, int *exit_code, int *signal_number);

/// 1 when the process behind the pidfd has ended (the pidfd polls readable), 0 while it
/// runs, -1 with errno. Never blocks.
int proctor_pidfd_exited(int pidfd);

/// openat2 with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV: `path` is
/// resolved as if `root_fd` were "/", so no symlink or ".." leaves it. openat2's EAGAIN
/// (a rename raced the walk) is retried a bounded number of times: with O_NONBLOCK, EAGAIN
/// also means "a lease holder would make this open wait", which must come back at once.
int proctor_open_in_root(int root_fd, const char *path, int flags, unsigned int mode);

/// openat2 with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS: `path` (relative) must resolve
/// beneath `dir_fd`; an absolute path, a ".." or a symlink that leaves it fails with EXDEV.
/// Without openat2: an O_NOFOLLOW walk that refuses every symlink and "..".
int proctor_open_beneath(int dir_fd, const char *path, int flags, unsigned int mode);

/// Writes a BPF filter exported by libseccomp into a buffer (export goes through a memfd).
/// Returns the number of bytes, or -errno.
long proctor_memfd_create(const char *name);

/// Removes every SysV IPC object and POSIX message queue of a sandbox's IPC namespace
/// (from a forked child that joins it). 0 on success.
int proctor_clear_ipc(int ns_pidfd);

/// Copies every extended attribute of the file open at `fd` to `path` (not following a
/// symlink): an overlayfs layer's "opaque" marks, file capabilities. Returns how many, or -1.
int proctor_copy_xattrs(int fd, const char *path);
/// lgetxattr and lsetxattr (overlayfs's "trusted.overlay.opaque" on OCI export and import).
int proctor_get_xattr(const char *path, const char *name, char *value, size_t size);
int proctor_set_xattr(const char *path, const char *name, const char *value, size_t size);
/// The highest capability number this kernel knows.
int proctor_cap_last(void);

#ifdef __cplusplus
}
#endif
#endif
