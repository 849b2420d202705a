#include <stdio.h>
int main(void) {
    long long n, lo = 1, hi;
    char reply[4];
    if (scanf("%lld", &n) != 1) return 1;
    hi = n;
    for (;;) {
        long long mid = lo + (hi - lo) / 2;
        printf("%lld\n", mid);
        fflush(stdout);
        if (scanf("%3s", reply) != 1) return 1;
        if (reply[0] == '=') return 0;
        if (reply[0] == '<') hi = mid - 1; else lo = mid + 1;
    }
}
