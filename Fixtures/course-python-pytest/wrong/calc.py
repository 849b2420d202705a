# Two mistakes: the mean of an empty list is not refused, and factorial(0) is 0.
def add(a, b):
    return a + b


def mean(xs):
    return sum(xs) / len(xs) if xs else 0


def factorial(n):
    out = 1 if n > 0 else 0
    for i in range(2, n + 1):
        out *= i
    return out
