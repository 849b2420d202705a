def add(a, b):
    # Wrong for negative numbers.
    return abs(a) + abs(b)
