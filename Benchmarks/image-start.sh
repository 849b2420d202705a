#!/usr/bin/env bash
# Start time of a sandbox from an image against today's host-image sandbox, side by side:
# `proctor exec -- /bin/true` and `proctor exec --image NAME -- /bin/true` under hyperfine.
# Usage: Benchmarks/image-start.sh IMAGE [PROCTOR]  (root; the image built with
# `proctor image build`; PROCTOR defaults to .build/release/proctor, else debug).
set -euo pipefail
image=${1:?usage: $0 IMAGE [PROCTOR]}
proctor=${2:-}
if [ -z "$proctor" ]; then
    for p in .build/release/proctor .build/debug/proctor; do [ -x "$p" ] && { proctor=$p; break; }; done
fi
[ -x "$proctor" ] || { echo "no proctor binary (swift build -c release)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "hyperfine is not installed (apt-get install hyperfine)" >&2; exit 1; }
hyperfine -N --warmup 5 --runs "${RUNS:-50}" \
    -n host "$proctor exec -- /bin/true" \
    -n "image $image" "$proctor exec --image $image -- /bin/true" \
    ${HYPERFINE_EXPORT:+--export-markdown "$HYPERFINE_EXPORT"}
