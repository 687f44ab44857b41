# mgmt-proxy — build, test, fuzz, bench, demo.
# `make` builds build/mgmt-proxyd and build/mgmt-proxyctl.
# `make check` (as root) installs missing packages, then runs unit tests
# (with sanitizers) and the namespace integration tests.
# check, fuzz, bench and demo run `deps` first and then build in a second
# make: the pkg-config flags below are read when a make parses this file, so
# a make started before the -dev packages existed would link without them.

BUILD    ?= build
# One version, the package's: the first line of debian/changelog.
VERSION  := $(shell sed -n '1s/.*(\(.*\)).*/\1/p' debian/changelog)
CC       ?= cc
FUZZ_CC  ?= clang
FUZZ_TIME ?= 30

PKGS     := yaml-0.1 jansson libcrypto libnetfilter_queue libmnl libnftables libnftnl libcurl
# Asked of pkg-config when first used in a recipe (then kept), never when
# this file is parsed: see the second make above.
pkg_query  = $(or $(pkg_cache_$1),$(eval pkg_cache_$1 := $(shell pkg-config --$1 $(PKGS) 2>/dev/null))$(pkg_cache_$1))
PKG_CFLAGS = $(call pkg_query,cflags)
PKG_LIBS   = $(call pkg_query,libs)

WARN     := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
            -Wmissing-prototypes -Wno-unused-parameter
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -D_GNU_SOURCE $(WARN) -Iorchestrator $(PKG_CFLAGS)
LDLIBS   += $(PKG_LIBS)
SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

