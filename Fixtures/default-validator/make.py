#!/usr/bin/env python3
"""Makes cases.jsonl: answer/output pairs judged by problemtools' default output validator.

Usage: make.py VALIDATOR [SEEDS]   VALIDATOR: support/default_validator/default_validator.cc
of Kattis/problemtools compiled (g++ -O2), run as problemtools runs it
(`VALIDATOR judge_in judge_ans feedback_dir FLAGS < user_output`; exit 42 AC, 43 WA).

Each case: the validator's flags, the answer and the output (base64: any bytes), and the
verdict the validator gave. Tokens are chosen where judges disagree: signs, leading zeros,
exponents, hex floats, inf/nan, overflow to infinity, denormals, non-ASCII letters under
case-insensitive comparison, every C whitespace byte (\\t \\n \\v \\f \\r). No NUL: Proctor
ends no token at a NUL (a documented difference from problemtools).
"""
import base64, json, os, random, subprocess, sys, tempfile

validator = sys.argv[1]
seeds = range(1, 1 + int(sys.argv[2] if len(sys.argv) > 2 else 2))
toks = ["1", "-1", "+1", "0", "-0", "00", "1.0", "1.", "0.5", ".5", "1e5", "1E5", "1e-5", "1e400", "-1e400", "inf",
        "-inf", "nan", "NaN", "Infinity", "0x10", "0x1p3", "1,5", "3.14159", "3.141593", "2.718281828", "1e-7",
        "1.0000001", "abc", "ABC", "Abc", "hello", "HELLO", "x", "\xe9", "\xc9", "\xe4", "\xff", "1a", "a1", "--1",
        "1e", "e5", "0x", "+", "-", ".", "1.5e+3", "1500", "1500.0000001", "99999999999999999999", "1e-320"]
ws = [" ", "  ", "\t", "\n", "\r\n", "\r", "\v", "\f", " \n", "\n\n"]
configs = [[], ["case_sensitive"], ["space_change_sensitive"], ["float_tolerance", "1e-6"],
           ["float_absolute_tolerance", "0.5", "float_relative_tolerance", "1e-3"]]


def line(n):
    out = random.choice(["", " ", "\n"]) if random.random() < 0.2 else ""
    for i in range(n):
        out += random.choice(toks)
        out += random.choice(ws) if i < n - 1 else random.choice(["", "\n", " \n", "\n\n", "\r\n"])
    return out


def mutate(s):
    r = random.random()
    if r < 0.15:
        return s
    if r < 0.3:
        b = s.encode("latin-1")
        return (b.upper() if random.random() < .5 else b.lower()).decode("latin-1")
    if r < 0.45:
        return s.replace(" ", random.choice(["  ", "\t", "\n", " "]), 1)
    if r < 0.6:
        parts = s.split(" ")
        i = random.randrange(len(parts))
        try:
            v = float(parts[i])
            parts[i] = repr(v * (1 + random.choice([1e-9, 1e-7, 1e-5, 1e-3, 0.1]))) if random.random() < .5 \
                else repr(v + random.choice([1e-9, 1e-6, 0.4, 0.6]))
        except ValueError:
            pass
        return " ".join(parts)
    if r < 0.7:
        return s + random.choice(toks)
    if r < 0.8:
        return s.rstrip()
    if r < 0.9:
        return random.choice(toks) + " " + s
    return line(random.randint(0, 4))


cases = []
with tempfile.TemporaryDirectory() as tmp:
    ans_path = os.path.join(tmp, "ans")
    for seed in seeds:
        random.seed(seed)
        for flags in configs:
            for _ in range(150):
                ans = line(random.randint(0, 5)).encode("latin-1")
                out = mutate(ans.decode("latin-1")).encode("latin-1")
                with open(ans_path, "wb") as f:
                    f.write(ans)
                rc = subprocess.run([validator, "/dev/null", ans_path, tmp] + flags, input=out,
                                    capture_output=True).returncode
                if rc not in (42, 43):
                    sys.exit(f"validator exit {rc} on {ans!r} / {out!r}")
                cases.append({"flags": flags, "answer": base64.b64encode(ans).decode(),
                              "output": base64.b64encode(out).decode(), "verdict": "AC" if rc == 42 else "WA"})
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases.jsonl"), "w") as f:
    for c in cases:
        f.write(json.dumps(c, sort_keys=True) + "\n")
print(len(cases), "cases,", sum(c["verdict"] == "AC" for c in cases), "AC")
