// Attacks on the sandbox, one per subcommand. Each prints one line:
//   "blocked <errno name>" when the attempt failed as it should,
//   "ESCAPED ..." when it succeeded (a test failure).
// Built by the tests with gcc; run inside a sandbox.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

static int report(long rc, const char *what) {
    if (rc < 0) {
        printf("blocked %s\n", strerrorname_np(errno));
        return 0;
    }
    printf("ESCAPED %s\n", what);
    return 1;
}

static int try_socket(int family, int type, const char *what) {
    return report(socket(family, type, 0), what);
}

static int tcp_connect(const char *ip, int port) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) return report(-1, "");
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, ip, &a.sin_addr);
    return report(connect(s, (struct sockaddr *)&a, sizeof a), "tcp connect");
}

static int udp_send(const char *ip, int port) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0) return report(-1, "");
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, ip, &a.sin_addr);
    return report(sendto(s, "x", 1, 0, (struct sockaddr *)&a, sizeof a), "udp send");
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    const char *a = argv[1];
    if (!strcmp(a, "ptrace")) {
        pid_t child = fork();
        if (child == 0) { pause(); _exit(0); }
        int r = report(ptrace(PTRACE_ATTACH, child, 0, 0), "ptrace attach");
        kill(child, SIGKILL);
        return r;
    }
    if (!strcmp(a, "traceme")) return report(ptrace(PTRACE_TRACEME, 0, 0, 0), "ptrace traceme");
    if (!strcmp(a, "bpf")) {
        union bpf_attr attr;
        memset(&attr, 0, sizeof attr);
        attr.map_type = BPF_MAP_TYPE_ARRAY;
        attr.key_size = 4; attr.value_size = 4; attr.max_entries = 1;
        return report(syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof attr), "bpf map");
    }
    if (!strcmp(a, "perf")) {
        struct perf_event_attr pe;
        memset(&pe, 0, sizeof pe);
        pe.type = PERF_TYPE_SOFTWARE; pe.size = sizeof pe; pe.config = PERF_COUNT_SW_CPU_CLOCK;
        return report(syscall(SYS_perf_event_open, &pe, 0, -1, -1, 0), "perf_event_open");
    }
    if (!strcmp(a, "keyctl")) return report(syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */, -3, 0), "keyctl");
    if (!strcmp(a, "add_key")) return report(syscall(SYS_add_key, "user", "k", "v", 1, -3), "add_key");
    if (!strcmp(a, "io_uring")) {
        struct io_uring_params p;
        memset(&p, 0, sizeof p);
        return report(syscall(SYS_io_uring_setup, 4, &p), "io_uring_setup");
    }
    if (!strcmp(a, "mount")) return report(mount("none", "/tmp", "tmpfs", 0, NULL), "mount");
    if (!strcmp(a, "umount")) return report(umount2("/proc", MNT_DETACH), "umount");
    if (!strcmp(a, "unshare")) return report(unshare(CLONE_NEWUSER), "unshare user");
    if (!strcmp(a, "unshare-net")) return report(unshare(CLONE_NEWNET), "unshare net");
    if (!strcmp(a, "setns")) {
        int fd = open("/proc/1/ns/mnt", O_RDONLY);
        if (fd < 0) return report(-1, "");
        return report(setns(fd, 0), "setns");
    }
    if (!strcmp(a, "clone-newuser")) {
        long r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
        if (r == 0) _exit(0);
        if (r > 0) waitpid(r, NULL, 0);
        return report(r, "clone(CLONE_NEWUSER)");
    }
    if (!strcmp(a, "clone3")) {
        struct { unsigned long long flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls; } args;
        memset(&args, 0, sizeof args);
        args.flags = CLONE_NEWUSER;
        args.exit_signal = SIGCHLD;
        long r = syscall(SYS_clone3, &args, sizeof args);
        if (r == 0) _exit(0);
        if (r > 0) waitpid(r, NULL, 0);
        return report(r, "clone3(CLONE_NEWUSER)");
    }
    if (!strcmp(a, "sethostname")) return report(sethostname("evil", 4), "sethostname");
    if (!strcmp(a, "tiocsti")) {
        char c = 'x';
        int fd = open("/dev/tty", O_RDWR);
        long r = ioctl(fd >= 0 ? fd : 0, TIOCSTI, &c);
        return report(r, "TIOCSTI");
    }
    if (!strcmp(a, "int80")) {
        // i386 getpid through int 0x80: a foreign ABI; expected to kill the process.
        long r;
        __asm__ volatile("int $0x80" : "=a"(r) : "a"(20) : "memory");
        printf("ESCAPED int80 returned %ld\n", r);
        return 1;
    }
    if (!strcmp(a, "x32")) {
        long r = syscall(39 | 0x40000000 /* x32 getpid */);
        printf("ESCAPED x32 returned %ld\n", r);
        return 1;
    }
    if (!strcmp(a, "raw")) return try_socket(AF_INET, SOCK_RAW, "raw socket");
    if (!strcmp(a, "packet")) return try_socket(AF_PACKET, SOCK_RAW, "packet socket");
    if (!strcmp(a, "vsock")) return try_socket(40 /* AF_VSOCK */, SOCK_STREAM, "vsock socket");
    if (!strcmp(a, "alg")) return try_socket(38 /* AF_ALG */, SOCK_SEQPACKET, "alg socket");
    if (!strcmp(a, "netlink")) return try_socket(AF_NETLINK, SOCK_RAW, "netlink socket");
    if (!strcmp(a, "tcp") && argc == 4) return tcp_connect(argv[2], atoi(argv[3]));
    if (!strcmp(a, "udp") && argc == 4) return udp_send(argv[2], atoi(argv[3]));
    if (!strcmp(a, "kill-all")) {
        report(kill(-1, SIGKILL), "kill(-1)");
        return 0;
    }
    if (!strcmp(a, "caps")) {
        // Prints the capability sets: all must be zero.
        FILE *f = fopen("/proc/self/status", "r");
        char line[256];
        while (f && fgets(line, sizeof line, f))
            if (!strncmp(line, "Cap", 3) || !strncmp(line, "NoNewPrivs", 10) || !strncmp(line, "Seccomp:", 8)) fputs(line, stdout);
        return 0;
    }
    if (!strcmp(a, "fds")) {
        // Lists open fds above 2: there must be none.
        for (int fd = 3; fd < 1024; fd++)
            if (fcntl(fd, F_GETFD) >= 0) printf("open fd %d\n", fd);
        printf("done\n");
        return 0;
    }
    if (!strcmp(a, "chroot")) return report(chroot("/tmp"), "chroot");
    if (!strcmp(a, "proc1root")) {
        int fd = open("/proc/1/root/etc/shadow", O_RDONLY);
        return report(fd, "open /proc/1/root/etc/shadow");
    }
    fprintf(stderr, "unknown attack %s\n", a);
    return 2;
}
