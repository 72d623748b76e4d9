# moat: plain `make` builds build/moat; `make run` and `make check` first
# install what is missing (scripts/setup.sh), then run a program or the tests.

CC      ?= cc
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu17 -Wall -Wextra -Werror -Wno-unused-parameter \
           -Wno-missing-field-initializers -fno-strict-aliasing \
           -D_GNU_SOURCE -Isrc -MMD -MP
LDFLAGS ?=
LDLIBS  += -lpthread

BUILD   := build
SRCS    := $(shell find src -name '*.c' | sort)
OBJS    := $(SRCS:%.c=$(BUILD)/obj/%.o)
LIBOBJS := $(filter-out $(BUILD)/obj/src/cmd/%,$(OBJS))

CONF_SRCS := $(wildcard tests/conformance/*.c)
CONF_BINS := $(CONF_SRCS:tests/conformance/%.c=$(BUILD)/conformance/%)
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit/%)
BENCH_SRCS := $(wildcard bench/*.c)
BENCH_BINS := $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)

# The default program shows the sandbox from inside: its PID, its view of /
# and its uname. (A shell needs fork, which comes with the process model.)
CMD ?= /usr/bin/python3 -c 'import os; print("pid", os.getpid(), "in the sandbox"); print(*sorted(os.listdir("/"))); print(*os.uname())'

.PHONY: all setup run check test unit conformance workloads bench clean
all: $(BUILD)/moat

$(BUILD)/moat: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# Conformance programs are static so that the same binary runs natively and
# inside moat without depending on the loader under test.
$(BUILD)/conformance/%: tests/conformance/%.c tests/conformance/tap.h
	@mkdir -p $(dir $@)
	$(CC) -O1 -g -std=gnu17 -Wall -Wextra -Werror -Wno-unused-parameter -D_GNU_SOURCE -static -o $@ $< -lpthread

$(BUILD)/unit/%: tests/unit/%.c $(LIBOBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -std=gnu17 -Wall -Wextra -Werror -D_GNU_SOURCE -o $@ $< -lpthread

setup:
	@bash scripts/setup.sh

run: setup all
	$(BUILD)/moat run -- $(CMD)

check: setup all $(CONF_BINS) $(UNIT_BINS)
	@bash tests/run_all.sh

unit: all $(UNIT_BINS)
	@bash tests/run_all.sh unit

conformance: all $(CONF_BINS)
	@bash tests/run_all.sh conformance

workloads: all
	@bash tests/run_all.sh workloads

bench: setup all $(BENCH_BINS)
	@bash bench/run.sh

clean:
	rm -rf $(BUILD)

-include $(OBJS:.o=.d)
