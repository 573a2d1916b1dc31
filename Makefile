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

.PHONY: all deps deps-core train test bench clean

all: build/train_half_cheetah build/minimal $(TESTS)

deps-core:
	@tools/install-deps core
deps:
	@tools/install-deps all

build/%: examples/%.c $(HEADERS) | deps-core
	@mkdir -p $(dir $@)
	$(CC) -std=c99 $(WARN) $(CFLAGS) -I. $< -o $@ $(LIBS)

build/tests/%: tests/%.c tests/test.h $(HEADERS) | deps-core
	@mkdir -p $(dir $@)
	$(CC) -std=c99 $(WARN) $(CFLAGS) -I. $< -o $@ $(LIBS)

# The unit tests again under AddressSanitizer and UBSan.
build/asan/%: tests/%.c tests/test.h $(HEADERS) | deps-core
	@mkdir -p $(dir $@)
	$(CC) -std=c99 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -I. $< -o $@ $(LIBS)

train: build/train_half_cheetah
	@ARGS="$(ARGS)" tools/train

test: deps all build/asan/test_es build/asan/test_mlp
	@tests/run $(TESTS) build/asan/test_es build/asan/test_mlp $(SCRIPTS)

bench: deps all
	@tools/bench

clean:
	rm -rf build
