#!/usr/bin/env bash
# Proctor's main job for now: `proctor exec` on Fixtures programs, with limits.
set -euo pipefail
cd "$(dirname "$0")/.."
proctor=$(swift build --product proctor --show-bin-path)/proctor
if [ "$(id -u)" -ne 0 ]; then echo "demo: sandboxes need root" >&2; exit 1; fi

echo "== a program with a file and stdin, live"
echo "5" | "$proctor" exec --memory 64M --time 2s --file Fixtures/demo/fizzbuzz.py:fizzbuzz.py -- /usr/bin/python3 fizzbuzz.py

echo; echo "== the same, as JSON"
"$proctor" exec --json --file Fixtures/demo/fizzbuzz.py:fizzbuzz.py -- /bin/sh -c 'echo 3 | /usr/bin/python3 fizzbuzz.py'

echo; echo "== a memory bomb under --memory 64M"
"$proctor" exec --json --memory 64M -- /usr/bin/python3 -c 'a = []
while True: a.append(bytearray(1 << 20))'

echo; echo "== a fork bomb under --pids 32 and --wall-time 2s"
"$proctor" exec --json --pids 32 --wall-time 2s -- /bin/bash -c 'f() { f | f & }; f; sleep 5'

echo; echo "== an output flood under --output-limit 1M (stdout cut for the terminal)"
"$proctor" exec --json --output-limit 1M -- yes | cut -c1-160

echo; echo "== the network is blocked"
"$proctor" exec --json -- /usr/bin/python3 -c 'import socket; socket.create_connection(("1.1.1.1", 80), timeout=2)' | cut -c1-400
