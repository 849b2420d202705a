# Proctor: one Makefile for setup, the demo, the tests and the benchmarks.
# `make demo` and `make test` each do all setup first (a fresh Debian machine with Swift).

SWIFT ?= swift
# The tests' output line by line, also into a pipe or a file (stdio buffers it in blocks
# there): what CI shows of a run that hangs or is killed is then where it really stood.
SWIFT_TEST = stdbuf -oL -eL $(SWIFT) test
# Tests that measure time or compare the whole host run alone, after the rest: limits,
# cleanup and the ready cgroup sets (they look at the whole host), a server killed mid-job
# (it must reach "running" before a deadline) and a slow_accepted submission (1.3 s of CPU
# under a wall limit that a saturated machine's parallel tests made it miss), and the cluster
# of three servers on one PostgreSQL (one killed mid-run, its leases timed); the abuse tests
# and the official Judge0 client (answers within seconds, which a saturated machine missed),
# and the image builds (debootstrap and apt load the machine for minutes).
SERIAL_TESTS = LimitTests|CleanupTests|KilledRunnerTests|ReadySetTests|ServeProcessTests|ClusterTests|missingToolchainIsSkippedNotFailed|AbuseTests|officialClient|ImagesTests\.

.PHONY: setup build front front-path release install demo test test-parallel test-serial bench format lint docs clean

setup:
	bash scripts/setup.sh

# Three executables that must sit in one folder: `proctor` (exec, --version) execs
# `proctor-grade` (check, run, verify, eval, help) or `proctor-serve` (the HTTP server), so
# that a one-shot `proctor exec` does not load the grader's and the server's libraries.
build: setup
	$(SWIFT) build --product proctor
	$(SWIFT) build --product proctor-grade
	$(SWIFT) build --product proctor-serve

# The CLI as shipped: the Swift runtime linked statically; the front `proctor` a fully static
# executable (-static-executable, its own scratch path): no dynamic loader, no libstdc++ to
# load and relocate, `proctor --version` 0.8 ms and `proctor exec -- /bin/true` ~2 ms less
# (docs/benchmarks.md). Its generic types' metadata comes from accessor calls, not from
# demangling type names at run time (-disable-concrete-type-metadata-mangled-name-accessors):
# a one-shot run met ~50 such types once each, 0.25 ms of its start. It is copied next to
# its two siblings, which it execs. Benchmarks/bench.sh builds it with `make front`.
FRONT_SCRATCH ?= .build-front
FRONT = $(SWIFT) build -c release --scratch-path $(FRONT_SCRATCH) -Xswiftc -static-executable \
	-Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors
RELEASE_BIN = $$($(SWIFT) build -c release --static-swift-stdlib --show-bin-path)
front:
	$(FRONT) --product proctor

front-path:
	@$(FRONT) --show-bin-path

release: setup
	$(SWIFT) build -c release --static-swift-stdlib --product proctor-grade
	$(SWIFT) build -c release --static-swift-stdlib --product proctor-serve
	$(FRONT) --product proctor
	install -m 0755 "$$($(FRONT) --show-bin-path)/proctor" "$(RELEASE_BIN)/proctor"
	@echo "built $(RELEASE_BIN)/proctor (and proctor-grade, proctor-serve next to it)"

# The three executables into $(PREFIX)/bin (default /usr/local/bin), side by side as they
# must be: `proctor` runs exec and --version, and execs the other two for the rest.
PREFIX ?= /usr/local
install: release
	install -d $(DESTDIR)$(PREFIX)/bin
	for b in proctor proctor-grade proctor-serve; do \
		install -m 0755 "$(RELEASE_BIN)/$$b" $(DESTDIR)$(PREFIX)/bin/$$b; \
	done

demo: build
	bash scripts/demo.sh

# The tests' installs (language toolchains, PostgreSQL, Chromium, debootstrap, pip: minutes on a
# fresh machine) run in the background while the compiler runs; the tests wait for them.
test:
	bash scripts/setup.sh build
	bash scripts/setup.sh start-rest
	@echo "test: build starts at $$(date +%T)"
	$(SWIFT) build --build-tests
	@echo "test: build ended at $$(date +%T)"
	bash scripts/setup.sh wait-rest
	$(MAKE) --no-print-directory test-parallel test-serial

test-parallel:
	@echo "test: the parallel tests start at $$(date +%T)"
	$(SWIFT_TEST) --skip-build --skip '$(SERIAL_TESTS)'

test-serial:
	@echo "test: the serial tests start at $$(date +%T)"
	$(SWIFT_TEST) --skip-build --no-parallel --filter '$(SERIAL_TESTS)'

# Speed benchmark (issue 2): release build, proctor-bench, hyperfine vs bwrap; results in bench-results/.
bench: setup
	bash Benchmarks/bench.sh

# Style: .swift-format (swift-format ships with the toolchain). `make format` rewrites in
# place; `make lint` fails on any difference, and CI runs it before the tests.
FORMAT_PATHS = Sources Tests Benchmarks Package.swift

format:
	$(SWIFT) format -i -r --parallel $(FORMAT_PATHS)

lint:
	$(SWIFT) format lint --strict -r --parallel $(FORMAT_PATHS)

# The Sandbox library's DocC catalog (Sources/Sandbox/Sandbox.docc), built with the
# swift-docc-plugin into .build/plugins/Swift-DocC/outputs/Sandbox.doccarchive.
docs:
	$(SWIFT) package generate-documentation --target Sandbox --warnings-as-errors

clean:
	rm -rf .build .build-front .build-bench .build-bench-static bench-results demo-results
