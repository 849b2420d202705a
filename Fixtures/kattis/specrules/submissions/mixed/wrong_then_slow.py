# Wrong on the easy cases (off by one), too slow on the hard one.
n = int(input())
total = 0
for i in range(n):
    total += i
print(total)
