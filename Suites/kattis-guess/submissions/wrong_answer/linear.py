# Wrong answer: guesses 1, 2, 3, ... and runs out of questions.
n = int(input())
for guess in range(1, n + 1):
    print(guess, flush=True)
    if input().strip() == "=":
        break
