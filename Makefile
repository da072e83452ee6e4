# grader — an autograder for inter-process communication assignments (Linux only).
#
#   make grade   install missing dependencies, build, grade the bundled submissions into reports/
#   make test    install missing dependencies, build, run every test (unit + end to end)
#
# Other targets: all (build/grader), deps, test-deps, print-deps, unit, valgrind, bench,
# install, gradescope ASSIGNMENT=x, check-portability, clean, format.

PREFIX ?= /usr/local
CC ?= cc

# The Debian packages, listed here and nowhere else (README.md's table is checked against
# these lines by `make unit`; `make print-deps` prints them).
# Building the grader and grading (`make deps`, `make grade`): the compiler, the C library's
# headers and make (also what the spec's build commands run), pkg-config and the four
# libraries the grader links (libarchive reads the LMSs' zip downloads: `grader import`).
# Gradescope's setup.sh installs these (those missing).
DEB_PACKAGES := gcc libc6-dev make pkg-config libyaml-dev libjansson-dev libseccomp-dev libarchive-dev
# What the tests add (`make test-deps`, `make test`): Criterion, util-linux's setpriv,
# setsid and ipcs, a browser (chromium) to load the class report, zip and unzip for the
# Gradescope package, xmllint to check junit.xml against its schema, mandoc to check the
# manual page, a one-node Slurm cluster for the shards (grader/tests/slurm).
TEST_DEB_PACKAGES := libcriterion-dev util-linux chromium zip unzip libxml2-utils mandoc \
	slurm-wlm munge
# What `make bench` adds: jq to read reports, GNU time for peak memory, bubblewrap to compare
# sandboxes, stress-ng to load the machine (bench/determinism.sh).
BENCH_DEB_PACKAGES := jq time bubblewrap stress-ng

PKGS := yaml-0.1 jansson libseccomp libarchive
# Recursively expanded on purpose: pkg-config runs only when a recipe needs it,
# that is after `deps` has installed it.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
# librt: mq_unlink and shm_open live there before glibc 2.34 (an empty stub after).
PKG_LIBS = $(shell pkg-config --libs $(PKGS)) -lm -lrt
CRITERION_LIBS = $(shell pkg-config --libs criterion)

WARN := -Wall -Wextra -Wmissing-prototypes -Werror
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) -g -MMD -MP
OPT_CFLAGS := -O2
SAN_CFLAGS := -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

