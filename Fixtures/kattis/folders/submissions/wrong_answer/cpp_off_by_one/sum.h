#pragma once
#include <vector>
long long sum(const std::vector<long long> &xs);
