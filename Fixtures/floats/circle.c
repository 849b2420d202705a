#include <math.h>
#include <stdio.h>
int main(void) {
    double r;
    scanf("%lf", &r);
    printf("%.12e\n", M_PI * r * r);
    return 0;
}
