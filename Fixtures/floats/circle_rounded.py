# Wrong answer: two decimals are not within 1e-6.
import math
r = float(input())
print(f"{math.pi * r * r:.2f}")
