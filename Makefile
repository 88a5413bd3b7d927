# SPDX-License-Identifier: ISC
# Leitstand build. `make` builds ./leitstand; see README.md for the other targets.

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc

# Libraries the binary links (pkg-config names) and the Debian packages behind them.
# libcurl, libmicrohttpd and libgit2 are loaded at run time by the daemon and the simulator
# (backend/dl.c): only their headers are needed here.
PKGS      = ncursesw sqlite3 libcjson inih libcrypto md4c
DL_PKGS   = libcurl libmicrohttpd libgit2
TEST_PKGS = cmocka
DEB_BUILD = build-essential pkg-config libncurses-dev libsqlite3-dev libcjson-dev \
            libinih-dev libssl-dev libcurl4-openssl-dev libmicrohttpd-dev libmd4c-dev \
            libgit2-dev
# nodejs brings npm (a repack that bundles it; Debian's own nodejs needs the npm package, which
# deps installs then): they install tests/peers, the OpenTelemetry-instrumented assistant and
# ical.js. tzdata: the zones of on-call rotations ([oncall.Lx] timezone), tested across DST.
DEB_TEST  = libcmocka-dev tmux sqlite3 python3 procps prometheus prometheus-alertmanager git \
            openssh-server openssh-client locales nodejs victoria-metrics groff-base tzdata \
            postfix sasl2-bin libsasl2-modules
DEB_ALL   = $(DEB_BUILD) $(DEB_TEST)

# The compiler flags are in two parts: what the build needs (REQ_*, always passed) and what
# the user or packager chooses (CFLAGS, CPPFLAGS, LDFLAGS, whose defaults below they may
# replace: `make CFLAGS='-O2 -g'`). The user's come last so they win where both set a flag.
# -Werror stays on by default so every build, test run and CI job stops on a new warning;
# WERROR=0 turns it off for a packager whose newer compiler warns where ours does not.
WERROR  ?= 1
WARN     = -Wall -Wextra -Wshadow -Wformat=2 -Wmissing-prototypes \
           -Wstrict-prototypes -Wwrite-strings -Wno-format-nonliteral
ifeq ($(WERROR),1)
WARN    += -Werror
endif
CFLAGS   ?= -O2 -g -fstack-protector-strong
CPPFLAGS ?= -D_FORTIFY_SOURCE=2
LDFLAGS  ?=

# pkg-config name:Debian package. A library pkg-config cannot find stops the build and names
# the package to install (make deps installs them all).
PC_DEB = ncursesw:libncurses-dev sqlite3:libsqlite3-dev libcjson:libcjson-dev \
         inih:libinih-dev libcrypto:libssl-dev md4c:libmd4c-dev libcurl:libcurl4-openssl-dev \
         libmicrohttpd:libmicrohttpd-dev libgit2:libgit2-dev cmocka:libcmocka-dev
pc_missing = $(strip $(foreach p,$(1),$(if $(shell pkg-config --exists $(p) && echo y),,$(p))))
pc_deb     = $(strip $(foreach p,$(1),$(patsubst $(p):%,%,$(filter $(p):%,$(PC_DEB)))))
pc_check   = $(if $(call pc_missing,$(1)),$(error pkg-config: $(call pc_missing,$(1)) not found: \
             apt-get install $(call pc_deb,$(call pc_missing,$(1))) (make deps does it as root)))
# Goals that compile nothing in this make (the others recurse after make deps).
ifneq ($(filter-out clean deps test asan fuzz,$(or $(MAKECMDGOALS),all)),)
ifeq ($(shell command -v pkg-config),)
$(error pkg-config not found: apt-get install pkg-config)
endif
$(call pc_check,$(PKGS) $(DL_PKGS))
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) $(DL_PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))
endif

REQ_CPPFLAGS = -D_GNU_SOURCE -I. $(PKG_CFLAGS)
REQ_CFLAGS   = -std=c11 $(WARN)
ALL_CFLAGS   = $(REQ_CPPFLAGS) $(CPPFLAGS) $(REQ_CFLAGS) $(CFLAGS) $(SAN_CFLAGS)
LDLIBS      += $(PKG_LIBS) -lpthread -lm -ldl

