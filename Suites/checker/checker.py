# Kattis output validator: checker input answer feedback_dir < output
# exit 42 accepted, 43 wrong answer; judgemessage.txt says why.
import sys

def verdict(code, message):
    with open(sys.argv[3] + "/judgemessage.txt", "w") as f:
        f.write(message + "\n")
    sys.exit(code)

n = int(open(sys.argv[1]).read())
tokens = sys.stdin.read().split()
if len(tokens) != 2:
    verdict(43, f"expected two integers, got {len(tokens)} tokens")
try:
    a, b = int(tokens[0]), int(tokens[1])
except ValueError:
    verdict(43, f"not integers: {tokens[0]!r} {tokens[1]!r}")
if a < 0 or b < 0:
    verdict(43, f"negative number: {a} {b}")
if a + b != n:
    verdict(43, f"{a} + {b} = {a + b}, not {n}")
verdict(42, f"{a} + {b} = {n}")
