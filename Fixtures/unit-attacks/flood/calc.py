import os


def add(a, b):
    for i in range(1_000_000):
        print("captured line", i)
    os.write(1, b"uncaptured line\n" * 1_000_000)
    return a + b


def mean(xs):
    if not xs:
        raise ValueError("empty")
    return sum(xs) / len(xs)


def factorial(n):
    return 1 if n < 2 else n * factorial(n - 1)
