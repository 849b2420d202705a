# Right, but it spends 1.3 s of CPU first: TLE with the 1 s limit, AC with the margin (2 s).
import time
n = int(input())
while time.process_time() < 1.3:
    pass
print(n / 2)
