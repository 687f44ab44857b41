# mgmt-proxy — build, test, fuzz, bench, demo.
# `make` builds build/mgmt-proxyd and build/mgmt-proxyctl.
# `sudo make check` installs missing packages, then runs unit tests (with
# sanitizers) and the namespace integration tests.

BUILD    ?= build
CC       ?= cc
FUZZ_CC  ?= clang
FUZZ_TIME ?= 30

PKGS     := yaml-0.1 jansson libcrypto libnetfilter_queue libmnl libnftables libnftnl libcurl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

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

.PHONY: all deps check unit integration fuzz bench demo clean install
all: $(BUILD)/mgmt-proxyd $(BUILD)/mgmt-proxyctl

deps:
	@sh tests/install-deps.sh

$(BUILD)/obj/%.o: orchestrator/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

# Templates are compiled into the daemon (templates/embed.sh).
$(GEN): $(TMPL) templates/embed.sh
	@mkdir -p $(@D)
	sh templates/embed.sh $@ $(TMPL)

$(BUILD)/obj/templates_data.o: $(GEN) orchestrator/templates.h
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/san/templates_data.o: $(GEN) orchestrator/templates.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN) -c -o $@ $<

$(BUILD)/fuzz/templates_data.o: $(GEN) orchestrator/templates.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<

$(BUILD)/libcore.a: $(CORE_OBJ)
	$(AR) rcs $@ $^

$(BUILD)/mgmt-proxyd: orchestrator/mgmt-proxyd.c $(BUILD)/libcore.a $(HDRS)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libcore.a $(LDLIBS)

$(BUILD)/mgmt-proxyctl: orchestrator/mgmt-proxyctl.c $(BUILD)/libcore.a $(HDRS)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libcore.a $(LDLIBS)

# Unit tests: one Check binary per tests/unit/test_*.c, built with ASan+UBSan.
$(BUILD)/san/%.o: orchestrator/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN) -c -o $@ $<

$(BUILD)/san/libcore.a: $(SAN_OBJ)
	$(AR) rcs $@ $^

$(BUILD)/san/test_%: tests/unit/test_%.c tests/unit/unit.h $(BUILD)/san/libcore.a
	$(CC) $(CFLAGS) $(SAN) -Itests/unit -o $@ $< $(BUILD)/san/libcore.a \
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

fuzz: deps $(FUZZERS)
	@sh tests/run-fuzz.sh $(BUILD) $(FUZZ_TIME) $(FUZZERS)

bench: deps all
	@sh tests/bench/run.sh $(BUILD)

demo: deps all
	@sh tests/lab/demo.sh $(BUILD)

clean:
	rm -rf $(BUILD)
