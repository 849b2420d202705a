p, x = map(int, input().split())
print(p * x)
