# Kattis interactor: interactor input answer feedback_dir, wired to the solution:
# our stdout is its stdin, its stdout our stdin.
import sys

def done(code, message):
    with open(sys.argv[3] + "/judgemessage.txt", "w") as f:
        f.write(message + "\n")
    sys.exit(code)

n, secret = map(int, open(sys.argv[1]).read().split())
print(n, flush=True)
for question in range(1, 31):
    line = sys.stdin.readline()
    if not line:
        done(43, f"the solution stopped after {question - 1} questions")
    try:
        guess = int(line)
    except ValueError:
        done(43, f"not a number: {line.strip()!r}")
    if guess == secret:
        print("=", flush=True)
        done(42, f"found in {question} questions")
    print("<" if secret < guess else ">", flush=True)
done(43, "more than 30 questions")