MAINS    := orchestrator/mgmt-proxyd.c orchestrator/mgmt-proxyctl.c
CORE_SRC := $(filter-out $(MAINS),$(sort $(wildcard orchestrator/*.c)))
HDRS     := $(wildcard orchestrator/*.h)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))

TMPL     := $(sort $(wildcard templates/*.tmpl)) $(sort $(wildcard haproxy/*.lua))
GEN      := $(BUILD)/gen/templates_data.c

CORE_OBJ := $(CORE_SRC:orchestrator/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/templates_data.o
SAN_OBJ  := $(CORE_SRC:orchestrator/%.c=$(BUILD)/san/%.o) $(BUILD)/san/templates_data.o
FZ_OBJ   := $(CORE_SRC:orchestrator/%.c=$(BUILD)/fuzz/%.o) $(BUILD)/fuzz/templates_data.o
UNITS    := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/san/%)
FUZZERS  := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)

# Installation: `make install PREFIX=/usr DESTDIR=/tmp/root`. The
# configuration, logrotate file and state paths are the daemon's defaults
# under /etc and /var whatever PREFIX is.
PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
UNITDIR    ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc
INSTALL    ?= install
MANPAGES   := man/mgmt-proxyd.8 man/mgmt-proxyctl.8 man/mgmt-proxy.yaml.5

.PHONY: all deps check unit integration fuzz fuzz-run bench demo clean install uninstall deb
all: $(BUILD)/mgmt-proxyd $(BUILD)/mgmt-proxyctl

deps:
	@sh tests/install-deps.sh

$(BUILD)/obj/%.o: orchestrator/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# Templates are compiled into the daemon (templates/embed.sh).
$(GEN): $(TMPL) templates/embed.sh
	@mkdir -p $(@D)
	sh templates/embed.sh $@ $(TMPL)

$(BUILD)/obj/templates_data.o: $(GEN) orchestrator/templates.h
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/san/templates_data.o: $(GEN) orchestrator/templates.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SAN) -c -o $@ $<

$(BUILD)/fuzz/templates_data.o: $(GEN) orchestrator/templates.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<

$(BUILD)/libcore.a: $(CORE_OBJ)
	$(AR) rcs $@ $^

$(BUILD)/mgmt-proxy%: orchestrator/mgmt-proxy%.c $(BUILD)/libcore.a $(HDRS) Makefile
	$(CC) $(CPPFLAGS) $(CFLAGS) -DMGMT_PROXY_VERSION='"$(VERSION)"' $(LDFLAGS) -o $@ $< \
		$(BUILD)/libcore.a $(LDLIBS)

# Unit tests: one Check binary per tests/unit/test_*.c, built with ASan+UBSan.
$(BUILD)/san/%.o: orchestrator/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SAN) -c -o $@ $<

$(BUILD)/san/libcore.a: $(SAN_OBJ)
	$(AR) rcs $@ $^

$(BUILD)/san/test_%: tests/unit/test_%.c $(wildcard tests/unit/*.h) $(BUILD)/san/libcore.a
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SAN) -Itests/unit -o $@ $< $(BUILD)/san/libcore.a \
		$(LDLIBS) $(shell pkg-config --libs check)

unit: $(UNITS)
	@sh tests/run-unit.sh $(UNITS)

integration: all
	@sh tests/run-integration.sh $(BUILD)

check: deps
	@$(MAKE) --no-print-directory all unit
	@$(MAKE) --no-print-directory integration

# Fuzz targets: libFuzzer, each run for FUZZ_TIME seconds on its seed corpus.
$(BUILD)/fuzz/%.o: orchestrator/%.c $(HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<

$(BUILD)/fuzz/libcore.a: $(FZ_OBJ)
	$(AR) rcs $@ $^

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(BUILD)/fuzz/libcore.a
	$(FUZZ_CC) $(CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< \
		$(BUILD)/fuzz/libcore.a $(LDLIBS)

fuzz: deps
	@$(MAKE) --no-print-directory fuzz-run

fuzz-run: $(FUZZERS)
	@sh tests/run-fuzz.sh $(BUILD) $(FUZZ_TIME) $(FUZZERS)

bench: deps
	@$(MAKE) --no-print-directory all
	@sh tests/bench/run.sh $(BUILD)

demo: deps
	@$(MAKE) --no-print-directory all
	@sh tests/lab/demo.sh $(BUILD)

$(BUILD)/mgmt-proxy.service: systemd/mgmt-proxy.service.in Makefile
	@mkdir -p $(@D)
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' $< > $@

install: all $(BUILD)/mgmt-proxy.service
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(SYSCONFDIR)/mgmt-proxy $(DESTDIR)$(SYSCONFDIR)/logrotate.d
	$(INSTALL) -m 0755 $(BUILD)/mgmt-proxyd $(BUILD)/mgmt-proxyctl $(DESTDIR)$(SBINDIR)/
	$(INSTALL) -m 0644 $(BUILD)/mgmt-proxy.service $(DESTDIR)$(UNITDIR)/
	$(INSTALL) -m 0644 man/mgmt-proxyd.8 man/mgmt-proxyctl.8 $(DESTDIR)$(MANDIR)/man8/
	$(INSTALL) -m 0644 man/mgmt-proxy.yaml.5 $(DESTDIR)$(MANDIR)/man5/
	$(INSTALL) -m 0644 dist/mgmt-proxy.logrotate $(DESTDIR)$(SYSCONFDIR)/logrotate.d/mgmt-proxy
	@# An existing configuration is the admin's: never overwritten.
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/mgmt-proxy/mgmt-proxy.yaml ]; then \
		echo "kept $(DESTDIR)$(SYSCONFDIR)/mgmt-proxy/mgmt-proxy.yaml"; \
	else \
		echo "$(INSTALL) -m 0644 dist/mgmt-proxy.yaml $(DESTDIR)$(SYSCONFDIR)/mgmt-proxy/"; \
		$(INSTALL) -m 0644 dist/mgmt-proxy.yaml $(DESTDIR)$(SYSCONFDIR)/mgmt-proxy/; \
	fi

# Removes what install put there; a configuration changed since, the CA and
# the state, run and log directories stay.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/mgmt-proxyd $(DESTDIR)$(SBINDIR)/mgmt-proxyctl \
		$(DESTDIR)$(UNITDIR)/mgmt-proxy.service \
		$(DESTDIR)$(MANDIR)/man8/mgmt-proxyd.8 $(DESTDIR)$(MANDIR)/man8/mgmt-proxyctl.8 \
		$(DESTDIR)$(MANDIR)/man5/mgmt-proxy.yaml.5 \
		$(DESTDIR)$(SYSCONFDIR)/logrotate.d/mgmt-proxy
	@if cmp -s dist/mgmt-proxy.yaml $(DESTDIR)$(SYSCONFDIR)/mgmt-proxy/mgmt-proxy.yaml; then \
		rm -f $(DESTDIR)$(SYSCONFDIR)/mgmt-proxy/mgmt-proxy.yaml; \
		rmdir $(DESTDIR)$(SYSCONFDIR)/mgmt-proxy 2>/dev/null || true; \
	else \
		echo "kept $(DESTDIR)$(SYSCONFDIR)/mgmt-proxy (changed or holds keys)"; \
	fi

# The Debian package, built from a copy of the tracked files (dpkg-buildpackage
# writes next to its source tree), checked with lintian, then installed,
# started, stopped and purged on an overlay of this machine.
deb:
	@command -v dh >/dev/null && command -v lintian >/dev/null || \
		apt-get install -y -q --no-install-recommends debhelper lintian fakeroot
	rm -rf $(BUILD)/deb && mkdir -p $(BUILD)/deb/mgmt-proxy
	git ls-files -z | xargs -0 tar -cf - | tar -xf - -C $(BUILD)/deb/mgmt-proxy
	cd $(BUILD)/deb/mgmt-proxy && dpkg-buildpackage -us -uc -b
	lintian --fail-on error $(BUILD)/deb/*.changes
	bash tests/package/test_deb.sh $(BUILD)/deb/mgmt-proxy_$(VERSION)_*.deb

clean:
	rm -rf $(BUILD)
