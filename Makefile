# es: `make train` trains HalfCheetah-v5, `make test` runs every test,
# `make bench` prints speed ratios. Missing Debian packages are installed first.
#
# MUJOCO=/prefix builds and runs everything against the MuJoCo in that folder
# (a release tarball unpacked, or any install prefix holding include/mujoco
# and lib/libmujoco.so*) instead of Debian's libmujoco-dev, which is then not
# installed. BUILD=dir puts the programs elsewhere (default build/).
CC      ?= cc
OPT     ?= -O2 -g
WARN    := -Wall -Wextra -pedantic -Wconversion -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS  ?= $(OPT)
BUILD   ?= build
# A prefix given once is remembered (BUILD/mujoco.prefix); MUJOCO= forgets it.
MUJOCO  ?= $(shell cat $(BUILD)/mujoco.prefix 2>/dev/null)
,       := ,
MJDIR   := $(abspath $(MUJOCO))
MJFLAGS := $(if $(MUJOCO),-isystem $(MJDIR)/include,)
LIBS    := $(if $(MUJOCO),-L$(MJDIR)/lib -Wl$(,)-rpath$(,)$(MJDIR)/lib,) -lmujoco -lm -lpthread
HEADERS := es.h es_mlp.h es_env_mujoco.h
TESTS   := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/test_*.c))
SCRIPTS := $(wildcard tests/test_*.sh)
# The scripts, tools/render and the second test pass read these.
export MUJOCO BUILD

.PHONY: all deps deps-core deps-train train test bench clean FORCE

all: $(BUILD)/train_half_cheetah $(BUILD)/minimal $(BUILD)/custom_task $(BUILD)/distributed $(BUILD)/cartpole $(BUILD)/render $(TESTS)

deps-core:
	@tools/install-deps core
deps:
	@tools/install-deps all

# Rebuilds everything when MUJOCO changes: the prefix is kept in this file.
$(BUILD)/mujoco.prefix: FORCE
	@mkdir -p $(dir $@)
	@[ -f $@ ] && [ "$$(cat $@)" = "$(MJDIR)" ] || echo "$(MJDIR)" > $@
MJDEPS  := $(HEADERS) $(BUILD)/mujoco.prefix

# Programs that scripts run while make may rebuild them (tools/sweep's runs)
# are linked to a temporary name and renamed: a run never execs a half-written file.
$(BUILD)/%: examples/%.c $(MJDEPS) | deps-core
	@mkdir -p $(dir $@)
	$(CC) -std=c99 $(WARN) $(CFLAGS) -I. $(MJFLAGS) $< -o $@.tmp$$$$ $(LIBS) && mv -f $@.tmp$$$$ $@

# examples/cartpole.c needs no MuJoCo: built without -lmujoco, as the README says.
$(BUILD)/cartpole: examples/cartpole.c es.h es_mlp.h
	@mkdir -p $(dir $@)
	$(CC) -std=c99 $(WARN) $(CFLAGS) -I. $< -o $@ -lm -lpthread
$(BUILD)/tests/test_cartpole: examples/cartpole.c

# The trainer gets --redis (es_redis.h) when hiredis is installed. What
# was built before it was (a trainer without --redis, stubs) is built
# again: the stamp's name says which, and a new one is newer than them.
HIREDIS_H ?= /usr/include/hiredis/hiredis.h
REDIS   := $(if $(wildcard $(HIREDIS_H)),-DES_WITH_REDIS,)
REDIS_STAMP := $(BUILD)/redis-$(if $(REDIS),yes,no).stamp
$(REDIS_STAMP):
	@mkdir -p $(dir $@) && rm -f $(BUILD)/redis-*.stamp && touch $@
$(BUILD)/train_half_cheetah: examples/train_half_cheetah.c $(MJDEPS) es_redis.h $(REDIS_STAMP) | deps-core
	@mkdir -p $(dir $@)
	$(CC) -std=c99 $(WARN) $(CFLAGS) $(REDIS) -I. $(MJFLAGS) $< -o $@.tmp$$$$ $(LIBS) $(if $(REDIS),-lhiredis,) && mv -f $@.tmp$$$$ $@
$(BUILD)/tests/test_redis_payload $(BUILD)/asan/test_redis_payload: es_redis.h
$(BUILD)/tests/test_redis_client: tests/test_redis_client.c tests/test.h $(MJDEPS) es_redis.h $(REDIS_STAMP) | deps-core
	@mkdir -p $(dir $@)
	$(if $(REDIS),$(CC) -std=c99 $(WARN) $(CFLAGS) -I. $(MJFLAGS) $< -o $@ $(LIBS) -lhiredis,printf '#!/bin/sh\necho "skip - test_redis_client: libhiredis-dev not installed"\n' >$@ && chmod +x $@)
# examples/distributed.c: minimal.c on Redis (needs hiredis).
$(BUILD)/distributed: examples/distributed.c $(MJDEPS) es_redis.h $(REDIS_STAMP) | deps-core
	@mkdir -p $(dir $@)
	$(if $(REDIS),$(CC) -std=c99 $(WARN) $(CFLAGS) -I. $(MJFLAGS) $< -o $@ $(LIBS) -lhiredis,@echo "$@: skipped (no hiredis)")

$(BUILD)/tests/%: tests/%.c tests/test.h $(MJDEPS) | deps-core
	@mkdir -p $(dir $@)
	$(CC) -std=c99 $(WARN) $(CFLAGS) -I. $(MJFLAGS) $< -o $@ $(LIBS)

# The unit tests again under AddressSanitizer and UBSan.
$(BUILD)/asan/%: tests/%.c tests/test.h $(MJDEPS) | deps-core
	@mkdir -p $(dir $@)
	$(CC) -std=c99 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -I. $(MJFLAGS) $< -o $@ $(LIBS)

# make train renders its video at the end: it installs ffmpeg and Mesa too.
deps-train:
	@tools/install-deps train
train: deps-train $(BUILD)/train_half_cheetah
	@ARGS="$(ARGS)" tools/train

# Second pass: the MuJoCo-dependent tests again against MuJoCo 3.12.0, built
# once from ../shared/mujoco into build/mujoco-3.12.0 (kept between runs);
# MUJOCO3=/prefix uses a MuJoCo 3.x already installed there instead.
MUJOCO3 ?=
export MUJOCO3
ASAN    := $(BUILD)/asan/test_es $(BUILD)/asan/test_mlp $(BUILD)/asan/test_policy $(BUILD)/asan/test_redis_payload $(BUILD)/asan/test_custom_task $(BUILD)/asan/test_strategies
test: deps all $(ASAN)
	@tests/run $(TESTS) $(ASAN) $(SCRIPTS) tests/mujoco3.sh

bench: deps all
	@tools/bench

# tools/bench.c, the measurements behind make bench (tools/bench).
bench: $(BUILD)/bench
$(BUILD)/bench: tools/bench.c $(MJDEPS) | deps-core
	@mkdir -p $(dir $@)
	$(CC) -std=c99 $(WARN) $(CFLAGS) -I. $(MJFLAGS) $< -o $@ $(LIBS)

clean:
	rm -rf build
FORCE:
