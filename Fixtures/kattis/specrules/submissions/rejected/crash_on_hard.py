n = int(input())
if n > 1000:
    raise SystemExit("too big")
print(n * (n + 1) // 2)
