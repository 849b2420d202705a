#!/usr/bin/env bash
# Shards on one machine: a batch graded by one `proctor run`, then by N shards
# (`--shard I/N`) run side by side, then `proctor merge` of their parts. Prints the wall
# times and checks that the merged report has every result. Needs root (sandboxes).
# Usage: Benchmarks/shards/run.sh [SHARDS] [PROCTOR_BINARY] [JOBS_PER_SHARD]
# (JOBS_PER_SHARD: each shard's --jobs; default proctor's, one per core).
#
# The batch: 4 problems of 25 tests, 4 solutions (copies of one C program that counts
# primes, ~10-20 ms of CPU a test): 16 results, 400 tests.
set -euo pipefail
shards=${1:-2}
proctor=${2:-.build/debug/proctor}
shard_jobs=()
[ -n "${3:-}" ] && shard_jobs=(--jobs "$3")
work=$(mktemp -d /tmp/proctor-shards-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/data" "$work/parts"
for i in $(seq 1 25); do
    n=$((200000 + i * 4000))
    printf '%d\n' "$n" > "$work/data/$i.in"
    python3 -c "
import sys
n = $n
sieve = bytearray([1]) * (n + 1); sieve[0:2] = b'\0\0'
for i in range(2, int(n ** 0.5) + 1):
    if sieve[i]: sieve[i*i::i] = bytearray(len(sieve[i*i::i]))
print(sum(sieve))" > "$work/data/$i.ans"
done
{
    echo "version: 1"
    echo "name: shards-bench"
    echo "problems:"
    for p in 1 2 3 4; do
        printf '  - id: p%d\n    compare: tokens\n    limits: {time: 5s, memory: 64M}\n    tests:\n      - glob: data/*.in\n' "$p"
    done
} > "$work/suite.yaml"
cat > "$work/primes.c" <<'C'
#include <stdio.h>
int main(void) {
    int n, count = 0;
    if (scanf("%d", &n) != 1) return 1;
    for (int k = 2; k <= n; k++) {
        int prime = 1;
        for (int d = 2; d * d <= k; d++) if (k % d == 0) { prime = 0; break; }
        count += prime;
    }
    printf("%d\n", count);
    return 0;
}
C
solutions=()
for s in a b c d; do cp "$work/primes.c" "$work/$s.c"; solutions+=(--solution "$work/$s.c"); done

now() { date +%s.%N; }
t0=$(now)
"$proctor" run "$work/suite.yaml" "${solutions[@]}" --json "$work/whole.json" > /dev/null
t1=$(now)
pids=()
for i in $(seq 1 "$shards"); do
    "$proctor" run "$work/suite.yaml" "${solutions[@]}" "${shard_jobs[@]}" --shard "$i/$shards" \
        --json "$work/parts/$i.json" > /dev/null 2>&1 &
    pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
t2=$(now)
"$proctor" merge "$work"/parts/*.json --json "$work/merged.json" --junit "$work/merged.xml" > /dev/null
t3=$(now)
python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
whole, merged = (json.load(open(f"{w}/{n}.json")) for n in ("whole", "merged"))
strip = lambda d: [(r["problem"], r["submission"], r["verdict"], [t["verdict"] for t in r["tests"]]) for r in d["results"]]
assert strip(whole) == strip(merged), "merged results differ"
print(f"results: {len(merged['results'])}, tests: {merged['summary']['tests']}, accepted: {merged['summary']['accepted']}")
PY
cores=$(nproc)
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v n="$shards" -v k="$cores" -v j="${3:-default}" 'BEGIN {
    printf "%-42s %d\n", "cores:", k
    printf "%-42s %.2f s\n", "one proctor run (default jobs):", b - a
    printf "%-42s %.2f s\n", n " shards side by side (jobs each: " j "):", c - b
    printf "%-42s %.3f s\n", "proctor merge (JSON + JUnit):", d - c
}'
