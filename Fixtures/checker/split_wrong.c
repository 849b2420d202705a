/* Wrong answer: off by one. */
#include <stdio.h>
int main(void) {
    long long n;
    scanf("%lld", &n);
    printf("%lld %lld\n", n / 2, n / 2 + 1);
    return 0;
}
