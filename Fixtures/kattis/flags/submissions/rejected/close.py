n = int(input())
print(round(n / 2 + 0.04, 2))
