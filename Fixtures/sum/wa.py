# Wrong answer: subtracts.
a, b = map(int, input().split())
print(a - b)
