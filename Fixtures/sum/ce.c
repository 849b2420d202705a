/* Compile error: a missing semicolon and an undeclared name. */
#include <stdio.h>
int main(void) {
    long long a, b
    scanf("%lld %lld", &a, &b);
    printf("%lld\n", a + c);
}