SRCS := $(filter-out grader/main.c,$(wildcard grader/*.c))
OBJS := $(SRCS:grader/%.c=build/obj/%.o)
SAN_OBJS := $(SRCS:grader/%.c=build/san/%.o)
TEST_SRCS := $(wildcard grader/tests/*.c)
TEST_OBJS := $(TEST_SRCS:grader/tests/%.c=build/san/tests/%.o)

.PHONY: all deps test-deps print-deps grade gradescope test unit valgrind bench install clean format \
	check-portability

all: build/grader

# Symbols bound at start-up (-z now), once, in the grader: lazily, each sandbox's
# init and each forked child would look up every libc function it calls again,
# and dirty the pages of the GOT (copy-on-write) doing so.
OPT_LDFLAGS := -Wl,-z,now

build/grader: $(OBJS) build/obj/main.o
	$(CC) $(OPT_CFLAGS) $(OPT_LDFLAGS) -o $@ $^ $(PKG_LIBS)

build/obj/%.o: grader/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(OPT_CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

# The test build: every module, the grader itself and the tests under ASan and UBSan.
build/san/grader: $(SAN_OBJS) build/san/main.o
	$(CC) $(SAN_CFLAGS) -o $@ $^ $(PKG_LIBS)

build/san/%.o: grader/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(SAN_CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

build/san/tests/%.o: grader/tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(SAN_CFLAGS) $(PKG_CFLAGS) -Igrader -c -o $@ $<

build/san/unit-tests: $(SAN_OBJS) $(TEST_OBJS)
	$(CC) $(SAN_CFLAGS) -o $@ $^ $(PKG_LIBS) $(CRITERION_LIBS)

-include $(wildcard build/obj/*.d build/san/*.d build/san/tests/*.d)

# Installs only what is missing, so it is quick on a machine that has everything: as root
# with apt-get, otherwise through sudo when sudo needs no password.  Otherwise it says which
# packages are missing and the command that installs them, and stops.  SKIP_DEPS=1 skips
# the check (a machine without dpkg, whose equivalents are installed by hand).
define install_missing
	@[ -z "$(SKIP_DEPS)" ] || exit 0; \
	if ! command -v dpkg-query >/dev/null 2>&1; then \
		echo "deps: dpkg-query not found: this is not a Debian-based system." >&2; \
		echo "deps: install the equivalents of these Debian packages, then run make again" \
			"with SKIP_DEPS=1:" >&2; \
		echo "    $(strip $(1))" >&2; \
		exit 1; \
	fi; \
	missing=""; \
	for p in $(1); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	[ -n "$$missing" ] || exit 0; \
	install="apt-get install -y --no-install-recommends$$missing"; \
	if [ "$$(id -u)" -eq 0 ]; then \
		sudo=""; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
		sudo="sudo "; \
	else \
		echo "deps: these Debian packages are missing:$$missing" >&2; \
		if command -v sudo >/dev/null 2>&1; then \
			echo "deps: sudo needs a password here, which make does not ask for; install them with:" >&2; \
			echo "    sudo apt-get update && sudo $$install" >&2; \
		else \
			echo "deps: you are not root and there is no sudo; as root, install them with:" >&2; \
			echo "    apt-get update && $$install" >&2; \
		fi; \
		echo "deps: then run make $(MAKECMDGOALS) again." >&2; \
		exit 1; \
	fi; \
	echo "deps: installing$$missing"; \
	$${sudo}apt-get update -qq && \
	$${sudo}env DEBIAN_FRONTEND=noninteractive $$install -qq
endef

deps:
	$(call install_missing,$(DEB_PACKAGES))

# One check for both groups, so that one message names everything missing.
test-deps:
	$(call install_missing,$(DEB_PACKAGES) $(TEST_DEB_PACKAGES))

# One line a group: the group's Makefile variable, then its packages.
print-deps:
	@echo "DEB_PACKAGES $(DEB_PACKAGES)"
	@echo "TEST_DEB_PACKAGES $(TEST_DEB_PACKAGES)"
	@echo "BENCH_DEB_PACKAGES $(BENCH_DEB_PACKAGES)"

# Batch-grades every bundled assignment's submissions into reports/<assignment>/
# (a student's failing tests are the expected outcome; a spec error (2) or a
# grader fault (3) stops the run).
grade: deps
	@$(MAKE) --no-print-directory build/grader
	@for spec in testcases/*/spec.yaml; do \
		a=$$(basename $$(dirname $$spec)); \
		[ -d "submissions/$$a" ] || continue; \
		echo "== $$a"; \
		./build/grader batch "$$spec" "submissions/$$a" -o "reports/$$a" || exit $$?; \
	done; \
	echo; echo "Reports written to $$(pwd)/reports/"; \
	for html in reports/*/index.html; do echo "  $$(pwd)/$$html"; done

# An autograder zip in Gradescope's layout for one assignment: make gradescope ASSIGNMENT=pipe_hello
# Gradescope unpacks it into /autograder/source, so setup.sh, run_autograder and the
# sources sit at the zip's root (docs/ci.md).  GRADESCOPE_DIR: where the zip goes.
GRADESCOPE_DIR ?= build/gradescope
gradescope:
	@[ -n "$(ASSIGNMENT)" ] && [ -f "testcases/$(ASSIGNMENT)/spec.yaml" ] || \
		{ echo "usage: make gradescope ASSIGNMENT=<one of: $$(ls testcases | tr '\n' ' ')>" >&2; exit 2; }
	@stage=$(GRADESCOPE_DIR)/$(ASSIGNMENT) && rm -rf $$stage && mkdir -p $$stage && \
	tar cf - Makefile grader/*.c grader/*.h testcases/$(ASSIGNMENT) | tar xf - -C $$stage && \
	for f in setup.sh run_autograder; do \
		sed 's/@ASSIGNMENT@/$(ASSIGNMENT)/g; s/@PACKAGES@/$(DEB_PACKAGES)/g' gradescope/$$f > $$stage/$$f && \
		chmod 755 $$stage/$$f || exit 1; \
	done && \
	cd $$stage && rm -f ../$(ASSIGNMENT).zip && find . -type f | sed 's|^\./||' | sort | zip -q -X ../$(ASSIGNMENT).zip -@
	@echo "Gradescope autograder: $(GRADESCOPE_DIR)/$(ASSIGNMENT).zip"

test: test-deps
	@$(MAKE) --no-print-directory build/grader build/san/grader build/san/unit-tests
	@$(MAKE) --no-print-directory unit

# One Criterion run holds the unit tests and the end-to-end tests (which run
# build/san/grader on the bundled submissions), so `make test` ends with its summary.
# grader/tests/run_suite.sh runs it as the current user and, as root, again as uid 65534
# (the way a student's laptop runs it), each time with a private TMPDIR that must hold no
# grader-* folder afterwards, and fails if the checkout holds anything new outside build/.
# README.md's package table must agree with the lists above.
unit:
	@grader/tests/check_deps_doc.sh README.md "$$($(MAKE) --no-print-directory -s print-deps)"
	@grader/tests/run_suite.sh

# The grader itself under valgrind on a few real submissions (the students' programs are not
# valgrind's business: --trace-children=no).
valgrind: build/grader
	@for sub in submissions/pipe_hello/*/; do \
		valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
			./build/grader grade testcases/pipe_hello "$$sub" -o build/valgrind-reports >/dev/null; \
		[ $$? -eq 99 ] && { echo "valgrind: errors grading $$sub" >&2; exit 1; }; \
	done; true
	@# The batch's workers are forks: valgrind follows them.
	@valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
		./build/grader batch testcases/pipe_hello submissions/pipe_hello -j 2 \
		-o build/valgrind-reports/batch >/dev/null 2>&1; \
	[ $$? -eq 99 ] && { echo "valgrind: errors in batch" >&2; exit 1; }; echo "valgrind: clean"

# Speed is measured here, never in timed tests.  BENCH_BATCH students for batch_bench.sh.
BENCH_BATCH ?= 200
BENCH_CLASS ?= 1000
bench:
	$(call install_missing,$(DEB_PACKAGES) $(BENCH_DEB_PACKAGES))
	@$(MAKE) --no-print-directory build/grader build/bench/sandbox_overhead build/bench/trace_overhead \
		build/bench/floor_grader
	bench/run_bench.sh
	@# The whole bundled class, hanging submissions included (about 2.3 s each at -j 1):
	@# -j 1 against -j 2, the grader's peak memory, and a --resume re-run.
	bench/batch_bench.sh $(BENCH_BATCH)
	@# A course at scale: BENCH_CLASS submissions per bundled assignment, grader against the
	@# naive floor (build/bench/floor_grader), interleaved.  Long: about 10 minutes at 1000.
	bench/class_bench.sh $(BENCH_CLASS)
	@# 1,000 submissions as 4 shards against one batch, students per node-minute, and
	@# grader report on 10,000 reports (docs/scale.md; its section of bench/results.md).
	bench/shard_bench.sh
	@# index.html of 300 and 1,000 students in headless Chromium: size, load, sort, filter, 400 px.
	bench/html_bench.sh
	@# perturb on grader/tests/races: each racy program fails every grading and half its runs,
	@# the correct ones never (10 gradings of 10 runs per pair, each with another --seed).
	bench/race_bench.sh
	@# Last, as it loads the machine: every bundled submission graded 3 times idle and 3 times
	@# beside stress-ng; fails when a verdict changed.
	bench/determinism.sh

build/bench/%: bench/%.c bench/bench_util.c $(OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(OPT_CFLAGS) $(PKG_CFLAGS) -Igrader -o $@ $< bench/bench_util.c $(OBJS) $(PKG_LIBS)

# The program, its manual page (man grader) and its bash completion, which
# bash-completion loads from that folder on first use.
install: build/grader
	install -D -m 755 build/grader $(DESTDIR)$(PREFIX)/bin/grader
	install -D -m 644 docs/grader.1 $(DESTDIR)$(PREFIX)/share/man/man1/grader.1
	install -D -m 644 contrib/completion/grader.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/grader

# The oldest C library the grader supports: the build and `make test` in a
# Debian 11 (bullseye, glibc 2.31) root made with debootstrap and cached in
# PORTABILITY_ROOT (rm -rf it to start afresh); .ci/check-portability says how.
# Root only: debootstrap and the mounts need it.
PORTABILITY_SUITE ?= bullseye
PORTABILITY_MIRROR ?= http://deb.debian.org/debian
PORTABILITY_ROOT ?= build/portability/$(PORTABILITY_SUITE)

check-portability:
	@[ "$$(id -u)" -eq 0 ] || { echo "check-portability: run it as root (debootstrap, mounts)" >&2; exit 2; }
	$(call install_missing,debootstrap)
	.ci/check-portability $(PORTABILITY_SUITE) $(PORTABILITY_ROOT) $(PORTABILITY_MIRROR)

format:
	clang-format -i grader/*.c grader/*.h grader/tests/*.c

clean:
	rm -rf build
