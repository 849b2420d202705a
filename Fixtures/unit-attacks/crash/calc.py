import ctypes


def add(a, b):
    return a + b


def mean(xs):
    if not xs:
        raise ValueError("empty")
    return sum(xs) / len(xs)


def factorial(n):
    ctypes.string_at(0)  # a segfault of the interpreter, pytest and all
