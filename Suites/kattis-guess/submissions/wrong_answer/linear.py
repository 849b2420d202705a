# Wrong answer: guesses 1, 2, 3, ... and runs out of questions. It stops quietly when the
# interactor hangs up, so its verdict is the interactor's (WA), whatever the timing.
n = int(input())
try:
    for guess in range(1, n + 1):
        print(guess, flush=True)
        if input().strip() == "=":
            break
except (EOFError, BrokenPipeError):
    pass
