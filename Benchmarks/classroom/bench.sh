#!/usr/bin/env bash
# Classroom autograding (issue 13): what Proctor's sandboxed grading of one hand-in costs
# against the course's own tools run bare, side by side under hyperfine (medians, ratios).
#
#   bare     the framework as an autograder script runs it, unsandboxed, in a fresh copy of
#            the hand-in and the instructor's tests: pytest with a JUnit XML report; javac +
#            JUnit 5's console launcher; the student's `make` and the lab's five tests by a
#            shell loop with diff
#   proctor  `proctor run SUITE --solution HAND-IN --gradescope results.json`: the same work
#            in sandboxes (the build, the framework, a fresh sandbox per stdout test), the
#            report read into one result per unit test, Gradescope's results written
#
# Usage (root): Benchmarks/classroom/bench.sh [BIN]  BIN: the folder holding proctor and
# proctor-grade (default .build/release, else .build/debug). RUNS=N (default 10).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-}
if [ -z "$bin" ]; then
    for b in .build/release .build/debug; do [ -x "$b/proctor-grade" ] && { bin=$b; break; }; done
fi
[ -x "$bin/proctor" ] && [ -x "$bin/proctor-grade" ] || { echo "no proctor and proctor-grade in '$bin' (make release)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "hyperfine is not installed (apt-get install hyperfine)" >&2; exit 1; }
repo=$(pwd)
work=$(mktemp -d /tmp/proctor-classroom-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
out=${OUT:-bench-results/classroom}
mkdir -p "$out"
jar=/usr/share/java/junit-platform-console-standalone.jar

# One fresh copy per run (what a grader starts from), made by hyperfine's --prepare.
cat >"$work/pytest.sh" <<EOF
set -e
rm -rf "$work/py" && mkdir -p "$work/py/tests"
cp "$repo/Fixtures/course-python-pytest/correct/calc.py" "$work/py/"
cp "$repo/Suites/course-python-pytest/tests/test_calc.py" "$work/py/tests/"
cd "$work/py" && /usr/bin/python3 -m pytest -q -p no:cacheprovider --junitxml=report.xml tests/test_calc.py >/dev/null
EOF
cat >"$work/junit.sh" <<EOF
set -e
rm -rf "$work/java" && mkdir -p "$work/java"
cp "$repo/Fixtures/course-java-junit/correct/Words.java" "$repo/Suites/course-java-junit/WordsTest.java" "$work/java/"
cd "$work/java" && mkdir -p classes && /usr/bin/javac -J-Xmx512m -encoding UTF-8 -d classes -cp $jar *.java
/usr/bin/java -Xmx512m -jar $jar --disable-banner --details=none -cp classes --scan-classpath --reports-dir . >/dev/null
EOF
# The C lab: the student's Makefile, then each test's input through the program, diffed.
python3 - "$repo/Suites/course-c-make/suite.yaml" >"$work/c-tests.txt" <<'EOF'
import sys, re
# input/answer pairs of the flow-style test lines ({name: .., input: "..", answer: ".."})
for line in open(sys.argv[1]):
    m = re.search(r'input: "(.*?)", answer: "(.*?)"', line)
    if m: print(m.group(1) + "\t" + m.group(2))
EOF
[ -s "$work/c-tests.txt" ] || { echo "no tests read from Suites/course-c-make/suite.yaml" >&2; exit 1; }
cat >"$work/make.sh" <<EOF
set -e
rm -rf "$work/c" && cp -r "$repo/Fixtures/course-c-make/correct" "$work/c"
cd "$work/c" && make -s >/dev/null
while IFS=\$'\t' read -r input answer; do
    diff <(printf "\$input" | ./rpn) <(printf "\$answer") >/dev/null
done < "$work/c-tests.txt"
EOF

runs=${RUNS:-10}
bench() { # NAME BARE-SCRIPT SUITE HAND-IN
    hyperfine -N --warmup 2 --runs "$runs" --export-json "$out/$1.json" \
        -n "$1 bare" "bash $2" \
        -n "$1 proctor" "$bin/proctor run $3 --solution $4 --gradescope $work/$1-results.json"
}
# proctor run exits 0 only when every test is AC: the correct hand-ins are.
bench pytest "$work/pytest.sh" Suites/course-python-pytest/suite.yaml Fixtures/course-python-pytest/correct
bench junit5 "$work/junit.sh" Suites/course-java-junit/suite.yaml Fixtures/course-java-junit/correct
bench make "$work/make.sh" Suites/course-c-make/suite.yaml Fixtures/course-c-make/correct

python3 - "$out" <<'EOF'
import json, sys, os
out = sys.argv[1]
rows = ["| lab | bare (median) | proctor run (median) | ratio |", "| --- | --- | --- | --- |"]
for lab in ("pytest", "junit5", "make"):
    r = {x["command"].split(" ")[-1]: x["median"] for x in json.load(open(os.path.join(out, lab + ".json")))["results"]}
    rows.append(f"| {lab} | {r['bare'] * 1000:.0f} ms | {r['proctor'] * 1000:.0f} ms | {r['proctor'] / r['bare']:.2f}x |")
open(os.path.join(out, "summary.md"), "w").write("\n".join(rows) + "\n")
print("\n".join(rows))
EOF
