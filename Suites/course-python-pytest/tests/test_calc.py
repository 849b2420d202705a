"""The instructor's tests for lab 1 (a calculator module, calc.py). Run by pytest in a
sandbox; the markers give weights and visibility when the suite does not list a test."""
import pytest

import calc


def test_add():
    assert calc.add(2, 3) == 5


def test_add_negative():
    assert calc.add(-2, -3) == -5


def test_mean():
    assert calc.mean([1, 2, 3, 4]) == 2.5


@pytest.mark.weight(2)
def test_mean_empty():
    with pytest.raises(ValueError):
        calc.mean([])


@pytest.mark.weight(3)
@pytest.mark.visibility("after_due_date")
@pytest.mark.parametrize("n, expected", [(0, 1), (1, 1), (5, 120)])
def test_factorial(n, expected):
    assert calc.factorial(n) == expected
