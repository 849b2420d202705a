#!/usr/bin/env bash
# Installs what building and testing Proctor needs on Debian, where it is missing:
# C libraries and tools for the build and the tests (libseccomp, libxml2, xmllint, gcc),
# numpy for the sandboxed /usr/bin/python3 (eval samples that import it), Chromium for the playground's browser test, and three PyPI packages the server tests
# drive it with (the official Judge0 client, the OpenAPI validator, the schemathesis fuzzer).
set -euo pipefail
need=()
for pkg in libseccomp-dev libxml2-dev libxml2-utils pkg-config gcc g++ libc6-dev python3-numpy chromium; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "setup: installing ${need[*]}"
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: need root to install ${need[*]} (or install them yourself)" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
command -v swift >/dev/null || { echo "setup: swift is not on PATH (the Swift toolchain is required)" >&2; exit 1; }

# The server tests look for these modules in the first python3 on PATH; without them those
# three tests are skipped (and say so), so a failed install is a warning, not an error.
if command -v python3 >/dev/null && ! python3 -c 'import judge0, openapi_spec_validator, schemathesis' 2>/dev/null; then
    echo "setup: pip install judge0 openapi-spec-validator schemathesis"
    python3 -m pip install --quiet judge0 openapi-spec-validator schemathesis \
        || echo "setup: WARNING: pip install failed; the Judge0 client, OpenAPI and schemathesis fuzzing tests will be skipped" >&2
fi
