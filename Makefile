# es: `make train` trains HalfCheetah-v5, `make test` runs every test,
# `make bench` prints speed ratios. Missing Debian packages are installed first.
CC      ?= cc
OPT     ?= -O2 -g
WARN    := -Wall -Wextra -pedantic -Wconversion -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS  ?= $(OPT)
LIBS    := -lmujoco -lm -lpthread
HEADERS := es.h es_mlp.h es_env_mujoco.h
TESTS   := $(patsubst tests/%.c,build/tests/%,$(wildcard tests/test_*.c))
SCRIPTS := $(wildcard tests/test_*.sh)

.PHONY: all deps deps-core deps-train train test bench clean

all: build/train_half_cheetah build/minimal build/custom_task build/distributed build/cartpole build/render $(TESTS)

deps-core:
	@tools/install-deps core
deps:
	@tools/install-deps all

build/%: examples/%.c $(HEADERS) | deps-core
	@mkdir -p $(dir $@)
	$(CC) -std=c99 $(WARN) $(CFLAGS) -I. $< -o $@ $(LIBS)

# examples/cartpole.c needs no MuJoCo: built without -lmujoco, as the README says.
build/cartpole: examples/cartpole.c es.h es_mlp.h
	@mkdir -p $(dir $@)
	$(CC) -std=c99 $(WARN) $(CFLAGS) -I. $< -o $@ -lm -lpthread
build/tests/test_cartpole: examples/cartpole.c

# The trainer gets --redis (es_redis.h) when hiredis is installed.
REDIS   := $(if $(wildcard /usr/include/hiredis/hiredis.h),-DES_WITH_REDIS,)
build/train_half_cheetah: examples/train_half_cheetah.c $(HEADERS) es_redis.h | deps-core
	@mkdir -p $(dir $@)
	$(CC) -std=c99 $(WARN) $(CFLAGS) $(REDIS) -I. $< -o $@ $(LIBS) $(if $(REDIS),-lhiredis,)
build/tests/test_redis_payload build/asan/test_redis_payload: es_redis.h
build/tests/test_redis_client: tests/test_redis_client.c tests/test.h $(HEADERS) es_redis.h | deps-core
	@mkdir -p $(dir $@)
	$(if $(REDIS),$(CC) -std=c99 $(WARN) $(CFLAGS) -I. $< -o $@ $(LIBS) -lhiredis,printf '#!/bin/sh\necho "skip - test_redis_client: libhiredis-dev not installed"\n' >$@ && chmod +x $@)
# examples/distributed.c: minimal.c on Redis (needs hiredis).
build/distributed: examples/distributed.c $(HEADERS) es_redis.h | deps-core
	@mkdir -p $(dir $@)
	$(if $(REDIS),$(CC) -std=c99 $(WARN) $(CFLAGS) -I. $< -o $@ $(LIBS) -lhiredis,@echo "build/distributed: skipped (no hiredis)")

build/tests/%: tests/%.c tests/test.h $(HEADERS) | deps-core
	@mkdir -p $(dir $@)
	$(CC) -std=c99 $(WARN) $(CFLAGS) -I. $< -o $@ $(LIBS)

# The unit tests again under AddressSanitizer and UBSan.
build/asan/%: tests/%.c tests/test.h $(HEADERS) | deps-core
	@mkdir -p $(dir $@)
	$(CC) -std=c99 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -I. $< -o $@ $(LIBS)

# make train renders its video at the end: it installs ffmpeg and Mesa too.
deps-train:
	@tools/install-deps train
train: deps-train build/train_half_cheetah
	@ARGS="$(ARGS)" tools/train

ASAN    := build/asan/test_es build/asan/test_mlp build/asan/test_policy build/asan/test_redis_payload build/asan/test_custom_task build/asan/test_strategies
test: deps all $(ASAN)
	@tests/run $(TESTS) $(ASAN) $(SCRIPTS)

bench: deps all
	@tools/bench

# tools/bench.c, the measurements behind make bench (tools/bench).
bench: build/bench
build/bench: tools/bench.c $(HEADERS) | deps-core
	@mkdir -p $(dir $@)
	$(CC) -std=c99 $(WARN) $(CFLAGS) -I. $< -o $@ $(LIBS)

clean:
	rm -rf build
