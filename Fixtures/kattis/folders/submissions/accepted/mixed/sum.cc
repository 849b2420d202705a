#include <iostream>
int main() {
    long long n, x, s = 0;
    std::cin >> n;
    while (n-- > 0 && std::cin >> x) s += x;
    std::cout << s << "\n";
}
