a, b = map(int, open(0).read().split())
while True:
    a += 1
