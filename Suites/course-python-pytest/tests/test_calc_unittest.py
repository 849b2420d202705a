"""Lab 1's tests written as unittest classes with gradescope-utils' decorators (defined here,
as gradescope_utils.autograder_utils.decorators does, so the example needs no package):
pytest runs them, and Proctor reads each test's __weight__, __visibility__ and __number__."""
import unittest

import calc


def weight(w):
    def decorate(f):
        f.__weight__ = w
        return f

    return decorate


def visibility(v):
    def decorate(f):
        f.__visibility__ = v
        return f

    return decorate


def number(n):
    def decorate(f):
        f.__number__ = n
        return f

    return decorate


class TestCalc(unittest.TestCase):
    @weight(2)
    @number("1")
    def test_add(self):
        self.assertEqual(calc.add(2, 3), 5)

    @weight(3)
    @visibility("hidden")
    @number("2")
    def test_mean_empty(self):
        with self.assertRaises(ValueError):
            calc.mean([])
