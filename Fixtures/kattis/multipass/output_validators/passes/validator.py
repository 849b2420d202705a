import os
import sys

p, x = map(int, open(sys.argv[1]).read().split())
feedback = sys.argv[3]
try:
    got = int(sys.stdin.read().split()[0])
except (ValueError, IndexError):
    open(os.path.join(feedback, "judgemessage.txt"), "w").write("pass %d: no number" % p)
    sys.exit(43)
if got != p * x:
    open(os.path.join(feedback, "judgemessage.txt"), "w").write("pass %d: wanted %d, got %d" % (p, p * x, got))
    sys.exit(43)
if p == 1:
    open(os.path.join(feedback, "nextpass.in"), "w").write("2 %d\n" % x)
sys.exit(42)
