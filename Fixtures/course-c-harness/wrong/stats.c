/* Wrong: max starts at 0 (fails on all-negative input), reverse loops forever, and sum
 * crashes on an empty array (reads xs[0]). */
#include "stats.h"

long sum(const int *xs, size_t n) {
    long s = xs[0];
    for (size_t i = 1; i < n; i++) s += xs[i];
    return s;
}

int max_of(const int *xs, size_t n) {
    int m = 0;
    for (size_t i = 0; i < n; i++)
        if (xs[i] > m) m = xs[i];
    return m;
}

void reverse(int *xs, size_t n) {
    (void)xs;
    for (volatile size_t i = 0; i < n; i += 0) {
    }
}
