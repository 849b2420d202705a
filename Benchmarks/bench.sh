#!/usr/bin/env bash
# Proctor's speed benchmark (issue 2): what a sandboxed run costs next to a bare
# fork+exec, next to bubblewrap, and (where installed) next to gVisor and isolate.
#
#   Benchmarks/bench.sh            # or: make bench
#
# 1. builds proctor and proctor-bench in release mode (in .build-bench, so it does not
#    fight over .build with other builds);
# 2. installs hyperfine and bubblewrap with apt-get where missing;
# 3. runs proctor-bench (library: bare posix_spawn, one-shot, exec in a ready sandbox,
#    pool), interleaved round-robin;
# 4. runs hyperfine once per command, side by side, with -N (no shell): bare command,
#    bwrap with the same namespaces and root layout as Proctor's, `proctor exec` (CLI,
#    cold), `proctor --version` (the CLI's start, with /bin/true), and runsc / isolate if
#    installed;
# 5. prints a summary with the ratios and the issue's targets.
#
# Everything lands in bench-results/. Knobs (environment): RUNS (proctor-bench runs for
# both commands; default 300 for /bin/true, 100 for python3), WARMUP (default 10),
# HF_TRUE_RUNS (default 300), HF_PY_RUNS (default 100), HF_WARMUP (default 20),
# OUT (default bench-results), SCRATCH (default .build-bench), SKIP_BUILD=1.
# Needs root: sandboxes use namespaces, cgroups and mounts.

set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

OUT=${OUT:-bench-results}
SCRATCH=${SCRATCH:-.build-bench}
WARMUP=${WARMUP:-10}
HF_TRUE_RUNS=${HF_TRUE_RUNS:-300}
HF_PY_RUNS=${HF_PY_RUNS:-100}
HF_WARMUP=${HF_WARMUP:-20}
# Hard bound on each measuring step (seconds), so a hung sandbox cannot hang the script.
STEP_TIMEOUT=${STEP_TIMEOUT:-1200}

