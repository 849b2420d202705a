n = int(input())
print(n // 3, n - n // 3)
