#!/usr/bin/env bash
# The cluster benchmark (issue 11): Judge0 submissions through 1, 2 and 3 `proctor serve`
# nodes sharing one PostgreSQL server on this machine (and one SQLite server for
# comparison), then the job queue's own cost per job (SQLite vs PostgreSQL, jobs that do
# nothing). PostgreSQL runs with its defaults (fsync on), in a folder of its own, on
# loopback. Needs root (sandboxes; PostgreSQL runs as the postgres user) and a build:
#   swift build --build-tests && bash Benchmarks/cluster/run.sh
# SUBMISSIONS (default 300) per run, ROUNDS (default 2) of the four set-ups, WORKERS
# (default 2) per node. Results:
# bench-results/cluster.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"
BIN=${BIN:-$(swift build --show-bin-path)}
SUBMISSIONS=${SUBMISSIONS:-300}
ROUNDS=${ROUNDS:-2}
WORKERS=${WORKERS:-2}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
mkdir -p bench-results
out=bench-results/cluster.txt
work=$(mktemp -d /tmp/proctor-cluster-bench.XXXXXX)
chown postgres "$work"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pgport=$(free_port)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
runuser -u postgres -- "$PGBIN/initdb" -D "$work/data" -U postgres -A trust >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$work/data" -l "$work/pg.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $pgport -k $work -c max_connections=200" start >/dev/null
psql() { "$PGBIN/psql" -h 127.0.0.1 -p "$pgport" -U postgres -X -A -t -q "$@"; }

# Starts `proctor serve` on `database` as node `id`; sets `port` (not a subshell: `pids` is kept).
start_node() {
    local database=$1 id=$2
    port=$(free_port)
    PROCTOR_TOKENS=bench:secret "$BIN/proctor" serve --port "$port" --database "$database" --node-id "$id" \
        --workers "$WORKERS" --rate 100000 --burst 100000 --suites Suites 2>>"$work/$id.log" >/dev/null &
    pids+=($!)
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
}

# Sends SUBMISSIONS Judge0 submissions (a one-line Bash program each, in batches of 20,
# round robin over the ports) and prints the tokens.
submit() {
    python3 - "$SUBMISSIONS" "$@" <<'EOF'
import json, sys, urllib.request
count, ports = int(sys.argv[1]), sys.argv[2:]
for b, start in enumerate(range(0, count, 20)):
    batch = [{"source_code": f"echo $(({i} * 7))", "language_id": 46, "expected_output": f"{i * 7}"}
             for i in range(start, min(start + 20, count))]
    req = urllib.request.Request(f"http://127.0.0.1:{ports[b % len(ports)]}/submissions/batch?base64_encoded=false",
                                 data=json.dumps({"submissions": batch}).encode(), method="POST",
                                 headers={"Authorization": "Bearer secret", "Content-Type": "application/json"})
    for item in json.load(urllib.request.urlopen(req)):
        print(item["token"])
EOF
}

# Waits until every token answers with a final status (asked of the first port); seconds.
wait_done() {
    python3 - "$1" "$2" <<'EOF'
import json, sys, time, urllib.request
port, tokens = sys.argv[1], open(sys.argv[2]).read().split()
pending = set(tokens)
while pending:
    batch = list(pending)[:20]
    req = urllib.request.Request(f"http://127.0.0.1:{port}/submissions/batch?tokens={','.join(batch)}&fields=token,status",
                                 headers={"Authorization": "Bearer secret"})
    subs = json.load(urllib.request.urlopen(req))["submissions"]
    finished = [s["token"] for s in subs if s and s["status"]["id"] > 2]
    pending.difference_update(finished)
    if len(finished) < len(batch):
        time.sleep(0.2)
EOF
}

run() {
    local name=$1 database=$2 nodes=$3 ports=() t0 t1
    pids=()
    for n in $(seq "$nodes"); do
        start_node "$database" "$name-n$n"
        ports+=("$port")
    done
    t0=$(date +%s.%N)
    submit "${ports[@]}" >"$work/tokens"
    wait_done "${ports[0]}" "$work/tokens"
    t1=$(date +%s.%N)
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); n=int(sys.argv[3]); print(f'{sys.argv[4]}: {n} submissions in {s:.1f} s: {n/s:.1f}/s')" \
        "$t0" "$t1" "$SUBMISSIONS" "$name, $nodes node(s) x $WORKERS workers" | tee -a "$out"
}

{
    echo "# $(date -u +%FT%TZ) $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg); $SUBMISSIONS submissions, $WORKERS workers per node; build: $BIN"
    echo "# PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') with its defaults (fsync on)"
} | tee "$out"
# Rounds of the four set-ups in turn, so that a change in the machine's load (it is shared)
# falls on all of them alike rather than on one.
for round in $(seq "$ROUNDS"); do
    run sqlite "$work/bench-$round.sqlite" 1
    for nodes in 1 2 3; do
        psql -d postgres -c "CREATE DATABASE bench_${round}_$nodes"
        run postgres "postgres://postgres@127.0.0.1:$pgport/bench_${round}_$nodes?sslmode=disable" "$nodes"
    done
done

# The queue's own cost: jobs that do nothing (Tests/ProctorServerTests/QueueCostBenchmarks.swift).
PROCTOR_BENCH=1 PROCTOR_PG_FSYNC=on PROCTOR_BENCH_OUT="$work/queue.txt" \
    swift test --skip-build --filter QueueCostBenchmarks >"$work/queue.log" 2>&1 || { tail -30 "$work/queue.log"; exit 1; }
tee -a "$out" <"$work/queue.txt"