say() { printf '\n== %s\n' "$*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
    echo "bench.sh: needs root (Proctor's sandboxes use namespaces, cgroups and mounts)" >&2
    exit 1
fi
mkdir -p "$OUT"

# ---------------------------------------------------------------------------------------
say "tools"
missing=()
command -v hyperfine >/dev/null || missing+=(hyperfine)
command -v bwrap >/dev/null || missing+=(bubblewrap)
command -v python3 >/dev/null || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi
hyperfine --version >&2
bwrap --version >&2

# ---------------------------------------------------------------------------------------
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    say "build (release, scratch path $SCRATCH)"
    # One product per invocation: --product takes a single name.
    # The CLI's front as shipped (`make release`, whose flags `make front` uses): a fully
    # static executable (no dynamic loader, no shared libraries to load and relocate).
    make -s front FRONT_SCRATCH="$SCRATCH-static" >&2
    # The library benchmark is a package of its own (Benchmarks/Package.swift).
    swift build -c release --package-path Benchmarks --scratch-path "$SCRATCH" --product proctor-bench >&2
fi
BIN=$(swift build -c release --package-path Benchmarks --scratch-path "$SCRATCH" --show-bin-path)
PROCTOR="$(make -s front-path FRONT_SCRATCH="$SCRATCH-static")/proctor"
BENCH="$BIN/proctor-bench"
for b in "$PROCTOR" "$BENCH"; do
    [ -x "$b" ] || { echo "bench.sh: $b is missing (build failed?)" >&2; exit 1; }
done

# ---------------------------------------------------------------------------------------
# bwrap with what Proctor builds: pid, mount, net, ipc, uts, cgroup namespaces (bwrap's
# --unshare-all adds a user namespace, which Proctor does not use); the image folders
# /usr /bin /sbin /lib /lib32 /lib64 /libx32 /etc read-only, symlinks kept as symlinks
# (Debian 12 is merged-usr: /bin -> usr/bin, /lib -> usr/lib, ...); fresh /proc; a minimal
# /dev; tmpfs /dev/shm, /tmp and the workdir /sandbox; a new session; no capabilities; an
# unprivileged uid. (Proctor also joins cgroups and loads a seccomp filter: bwrap does not.)
BWRAP=(bwrap --unshare-all --die-with-parent --new-session --cap-drop ALL --uid 65534 --gid 65534)
for d in /usr /bin /sbin /lib /lib32 /lib64 /libx32 /etc; do
    if [ -L "$d" ]; then
        BWRAP+=(--symlink "$(readlink "$d")" "$d")
    elif [ -d "$d" ]; then
        BWRAP+=(--ro-bind "$d" "$d")
    fi
done
BWRAP+=(--proc /proc --dev /dev --tmpfs /dev/shm --tmpfs /tmp --tmpfs /sandbox --chdir /sandbox --)

# Commands as one string each, for hyperfine -N (which splits on whitespace, honouring quotes).
words() { printf '%q ' "$@" | sed 's/ $//'; }
BWRAP_CMD=$(words "${BWRAP[@]}")

# Optional: gVisor and isolate, each only if installed and working here.
RUNSC_CMD=""
if command -v runsc >/dev/null; then
    RUNSC_CMD="runsc --network=none do"
    if ! timeout 60 $RUNSC_CMD /bin/true >/dev/null 2>&1; then
        echo "runsc is installed but 'runsc --network=none do /bin/true' fails here: skipped" >&2
        RUNSC_CMD=""
    fi
fi
ISOLATE_CMD=""
if command -v isolate >/dev/null; then
    if timeout 60 isolate --box-id=90 --init >/dev/null 2>&1 \
        && timeout 60 isolate --box-id=90 --run -- /bin/true >/dev/null 2>&1; then
        ISOLATE_CMD="isolate --box-id=90 --run --"
    else
        echo "isolate is installed but 'isolate --run' fails here: skipped" >&2
    fi
fi
cleanup() {
    if [ -n "$ISOLATE_CMD" ]; then isolate --box-id=90 --cleanup >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

# Each runner must work before it is timed: a failing command would time its error path.
say "sanity"
for cmd in "/bin/true" "/usr/bin/python3 -c pass"; do
    # shellcheck disable=SC2086
    "${BWRAP[@]}" $cmd
    # shellcheck disable=SC2086
    "$PROCTOR" exec -- $cmd </dev/null
done
echo "bare, bwrap and proctor exec all run /bin/true and python3 -c pass" >&2

# ---------------------------------------------------------------------------------------
say "proctor-bench (library, interleaved round-robin)"
bench_args=(--warmup "$WARMUP" --json "$OUT/proctor-bench.json")
[ -n "${RUNS:-}" ] && bench_args+=(--runs "$RUNS")
timeout "$STEP_TIMEOUT" "$BENCH" "${bench_args[@]}" | tee "$OUT/proctor-bench.md"

# ---------------------------------------------------------------------------------------
hyperfine_side_by_side() {   # name runs command...
    local name=$1 runs=$2
    shift 2
    local cmd="$*"
    local args=(-N --time-unit millisecond --warmup "$HF_WARMUP" --runs "$runs"
        --export-json "$OUT/hyperfine-$name.json" --export-markdown "$OUT/hyperfine-$name.md"
        -n "bare" "$cmd"
        -n "bwrap" "$BWRAP_CMD $cmd"
        -n "proctor exec (CLI)" "$PROCTOR exec -- $cmd")
    # The CLI's own start (issue 9), in the same run as the /bin/true figures.
    # and what the ready cgroup sets save (both through env, so both pay its start).
    if [ "$name" = true ]; then
        args+=(-n "proctor --version" "$PROCTOR --version"
            -n "env: ready cgroups" "env PROCTOR_READY_CGROUPS=16 $PROCTOR exec -- $cmd"
            -n "env: cgroups made per run" "env PROCTOR_READY_CGROUPS=0 $PROCTOR exec -- $cmd")
    fi
    [ -n "$RUNSC_CMD" ] && args+=(-n "runsc do" "$RUNSC_CMD $cmd")
    [ -n "$ISOLATE_CMD" ] && args+=(-n "isolate --run" "$ISOLATE_CMD $cmd")
    say "hyperfine: $cmd ($runs runs each)"
    timeout "$STEP_TIMEOUT" hyperfine "${args[@]}" >&2
}
hyperfine_side_by_side true "$HF_TRUE_RUNS" /bin/true
hyperfine_side_by_side python "$HF_PY_RUNS" /usr/bin/python3 -c pass

# ---------------------------------------------------------------------------------------
say "summary"
python3 - "$OUT" <<'PY' | tee "$OUT/summary.md"
import json, os, sys

out = sys.argv[1]
ISOLATE_RUN_MS = 3.8   # isolate --run of /bin/true on this machine, from the issue

def load(name):
    path = os.path.join(out, name)
    with open(path) as f:
        return json.load(f)

lib = {c["name"]: {v["variant"]: v for v in c["variants"]} for c in load("proctor-bench.json")["commands"]}
hf = {}
for name in ("true", "python"):
    try:
        hf[name] = {r["command"]: r for r in load(f"hyperfine-{name}.json")["results"]}
    except FileNotFoundError:
        pass

def hms(r):   # hyperfine keeps seconds
    return r["median"] * 1000

print("# Proctor speed summary\n")
print("Medians in ms; ratio = median / reference median.\n")
print("| command | what | median ms | reference | ratio | target |")
print("|---|---|---:|---|---:|---|")
verdicts = []
for name, label in (("true", "/bin/true"), ("python", "python3 -c pass")):
    v = lib.get(name)
    if v:
        bare = v["bare"]["median_ms"]
        for key, what, target in (("exec", "lib: exec in a ready sandbox", 1.5),
                                  ("pool", "lib: pool acquire+run+release", 1.5),
                                  ("oneshot", "lib: one-shot create+run+terminate", None)):
            m = v[key]["median_ms"]
            r = m / bare
            t = ""
            if target:
                ok = r <= target
                t = f"<= {target}x: {'met' if ok else 'NOT met'}"
                if key == "pool":
                    verdicts.append((f"pooled exec <= 1.5x bare ({label})", ok, f"{r:.2f}x"))
            print(f"| {label} | {what} | {m:.3f} | bare posix_spawn {bare:.3f} | {r:.2f}x | {t} |")
        if name == "true":
            m = v["oneshot"]["median_ms"]
            ok = m <= ISOLATE_RUN_MS * 1.25
            print(f"| {label} | lib: one-shot | {m:.3f} | isolate --run ~{ISOLATE_RUN_MS} (issue) | "
                  f"{m / ISOLATE_RUN_MS:.2f}x | comparable: {'met' if ok else 'NOT met'} |")
            verdicts.append(("one-shot library exec comparable to isolate --run (~3.8 ms)", ok, f"{m:.2f} ms"))
    h = hf.get(name)
    if h:
        bare, bw, cli = (h.get(k) for k in ("bare", "bwrap", "proctor exec (CLI)"))
        if bw and bare:
            print(f"| {label} | hyperfine: bwrap | {hms(bw):.3f} | bare {hms(bare):.3f} | {hms(bw) / hms(bare):.2f}x | |")
        if cli and bare:
            print(f"| {label} | hyperfine: proctor exec (CLI) | {hms(cli):.3f} | bare {hms(bare):.3f} | {hms(cli) / hms(bare):.2f}x | |")
        if cli and bw:
            r = hms(cli) / hms(bw)
            ok = r <= 2.0
            print(f"| {label} | hyperfine: proctor exec (CLI) | {hms(cli):.3f} | bwrap {hms(bw):.3f} | {r:.2f}x | <= 2x: {'met' if ok else 'NOT met'} |")
            verdicts.append((f"CLI within 2x of bwrap ({label})", ok, f"{r:.2f}x"))
        if name == "true" and bw:
            if cli:
                r = hms(cli) / hms(bw)
                verdicts.append(("CLI exec at or below bwrap (/bin/true, issue 9)", r <= 1.0, f"{r:.2f}x"))
            ready, made = h.get("env: ready cgroups"), h.get("env: cgroups made per run")
            if ready and made:
                print(f"| {label} | hyperfine: proctor exec, ready cgroup sets (via env) | {hms(ready):.3f} | "
                      f"cgroups made per run {hms(made):.3f} | {hms(ready) / hms(made):.2f}x | |")
            ver = h.get("proctor --version")
            if ver:
                print(f"| {label} | hyperfine: proctor --version | {hms(ver):.3f} | bwrap {hms(bw):.3f} | {hms(ver) / hms(bw):.2f}x | < 5 ms: {'met' if hms(ver) < 5 else 'NOT met'} |")
                verdicts.append(("proctor --version under 5 ms (issue 9)", hms(ver) < 5, f"{hms(ver):.2f} ms"))
        for extra in ("runsc do", "isolate --run"):
            e = h.get(extra)
            if e and bare:
                print(f"| {label} | hyperfine: {extra} | {hms(e):.3f} | bare {hms(bare):.3f} | {hms(e) / hms(bare):.2f}x | |")
        if cli and "isolate --run" in h:
            i = h["isolate --run"]
            print(f"| {label} | hyperfine: proctor exec (CLI) | {hms(cli):.3f} | isolate --run {hms(i):.3f} | {hms(cli) / hms(i):.2f}x | |")
print("\n## Targets (issues 2 and 9)\n")
for what, ok, figure in verdicts:
    print(f"- {'MET    ' if ok else 'NOT MET'} {what}: {figure}")
PY

# ---------------------------------------------------------------------------------------
say "cgroups left behind"
# Every runner folder under proctor/ should belong to a live process (r<pid>-<start>),
# and a finished bench leaves none of its own.
for h in /sys/fs/cgroup/memory /sys/fs/cgroup/unified /sys/fs/cgroup; do
    [ -d "$h/proctor" ] || continue
    # The ready sets `proctor exec` keeps between runs are meant to stay; none may hold a process.
    if [ -d "$h/proctor/ready" ]; then
        # (cgroup files report size 0 whatever they hold: read them)
        busy=$(find "$h/proctor/ready" -name cgroup.procs -exec cat {} + 2>/dev/null | wc -l)
        sets=$(find "$h/proctor/ready" -mindepth 1 -maxdepth 1 -type d | wc -l)
        echo "$h/proctor/ready: $sets ready sets kept, $busy processes in them" >&2
    fi
    for d in "$h"/proctor/r*/; do
        [ -d "$d" ] || continue
        r=$(basename "$d"); pid=${r#r}; pid=${pid%%-*}
        alive=dead; [ -d "/proc/$pid" ] && alive=alive
        echo "$h/proctor/$r: runner $alive, $(find "$d" -mindepth 1 -type d | wc -l) sandbox groups" >&2
    done
done
echo "results in $OUT/" >&2