BUILD    ?= build
BACKEND  = $(filter-out backend/main.c,$(wildcard backend/*.c))
TUI      = $(wildcard tui/*.c)
LIB_OBJ  = $(BACKEND:%.c=$(BUILD)/%.o) $(BUILD)/gen/builtin-config.o
TUI_OBJ  = $(TUI:%.c=$(BUILD)/%.o)
MAIN_OBJ = $(BUILD)/backend/main.o
UNIT     = $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(wildcard tests/unit/test-*.c))
# Each fuzz target, built without libFuzzer to replay its corpus in make test.
FUZZ_SRC = $(wildcard tests/fuzz/fuzz-*.c)
REPLAY   = $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/tests/fuzz/%)

.PHONY: all deps check test unit integration screen hostile asan bench fuzz run run-team install clean docs

all: leitstand

# One deps step: install what is missing when root, else print the apt command and stop.
deps:
	@missing=$$(for p in $(DEB_ALL); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "deps: installing $$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
		else \
			echo "deps: missing Debian packages; run:"; \
			echo "  sudo apt-get install -y $$missing"; exit 1; \
		fi; \
	fi
	@# The integration tests run under a German locale (decimal comma).
	@[ -z "$(filter locales,$(DEB_ALL))" ] || locale -a 2>/dev/null | grep -qix 'de_DE.utf8' || { \
		if [ "$$(id -u)" = 0 ]; then localedef -i de_DE -c -f UTF-8 de_DE.UTF-8; \
		else echo "deps: the de_DE.UTF-8 locale is missing; run:"; \
			echo "  sudo localedef -i de_DE -c -f UTF-8 de_DE.UTF-8"; exit 1; fi; }
	@# The third-party peer of the integration tests: npm packages pinned by tests/peers'
	@# package-lock.json, installed again when the lock is newer than node_modules.
	@[ -z "$(filter nodejs,$(DEB_ALL))" ] || \
	{ [ -d tests/peers/node_modules ] && [ tests/peers/node_modules -nt tests/peers/package-lock.json ]; } || { \
		command -v npm >/dev/null || { \
			if [ "$$(id -u)" = 0 ]; then echo "deps: installing npm"; \
				DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null || exit 1; \
			else echo "deps: npm is missing; run:"; echo "  sudo apt-get install -y npm"; exit 1; fi; }; \
		echo "deps: npm ci --prefix tests/peers"; \
		npm ci --prefix tests/peers --no-audit --no-fund --loglevel=error || exit 1; \
		touch tests/peers/node_modules; }

# Replaced by rename: a running daemon keeps its binary.
leitstand: $(BUILD)/leitstand
	@cp $< $@.tmp && mv -f $@.tmp $@

$(BUILD)/leitstand: $(MAIN_OBJ) $(TUI_OBJ) $(BUILD)/libleitstand.a
	@echo "  LD      $@"
	@$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libleitstand.a: $(LIB_OBJ)
	@rm -f $@
	@$(AR) rcs $@ $^

# data/leitstand.ini is the built-in default config: compiled in as a byte array.
$(BUILD)/gen/builtin-config.c: data/leitstand.ini
	@mkdir -p $(dir $@)
	@{ echo '/* Generated from data/leitstand.ini by the Makefile. */'; \
	  echo '#include <stddef.h>'; \
	  echo 'const char config_builtin[] = {'; \
	  od -An -v -tx1 $< | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '0 };'; \
	  echo 'const size_t config_builtin_len = sizeof config_builtin - 1;'; } >$@

$(BUILD)/gen/builtin-config.o: $(BUILD)/gen/builtin-config.c
	@$(CC) $(ALL_CFLAGS) -Wno-missing-variable-declarations -c -o $@ $<

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/fuzz/%: tests/fuzz/%.c tests/fuzz/replay.c $(BUILD)/libleitstand.a
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/unit/%: tests/unit/%.c $(BUILD)/libleitstand.a
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(call pc_check,$(TEST_PKGS))
	@$(CC) $(ALL_CFLAGS) $(shell pkg-config --cflags $(TEST_PKGS)) $(LDFLAGS) -o $@ $^ \
		$(shell pkg-config --libs $(TEST_PKGS)) $(LDLIBS)

# The console's text layout is tested without the rest of the console.
$(BUILD)/tests/unit/test-wrap: $(BUILD)/tui/wrap.o

# The unit tests, then each fuzz target over its corpus (the playbook one over the library).
unit: $(UNIT) $(REPLAY)
	@failed=0; for t in $(UNIT); do $$t || failed=1; done; \
	for r in $(REPLAY); do n=$${r##*/fuzz-}; \
		$$r tests/fuzz/corpus/$$n/* $$([ $$n = playbook ] && echo playbooks/*/*.md) \
		    || failed=1; done; exit $$failed

# The whole suite: unit tests plain and under ASan+UBSan, then the real daemon and console.
test: deps
	$(MAKE) leitstand unit
	$(MAKE) BUILD=build-asan SAN=1 unit
	$(MAKE) integration screen hostile

# The groups that need neither root (other local users, sshd, a tmpfs) nor anything fetched
# from the network (the npm peer): for a packager's build, without make deps. The programs
# the groups start (tmux, sqlite3, git, prometheus, ...) are DEB_TEST's packages.
NEEDS_ROOT = tests/integration/test-durability.sh tests/integration/test-loop.sh \
             tests/integration/test-prompt-remote.sh tests/integration/test-prompts.sh \
             tests/integration/test-sim-release.sh tests/integration/test-signed-releases.sh \
             tests/screen/test-incidents.sh \
             tests/screen/test-oncall-ssh.sh tests/screen/test-prompts.sh
NEEDS_NET  = tests/integration/test-oncall.sh tests/integration/test-otel-peer.sh \
	     tests/integration/test-drift.sh
check_in   = $(filter-out $(NEEDS_ROOT) $(NEEDS_NET),$(wildcard tests/$(1)/test-*.sh))

check: leitstand unit
	LC_ALL= LANG=de_DE.UTF-8 tests/run-suite $(call check_in,integration)
	tests/run-suite $(call check_in,screen)

# Under a German locale: machine numbers must not follow LC_NUMERIC.
integration: leitstand
	LC_ALL= LANG=de_DE.UTF-8 tests/run-suite tests/integration

screen: leitstand
	tests/run-suite tests/screen

# Other local users attacking the daemon, the client and their files (root creates them).
hostile: leitstand
	tests/run-suite tests/hostile

# Everything under ASan+UBSan, including the daemon the integration tests start.
asan: deps
	$(MAKE) BUILD=build-asan SAN=1 unit leitstand-asan
	LEITSTAND=$(CURDIR)/leitstand-asan tests/run-suite tests/integration tests/screen tests/hostile

leitstand-asan: build-asan/leitstand
	@cp $< $@.tmp && mv -f $@.tmp $@

bench: deps leitstand $(BUILD)/bench/ttybench $(BUILD)/bench/fill $(BUILD)/bench/fill-releases \
    $(BUILD)/bench/load
	tests/bench/run

$(BUILD)/bench/ttybench: tests/bench/ttybench.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< -lutil -lm

$(BUILD)/bench/fill: tests/bench/fill.c $(BUILD)/libleitstand.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bench/load: tests/bench/load.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

$(BUILD)/bench/fill-releases: tests/bench/fill-releases.c $(BUILD)/libleitstand.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Each libFuzzer target for FUZZ_SECONDS, seeded with the shipped playbooks; the corpus it grows
# stays in build-fuzz/. Needs clang (installed here when root).
FUZZ_SECONDS ?= 60
FUZZ     = $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)
FUZZ_OBJ = $(BACKEND:%.c=build-fuzz/%.o) build-fuzz/gen/builtin-config.o
FUZZ_CC  = clang -g -O1 -std=c11 -D_GNU_SOURCE -I. \
           $(shell pkg-config --cflags $(PKGS) $(DL_PKGS)) \
           -fsanitize=address,undefined -fno-sanitize-recover=all

