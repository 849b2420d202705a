# Right in pass 1 (p * x = x), wrong in pass 2.
p, x = map(int, input().split())
print(x)
