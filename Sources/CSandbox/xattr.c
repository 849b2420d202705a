// Extended attributes for the image store's layer copies (sys/xattr.h is not in Swift's
// Glibc module).

#include "CSandbox.h"

#include <sys/xattr.h>

int proctor_copy_xattrs(int fd, const char *path) {
    char names[65536];
    static __thread char value[65536];
    ssize_t n = flistxattr(fd, names, sizeof names);
    if (n <= 0) return (int)n;
    int copied = 0;
    for (ssize_t start = 0; start < n;) {
        const char *name = names + start;
        size_t len = 0;
        while (start + (ssize_t)len < n && name[len]) len++;
        start += (ssize_t)len + 1;
        ssize_t size = fgetxattr(fd, name, value, sizeof value);
        if (size >= 0 && lsetxattr(path, name, value, (size_t)size, 0) == 0) copied++;
    }
    return copied;
}

int proctor_get_xattr(const char *path, const char *name, char *value, size_t size) {
    return (int)lgetxattr(path, name, value, size);
}

int proctor_set_xattr(const char *path, const char *name, const char *value, size_t size) {
    return lsetxattr(path, name, value, size, 0);
}
