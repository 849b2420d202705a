#!/usr/bin/env bash
# Load benchmark of `proctor serve` (issue 5): N concurrent wrk connections POST short Python
# and C programs to /execute for a fixed time, on 127.0.0.1 only. Bounded: each level runs
# DURATION seconds, the levels are a fixed list, the server is stopped at the end.
#
#   Benchmarks/service/run.sh [PROCTOR_BINARY]     (root: sandboxes need it)
#   LEVELS="1 2 4 8 16 32" DURATION=20 QUEUE=64 WORKERS=2 Benchmarks/service/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${1:-.build-service/debug/proctor}
LEVELS=${LEVELS:-"1 2 4 8 16 32"}
DURATION=${DURATION:-15}
QUEUE=${QUEUE:-64}
WORKERS=${WORKERS:-$(nproc)}
PORT=${PORT:-18471}
OUT=${OUT:-bench-results/service}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
mkdir -p "$OUT"
DB=$(mktemp -d /tmp/proctor-bench-XXXXXX)
export PROCTOR_BENCH_TOKEN=bench-$$
PROCTOR_TOKENS="bench:$PROCTOR_BENCH_TOKEN" "$BIN" serve --host 127.0.0.1 --port "$PORT" --database "$DB/db.sqlite" \
  --workers "$WORKERS" --queue "$QUEUE" --rate 100000 --burst 100000 >"$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DB"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done
# Warm-up (pools, the C build cache), not measured.
wrk -t1 -c2 -d3s -s Benchmarks/service/execute.lua "http://127.0.0.1:$PORT" >/dev/null
runs() { curl -sf -H "Authorization: Bearer $PROCTOR_BENCH_TOKEN" "http://127.0.0.1:$PORT/metrics" \
  | awk '/^proctor_runs_total\{endpoint="execute"/ {s += $2} END {print s + 0}'; }
echo "connections requests rps p50_ms p99_ms max_ms errors non2xx served_by_server" | tee "$OUT/summary.txt"
for c in $LEVELS; do
  before=$(runs)
  line=$(wrk -t$(( c < 2 ? 1 : 2 )) -c"$c" -d"${DURATION}s" --timeout 60s --latency -s Benchmarks/service/execute.lua \
    "http://127.0.0.1:$PORT" | tee "$OUT/wrk-c$c.txt" | grep '^RESULT')
  after=$(runs)
  get() { sed -E "s/.* $1=([0-9.]+).*/\1/" <<<"$line"; }
  errors=$(( $(get connect_err) + $(get read_err) + $(get write_err) + $(get timeouts) ))
  echo "$c $(get requests) $(get rps) $(get p50_ms) $(get p99_ms) $(get max_ms) $errors $(get non2xx) $((after - before))" \
    | tee -a "$OUT/summary.txt"
done
