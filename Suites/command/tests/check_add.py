import sys
from solution import add

cases = {
    "small": [((1, 2), 3), ((0, 0), 0)],
    "negative": [((-1, -2), -3), ((5, -7), -2)],
    "large": [((10**18, 10**18), 2 * 10**18)],
}
for args, expected in cases[sys.argv[1]]:
    got = add(*args)
    assert got == expected, f"add{args} = {got!r}, expected {expected!r}"
