#include "sum.h"
long long sum(const std::vector<long long> &xs) {
    long long s = 0;
    for (long long x : xs) s += x;
    return s;
}
