/* A plain C test harness speaking Proctor's JSON lines (Suites/README.md, kind unit).
 *
 *   #include "proctor_unit.h"
 *   static void test_sum(void) { PU_CHECK(sum(a, 3) == 6); }
 *   int main(int argc, char **argv) {
 *       pu_test("sum", test_sum, 2.0, "visible");
 *       return pu_run(argc, argv);   // argv[1]: the report folder Proctor made ({dir})
 *   }
 *
 * Each test runs in a child process of its own, so a crash, a loop (a per-test time limit,
 * PU_TIMEOUT seconds) or a flood of output is that test's failure alone. The student's code
 * runs only in those children, which hold neither the report file nor the run's token
 * (wiped before the test starts; the parent is not dumpable, so /proc/PARENT/mem is closed):
 * only the parent writes results, each line carrying the token. */
#ifndef PROCTOR_UNIT_H
#define PROCTOR_UNIT_H
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef PU_TIMEOUT
#define PU_TIMEOUT 2
#endif
#define PU_MAX 256

/* Fails the running test with a message (it runs in the test's own process). */
#define PU_CHECK(cond)                                                                  \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
            fflush(stderr);                                                             \
            _exit(1);                                                                   \
        }                                                                               \
    } while (0)

struct pu_case { const char *name; void (*fn)(void); double weight; const char *visibility; };
static struct pu_case pu_cases[PU_MAX];
static int pu_count;
static char pu_token[128];

static void pu_test(const char *name, void (*fn)(void), double weight, const char *visibility) {
    if (pu_count < PU_MAX) pu_cases[pu_count++] = (struct pu_case){name, fn, weight, visibility};
}

/* Appends s to out as a JSON string body (quotes, backslashes and controls escaped). */
static size_t pu_escape(char *out, size_t cap, const char *s, size_t n) {
    size_t k = 0;
    for (size_t i = 0; i < n && k + 7 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') { out[k++] = '\\'; out[k++] = (char)c; }
        else if (c < 0x20 || c >= 0x7f) k += (size_t)snprintf(out + k, cap - k, "\\u%04x", c);
        else out[k++] = (char)c;
    }
    out[k] = 0;
    return k;
}

static void pu_line(int fd, const char *fields) {
    char line[8192];
    int n = snprintf(line, sizeof line, "{\"token\": \"%s\", %s}\n", pu_token, fields);
    if (n > 0) (void)!write(fd, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
    memset(line, 0, sizeof line);
}

static int pu_run(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s REPORT_DIR\n", argv[0]); return 2; }
    prctl(PR_SET_DUMPABLE, 0);
    char path[4096];
    snprintf(path, sizeof path, "%s/token", argv[1]);
    int tfd = open(path, O_RDONLY | O_CLOEXEC);
    if (tfd < 0) { perror("token"); return 2; }
    ssize_t t = read(tfd, pu_token, sizeof pu_token - 1);
    close(tfd);
    unlink(path);
    if (t <= 0) return 2;
    pu_token[t] = 0;
    pu_token[strcspn(pu_token, "\r\n")] = 0;
    snprintf(path, sizeof path, "%s/results.jsonl", argv[1]);
    int report = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (report < 0) { perror("report"); return 2; }
    int failures = 0;
    for (int i = 0; i < pu_count; i++) {
        struct pu_case *c = &pu_cases[i];
        char name[1024], fields[8192], message[2048] = "", escaped[4096];
        pu_escape(name, sizeof name, c->name, strlen(c->name));
        snprintf(fields, sizeof fields, "\"event\": \"start\", \"test\": \"%s\"", name);
        pu_line(report, fields);
        int err[2];
        if (pipe2(err, O_CLOEXEC) != 0) return 2;
        struct timespec start, end;
        clock_gettime(CLOCK_MONOTONIC, &start);
        pid_t pid = fork();
        if (pid == 0) {
            /* The student's code runs here: no report, no token, output away from the run's. */
            memset(pu_token, 0, sizeof pu_token);
            close(report);
            int null = open("/dev/null", O_WRONLY);
            dup2(null, 1);
            dup2(err[1], 2);
            setpgid(0, 0);
            c->fn();
            fflush(NULL);
            _exit(0);
        }
        close(err[1]);
        size_t kept = 0;
        int timed_out = 0;
        struct pollfd p = {err[0], POLLIN, 0};
        for (;;) {
            clock_gettime(CLOCK_MONOTONIC, &end);
            double spent = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
            int left = (int)((PU_TIMEOUT - spent) * 1000);
            if (left <= 0) { timed_out = 1; break; }
            if (poll(&p, 1, left) <= 0) continue;
            char chunk[4096];
            ssize_t n = read(err[0], chunk, sizeof chunk);
            if (n <= 0) break;
            size_t room = sizeof message - 1 - kept;
            size_t take = (size_t)n < room ? (size_t)n : room;
            memcpy(message + kept, chunk, take);
            kept += take;
        }
        close(err[0]);
        if (timed_out) { kill(-pid, SIGKILL); kill(pid, SIGKILL); }
        int status = 0;
        waitpid(pid, &status, 0);
        kill(-pid, SIGKILL);
        clock_gettime(CLOCK_MONOTONIC, &end);
        double time = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
        const char *verdict = "passed";
        if (timed_out) {
            verdict = "failed";
            snprintf(message, sizeof message, "timed out after %d s", PU_TIMEOUT);
            kept = strlen(message);
        } else if (WIFSIGNALED(status)) {
            verdict = "error";
            kept += (size_t)snprintf(message + kept, sizeof message - kept, "killed by signal %d (%s)", WTERMSIG(status),
                                     strsignal(WTERMSIG(status)));
            if (kept >= sizeof message) kept = sizeof message - 1;
        } else if (WEXITSTATUS(status) != 0) {
            verdict = "failed";
        } else {
            kept = 0;
        }
        if (strcmp(verdict, "passed") != 0) failures++;
        pu_escape(escaped, sizeof escaped, message, kept);
        snprintf(fields, sizeof fields,
                 "\"test\": \"%s\", \"status\": \"%s\", \"time\": %.6f, \"weight\": %g, \"visibility\": \"%s\", \"message\": \"%s\"",
                 name, verdict, time, c->weight, c->visibility ? c->visibility : "visible", escaped);
        pu_line(report, fields);
    }
    pu_line(report, "\"event\": \"end\"");
    close(report);
    printf("%d passed, %d failed\n", pu_count - failures, failures);
    return failures ? 1 : 0;
}
#endif
