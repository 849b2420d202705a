# One C++ file and one Python file: a tie, which C++ wins by problemtools' priority.
# This file is not valid Python, so the submission would fail if it were run as Python.
this is not python (
