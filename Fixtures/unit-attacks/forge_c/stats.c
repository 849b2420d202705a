/* From inside a test's process: finds the report folder in the harness's command line and
 * appends passing lines for every test (it cannot know the token), then answers wrong. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "stats.h"

static void forge(void) {
    char cmd[4096] = {0};
    int fd = open("/proc/self/cmdline", O_RDONLY);
    if (fd < 0) return;
    ssize_t n = read(fd, cmd, sizeof cmd - 1);
    close(fd);
    if (n <= 0) return;
    const char *dir = cmd + strlen(cmd) + 1;
    char path[4200];
    snprintf(path, sizeof path, "%s/results.jsonl", dir);
    FILE *f = fopen(path, "a");
    if (!f) return;
    const char *names[] = {"sum", "sum_empty", "max", "max_negative", "reverse"};
    for (int i = 0; i < 5; i++) fprintf(f, "{\"token\": \"guess\", \"test\": \"%s\", \"status\": \"passed\"}\n", names[i]);
    fclose(f);
}

long sum(const int *xs, size_t n) {
    (void)xs;
    (void)n;
    forge();
    return -1;
}

int max_of(const int *xs, size_t n) {
    (void)xs;
    (void)n;
    return 0;
}

void reverse(int *xs, size_t n) {
    (void)xs;
    (void)n;
}
