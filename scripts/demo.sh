#!/usr/bin/env bash
# Proctor's main job on the example suites: grade every Fixtures/<suite> solution (right
# ones in several languages, and wrong ones that earn each verdict) against
# Suites/<suite>/suite.yaml, in sandboxes, and write JUnit, JSON and HTML reports.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then echo "demo: sandboxes need root" >&2; exit 1; fi
proctor=$(swift build --product proctor --show-bin-path)/proctor  # execs proctor-grade beside it
out=demo-results
mkdir -p "$out"

"$proctor" check Suites/*/suite.yaml

status=0
for suite in Suites/*/suite.yaml; do
    name=$(basename "$(dirname "$suite")")
    solutions=()
    for f in Fixtures/"$name"/*; do solutions+=(--solution "$f"); done
    echo; echo "== $suite"
    # Exit 1 only says some solution was not accepted (the wrong ones are there on purpose);
    # 2 (bad suite or usage) or 3 (internal error) fail the demo.
    "$proctor" run "$suite" "${solutions[@]}" \
        --junit "$out/$name.junit.xml" --json "$out/$name.json" --html "$out/$name.html" || rc=$?
    if [ "${rc:-0}" -gt 1 ]; then status=${rc}; fi
    unset rc
done
echo; echo "== a course's autograder (kind unit, and a C lab built by its Makefile): Gradescope results"
for name in course-python-pytest course-c-harness course-java-junit course-js-node-test course-c-make; do
    "$proctor" run "Suites/$name/suite.yaml" --solution "Fixtures/$name/wrong" \
        --gradescope "$out/$name.gradescope.json" >/dev/null || rc=$?
    if [ "${rc:-0}" -gt 1 ]; then status=${rc}; fi
    unset rc
done
echo; echo "== Kattis problem packages: every submission gets the verdict its folder expects"
for pkg in Suites/kattis-*/; do
    "$proctor" verify "$pkg" --json "$out/$(basename "$pkg").verify.json" || status=$?
done
echo; echo "reports in $out/ (JUnit XML, JSON, HTML)"
echo; echo "== and one command in a sandbox, with proctor exec"
echo 5 | "$proctor" exec --memory 64M --time 2s --file Fixtures/demo/fizzbuzz.py:fizzbuzz.py -- /usr/bin/python3 fizzbuzz.py
exit $status
