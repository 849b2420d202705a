#!/usr/bin/env bash
# Installs what building and testing Proctor needs on Debian, where it is missing:
# C libraries and tools for the build and the tests (libseccomp, libxml2, xmllint, gcc),
# numpy for the sandboxed /usr/bin/python3 (eval samples that import it), Chromium for the playground's browser test,
# PostgreSQL's server for the cluster tests (they start one of their own on loopback), debootstrap, which makes the
# base layer of `proctor image build` (and of the image tests), and three PyPI packages the server tests
# drive it with (the official Judge0 client, the OpenAPI validator, the schemathesis fuzzer).
set -euo pipefail
need=()
for pkg in libseccomp-dev libxml2-dev libxml2-utils pkg-config gcc g++ libc6-dev python3-numpy chromium postgresql debootstrap; do
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

# Toolchains of the languages past C, C++, Python, Java, JavaScript, Rust, Swift and Bash, from
# Debian's packages, so that their hello/CE/RTE tests and problemtools' example submissions run;
# and the classroom suites' frameworks (kind unit): pytest and JUnit 5's console launcher, and
# make and cmake, which build C/C++ submissions that bring a Makefile or CMakeLists.txt.
# About 4 minutes and 3 GB in all (ghc 0.8 GB, go, ocaml and kotlin ~0.4 GB each; the rest small).
# PROCTOR_SETUP_LANGUAGES=0 skips them; a failed install is a warning: those tests are then
# skipped, each saying which toolchain is missing. Debian 12 has no Python 2 (nor PyPy 2).
if [ "${PROCTOR_SETUP_LANGUAGES:-1}" != 0 ]; then
    langs=()
    for pkg in golang-go ruby php-cli lua5.4 kotlin scala mono-mcs mono-runtime libmono-system-numerics4.0-cil ghc \
               ocaml-nox sbcl fp-compiler gfortran gnat gdc swi-prolog-nox erlang-base elixir r-base-core node-typescript \
               python3-pytest junit5 make cmake; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || langs+=("$pkg")
    done
    if [ ${#langs[@]} -gt 0 ] && [ "$(id -u)" -eq 0 ]; then
        echo "setup: installing language toolchains: ${langs[*]}"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 \
              --no-install-recommends "${langs[@]}" >/dev/null; } \
            || echo "setup: WARNING: installing ${langs[*]} failed; the tests of those languages will be skipped" >&2
    elif [ ${#langs[@]} -gt 0 ]; then
        echo "setup: WARNING: not root; the tests of ${langs[*]} will be skipped (their toolchains are missing)" >&2
    fi
fi

# The server tests look for these modules in the first python3 on PATH; without them those
# three tests are skipped (and say so), so a failed install is a warning, not an error.
if command -v python3 >/dev/null && ! python3 -c 'import judge0, openapi_spec_validator, schemathesis' 2>/dev/null; then
    echo "setup: pip install judge0 openapi-spec-validator schemathesis"
    python3 -m pip install --quiet judge0 openapi-spec-validator schemathesis \
        || echo "setup: WARNING: pip install failed; the Judge0 client, OpenAPI and schemathesis fuzzing tests will be skipped" >&2
fi
