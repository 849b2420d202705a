// Accepts any two positive integers that add up to n (read from the input file).
#include "validate.h"
int main(int argc, char **argv) {
    init_io(argc, argv);
    FILE *in = std::fopen(argv[1], "r");
    long n = 0, a = 0, b = 0;
    if (!in || std::fscanf(in, "%ld", &n) != 1) return 1;
    if (std::scanf("%ld %ld", &a, &b) != 2) wrong("two integers expected");
    if (a <= 0 || b <= 0) wrong("both parts must be positive");
    if (a + b != n) wrong("the parts do not add up to n");
    char extra[2];
    if (std::scanf("%1s", extra) == 1) wrong("trailing output");
    accept();
}
