def add(a, b):
    return a + b


def mean(xs):
    if not xs:
        raise ValueError("mean of nothing")
    return sum(xs) / len(xs)


def factorial(n):
    out = 1
    for i in range(2, n + 1):
        out *= i
    return out
