#!/usr/bin/env bash
# Installs what building and testing Proctor needs on Debian, where it is missing.
#
#   setup.sh             everything, in the foreground (make setup, make demo)
#   setup.sh build       only what the Swift build needs (libseccomp, libxml2, pkg-config, gcc)
#   setup.sh start-rest  the rest in the background, logged to .build/setup-rest.log
#   setup.sh wait-rest   waits for that background install and prints its log
#
# `make test` runs build, start-rest, the Swift build, wait-rest: the apt and pip installs the
# tests need (minutes on a fresh machine) run while the compiler runs, not before it.
#
# The rest: numpy for the sandboxed /usr/bin/python3 (eval samples that import it), Chromium for
# the playground's browser test, PostgreSQL's server for the cluster tests (they start one of
# their own on loopback), debootstrap, which makes the base layer of `proctor image build` (and
# of the image tests), the toolchains of the languages past C, C++, Python, Java, JavaScript,
# Rust, Swift and Bash, and three PyPI packages the server tests drive it with (the official
# Judge0 client, the OpenAPI validator, the schemathesis fuzzer).
set -euo pipefail
cd "$(dirname "$0")/.."

missing() { # the packages among "$@" that dpkg does not have installed
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
    done
}

apt_install() { # apt_install WHAT PACKAGES...: installs, or fails saying what is missing
    local what=$1
    shift
    [ $# -gt 0 ] || return 0
    echo "setup: installing $what: $*"
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: need root to install $* (or install them yourself)" >&2
        return 1
    fi
    apt-get update -qq -o DPkg::Lock::Timeout=600
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 \
        -o APT::Install-Recommends="${INSTALL_RECOMMENDS:-true}" "$@" >/dev/null
}

setup_build() {
    # shellcheck disable=SC2046
    apt_install "the build's C libraries" $(missing libseccomp-dev libxml2-dev libxml2-utils pkg-config gcc g++ libc6-dev)
    command -v swift >/dev/null || { echo "setup: swift is not on PATH (the Swift toolchain is required)" >&2; exit 1; }
}

setup_rest() {
    # shellcheck disable=SC2046
    apt_install "the tests' tools" $(missing python3-numpy chromium postgresql debootstrap)

    # Toolchains of the languages past C, C++, Python, Java, JavaScript, Rust, Swift and Bash, from
    # Debian's packages, so that their hello/CE/RTE tests and problemtools' example submissions run;
    # and the classroom suites' frameworks (kind unit): pytest and JUnit 5's console launcher, and
    # make and cmake, which build C/C++ submissions that bring a Makefile or CMakeLists.txt.
    # About 4 minutes and 3 GB in all (ghc 0.8 GB, go, ocaml and kotlin ~0.4 GB each; the rest small).
    # PROCTOR_SETUP_LANGUAGES=0 skips them; a failed install is a warning: those tests are then
    # skipped, each saying which toolchain is missing. Debian 12 has no Python 2 (nor PyPy 2).
    if [ "${PROCTOR_SETUP_LANGUAGES:-1}" != 0 ]; then
        local langs
        langs=$(missing golang-go ruby php-cli lua5.4 kotlin scala mono-mcs mono-runtime libmono-system-numerics4.0-cil \
            ghc ocaml-nox sbcl fp-compiler gfortran gnat gdc swi-prolog-nox erlang-base elixir r-base-core \
            node-typescript python3-pytest junit5 make cmake)
        if [ -n "$langs" ] && [ "$(id -u)" -eq 0 ]; then
            # shellcheck disable=SC2086
            INSTALL_RECOMMENDS=false apt_install "language toolchains (without recommends)" $langs \
                || echo "setup: WARNING: installing the language toolchains failed; the tests of those languages will be skipped" >&2
        elif [ -n "$langs" ]; then
            echo "setup: WARNING: not root; the tests of $(echo $langs) will be skipped (their toolchains are missing)" >&2
        fi
    fi

    # The server tests look for these modules in the first python3 on PATH; without them those
    # three tests are skipped (and say so), so a failed install is a warning, not an error.
    if command -v python3 >/dev/null && ! python3 -c 'import judge0, openapi_spec_validator, schemathesis' 2>/dev/null; then
        echo "setup: pip install judge0 openapi-spec-validator schemathesis"
        python3 -m pip install --quiet judge0 openapi-spec-validator schemathesis \
            || echo "setup: WARNING: pip install failed; the Judge0 client, OpenAPI and schemathesis fuzzing tests will be skipped" >&2
    fi
}

state=.build/setup-rest
case "${1:-all}" in
all)
    setup_build
    setup_rest
    ;;
build)
    setup_build
    ;;
start-rest)
    mkdir -p .build
    rm -f "$state.status"
    # A subshell of its own (setsid) so that the build's output and ^C do not tangle with it;
    # its status goes to a file that wait-rest reads.
    setsid bash -c "bash '$0' rest > '$state.log' 2>&1; echo \$? > '$state.status'" < /dev/null &
    echo $! > "$state.pid"
    echo "setup: the tests' installs run in the background (log: $state.log)"
    ;;
rest)
    setup_rest
    ;;
wait-rest)
    [ -e "$state.log" ] || { echo "setup: wait-rest without start-rest" >&2; exit 1; }
    waited=0
    while [ ! -e "$state.status" ]; do
        if ! kill -0 "$(cat "$state.pid")" 2>/dev/null && [ ! -e "$state.status" ]; then
            cat "$state.log"
            echo "setup: the background installs were killed before they ended" >&2
            exit 1
        fi
        sleep 2
        waited=$((waited + 2))
    done
    cat "$state.log"
    echo "setup: the background installs ended (waited ${waited} s after the build)"
    exit "$(cat "$state.status")"
    ;;
*)
    echo "usage: setup.sh [all|build|start-rest|wait-rest]" >&2
    exit 2
    ;;
esac