fuzz:
	@$(MAKE) --no-print-directory deps DEB_ALL="clang $(DEB_BUILD)"
	@$(MAKE) --no-print-directory $(FUZZ)
	@for f in $(FUZZ); do n=$${f##*/fuzz-}; \
		mkdir -p $$f.corpus && cp tests/fuzz/corpus/$$n/* $$f.corpus/ && \
		if [ $$n = playbook ]; then \
			for s in playbooks/*/*.md; do cp $$s $$f.corpus/$$(echo $$s | tr / _); done; \
		fi && \
		echo "  FUZZ    $$f for $(FUZZ_SECONDS)s (crashes: $$f-crash-*)" && \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
		    -artifact_prefix=$$f-crash- $$f.corpus || exit 1; \
	done

# Kept between runs: a target fuzzed again relinks instead of recompiling everything.
.SECONDARY: $(FUZZ_OBJ)

build-fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	@$(FUZZ_CC) -fsanitize=fuzzer-no-link -c -o $@ $<

build-fuzz/gen/builtin-config.o: $(BUILD)/gen/builtin-config.c
	@mkdir -p $(dir $@)
	@$(FUZZ_CC) -c -o $@ $<

build-fuzz/fuzz-%: tests/fuzz/fuzz-%.c $(FUZZ_OBJ)
	@echo "  FUZZCC  $@"
	@$(FUZZ_CC) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

run: deps leitstand
	./leitstand --demo

# Four-eyes training: as root, two demo users and their consoles side by side in tmux.
run-team: deps leitstand
	./leitstand --demo --team

install: leitstand
	install -D -m 0755 leitstand $(DESTDIR)$(PREFIX)/bin/leitstand
	install -D -m 0644 docs/leitstand.1 $(DESTDIR)$(PREFIX)/share/man/man1/leitstand.1
	install -D -m 0644 data/leitstand.ini $(DESTDIR)$(PREFIX)/share/leitstand/leitstand.ini
	install -D -m 0644 data/leitstand.service $(DESTDIR)$(PREFIX)/share/leitstand/leitstand.service
	for f in playbooks/*/*.md; do \
		install -D -m 0644 $$f $(DESTDIR)$(PREFIX)/share/leitstand/$$f; done
	for f in data/prompts/assistants/*/*; do \
		install -D -m 0644 $$f $(DESTDIR)$(PREFIX)/share/leitstand/$${f#data/}; done

# Rewrites the generated tables of README.md and docs/protocol.md and the man page
# docs/leitstand.1 from the binary.
docs: leitstand
	tools/gen-docs

clean:
	rm -rf build build-asan build-fuzz leitstand leitstand-asan

ifeq ($(SAN),1)
# ASan replaces what _FORTIFY_SOURCE checks; -O1 keeps the reports' stacks readable.
CPPFLAGS   := $(filter-out -D_FORTIFY_SOURCE%,$(CPPFLAGS))
SAN_CFLAGS  = -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
              -fno-sanitize-recover=all
endif

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
