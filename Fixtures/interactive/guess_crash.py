# Run-time error: crashes after its first guess.
n = int(input())
print(n // 2, flush=True)
input()
raise RuntimeError("gave up")
