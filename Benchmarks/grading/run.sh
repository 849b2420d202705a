#!/usr/bin/env bash
# Proctor's grading overhead: a suite of N tiny tests (default 1000) against a C solution
# that echoes its input, graded by `proctor run`, and the same tests run by a plain shell
# loop with no sandbox. Prints both, the overhead per test, and the runner's peak RSS.
# Needs root (sandboxes). Usage: Benchmarks/grading/run.sh [N] [PROCTOR_BINARY]
set -euo pipefail
n=${1:-1000}
proctor=${2:-.build-grading/release/proctor}
work=$(mktemp -d /tmp/proctor-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/data"
for i in $(seq 1 "$n"); do
    printf '%d\n' "$i" > "$work/data/$i.in"
    cp "$work/data/$i.in" "$work/data/$i.ans"
done
cat > "$work/suite.yaml" <<YAML
version: 1
name: bench
problems:
  - id: echo
    compare: exact
    limits: {time: 1s, memory: 64M}
    tests:
      - glob: data/*.in
YAML
cat > "$work/echo.c" <<'C'
#include <stdio.h>
int main(void) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) fwrite(buf, 1, n, stdout);
    return 0;
}
C
gcc -O2 -o "$work/echo" "$work/echo.c"

start=$(date +%s.%N)
for i in $(seq 1 "$n"); do
    "$work/echo" < "$work/data/$i.in" > "$work/out"
    cmp -s "$work/out" "$work/data/$i.ans" || echo "loop: test $i differs"
done
loop=$(echo "$(date +%s.%N) - $start" | bc)

# One test at a time (the shell loop's terms), then one per core (the default).
start=$(date +%s.%N)
"$proctor" run "$work/suite.yaml" --solution "$work/echo.c" --jobs 1 --json "$work/serial.json" > /dev/null || echo "jobs 1: not all AC"
serial=$(echo "$(date +%s.%N) - $start" | bc)

start=$(date +%s.%N)
/usr/bin/time -f "%M" -o "$work/rss" "$proctor" run "$work/suite.yaml" --solution "$work/echo.c" --json "$work/report.json" > "$work/summary" || true
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); [print(\"not AC:\", t[\"name\"], t[\"verdict\"], t[\"message\"]) for x in r[\"results\"] for t in x[\"tests\"] if t[\"verdict\"] != \"AC\"]" "$work/report.json"
graded=$(echo "$(date +%s.%N) - $start" | bc)
tail -1 "$work/summary"
solution=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(sum(t['wall_time'] for x in r['results'] for t in x['tests']))" "$work/serial.json")

echo "tests:                              $n"
printf 'shell loop, no sandbox:             %.3f s (%.3f ms/test)\n' "$loop" "$(echo "$loop * 1000 / $n" | bc -l)"
printf 'proctor run --jobs 1 (incl. gcc):   %.3f s (%.3f ms/test)\n' "$serial" "$(echo "$serial * 1000 / $n" | bc -l)"
printf 'proctor run, default jobs:          %.3f s (%.3f ms/test)\n' "$graded" "$(echo "$graded * 1000 / $n" | bc -l)"
printf 'solution wall time, --jobs 1:       %.3f ms/test\n' "$(echo "$solution * 1000 / $n" | bc -l)"
printf 'proctor overhead, --jobs 1:         %.3f ms/test over the solution own run\n' "$(echo "($serial - $solution) * 1000 / $n" | bc -l)"
echo "proctor peak RSS (default jobs):    $(tail -1 "$work/rss") KiB"
