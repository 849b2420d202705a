# Run-time error: aborts after its first guess (SIGABRT: no clean shutdown that would
# close stdout, and so end the interactor, before the process is gone).
import os

n = int(input())
print(n // 2, flush=True)
input()
os.abort()
