// Opening host files beneath a folder (suites, problem packages, uploads): the loaders'
// one way to touch a file they were told about, so a path in a hostile suite can never
// name a file outside its folder.
#include "CSandbox.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

// Without openat2 (Linux < 5.6, or a filter that hides it): walk the components with
// O_NOFOLLOW, refusing every symlink and every "..". Stricter than RESOLVE_BENEATH
// (a symlink that stays inside is refused too), never looser.
static int walk_nofollow(int dir_fd, const char *path, int flags, unsigned int mode) {
    char buf[4096];
    size_t len = strlen(path);
    if (len == 0 || len >= sizeof buf || path[0] == '/') { errno = len ? EXDEV : ENOENT; return -1; }
    memcpy(buf, path, len + 1);
    int cur = dir_fd;
    char *save = NULL;
    char *part = strtok_r(buf, "/", &save);
    while (part) {
        char *next = strtok_r(NULL, "/", &save);
        if (strcmp(part, "..") == 0) {
            if (cur != dir_fd) close(cur);
            errno = EXDEV;
            return -1;
        }
        int fd = next ? openat(cur, part, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                      : openat(cur, part, flags | O_NOFOLLOW | O_CLOEXEC, (mode_t)mode);
        int saved = errno;
        if (cur != dir_fd) close(cur);
        if (fd < 0) { errno = saved; return -1; }
        if (!next) return fd;
        cur = fd;
        part = next;
    }
    // Only slashes or dots: the folder itself.
    return openat(dir_fd, ".", flags | O_CLOEXEC, (mode_t)mode);
}

int proctor_open_beneath(int dir_fd, const char *path, int flags, unsigned int mode) {
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (unsigned long long)(flags | O_CLOEXEC);
    how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    for (;;) {
        long r = syscall(SYS_openat2, dir_fd, path, &how, sizeof how);
        if (r >= 0) return (int)r;
        if (errno == EAGAIN || errno == EINTR) continue;
        if (errno == ENOSYS || errno == EPERM) return walk_nofollow(dir_fd, path, flags, mode);
        return -1;
    }
}
