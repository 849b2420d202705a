#include "stats.h"

long sum(const int *xs, size_t n) {
    long s = 0;
    for (size_t i = 0; i < n; i++) s += xs[i];
    return s;
}

int max_of(const int *xs, size_t n) {
    int m = xs[0];
    for (size_t i = 1; i < n; i++)
        if (xs[i] > m) m = xs[i];
    return m;
}

void reverse(int *xs, size_t n) {
    for (size_t i = 0; i < n / 2; i++) {
        int t = xs[i];
        xs[i] = xs[n - 1 - i];
        xs[n - 1 - i] = t;
    }
}
