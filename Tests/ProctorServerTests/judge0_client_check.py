"""Drives a running Proctor server with Judge0's official Python client (PyPI: judge0).

Usage: judge0_client_check.py ENDPOINT TOKEN. Exits non-zero on the first mismatch.
"""
import sys

import judge0

endpoint, token = sys.argv[1], sys.argv[2]
client = judge0.Client(endpoint, headers={"X-Auth-Token": token})

assert client.version == "1.13.1", client.version
assert any(l.id == 71 for l in client.languages), client.languages
assert client.config.max_cpu_time_limit == 10  # Judge0's 15 s, lowered to the server's CPU cap
statuses = client.get_statuses()
assert [s["id"] for s in statuses] == list(range(1, 15)), statuses
assert client.get_language(71).name.startswith("Python")

r = judge0.run(client=client, source_code="print(input()[::-1])", stdin="proctor", language=judge0.PYTHON)
assert r.status == judge0.Status.ACCEPTED, r.status
assert r.stdout == "rotcorp\n", repr(r.stdout)
assert float(r.time) >= 0 and r.memory > 0

# Test cases: one batch, compared with expected_output the Judge0 way.
results = judge0.run(client=client, source_code="a, b = map(int, input().split())\nprint(a + b)",
                     language=judge0.PYTHON, test_cases=[("1 2", "3"), ("2 2", "5")])
assert [s.status for s in results] == [judge0.Status.ACCEPTED, judge0.Status.WRONG_ANSWER], [s.status for s in results]

r = judge0.run(client=client, source_code="int main() { return x; }", language=judge0.C)
assert r.status == judge0.Status.COMPILATION_ERROR, r.status
assert "x" in (r.compile_output or "")

r = judge0.run(client=client, source_code="#include <stdio.h>\nint main(){int *p = 0; return *p;}", language=judge0.C)
assert r.status == judge0.Status.RUNTIME_ERROR_SIGSEGV, r.status

r = judge0.run(client=client, source_code="import sys\nsys.exit(3)", language=judge0.PYTHON)
assert r.status == judge0.Status.RUNTIME_ERROR_NZEC and r.exit_code == 3, (r.status, r.exit_code)

r = judge0.run(client=client, source_code="while True: pass", language=judge0.PYTHON, cpu_time_limit=0.5)
assert r.status == judge0.Status.TIME_LIMIT_EXCEEDED, r.status

print("judge0 client: ok")
