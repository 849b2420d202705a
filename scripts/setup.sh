#!/usr/bin/env bash
# Installs what building and testing Proctor needs on Debian, if it is missing.
set -euo pipefail
need=()
for pkg in libseccomp-dev libxml2-dev libxml2-utils pkg-config gcc libc6-dev; do
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
