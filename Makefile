# nnc — build the library (static and shared), the CLI, the tests.
PREFIX  ?= /usr/local
CC      ?= cc
CFLAGS  ?= -O2 -g
NNC_CFLAGS = -std=c11 -Wall -Wextra -D_POSIX_C_SOURCE=200809L -Iinclude -fPIC
LDLIBS  = -lopenblas -lcjson -lpng -lz -lm -lpthread

LIB_SRC = $(wildcard src/*.c src/data/*.c src/kernels/*.c src/model/*.c)
CLI_SRC = $(wildcard cli/*.c)
TEST_SRC = $(wildcard tests/*.c)
LIB_OBJ = $(LIB_SRC:%.c=build/%.o)
CLI_OBJ = $(CLI_SRC:%.c=build/%.o)
TEST_OBJ = $(TEST_SRC:%.c=build/%.o)

MNIST_DIR ?= $(or $(NNC_DATA),data/mnist)

.PHONY: all test run bench bench-kernels install clean
all: build/libnnc.a build/libnnc.so build/nnc build/nnc-bench build/nnc-bench-kernels

$(TEST_OBJ) build/bench/kernels.o: NNC_CFLAGS += -Isrc
# gcc -O2 vectorises a loop only when no scalar remainder is needed; the
# element-wise steps (σ', dropout, optimiser updates) have arbitrary lengths.
# This changes no result: gcc never reorders a float sum without -ffast-math.
VECTORIZE := $(shell $(CC) -fvect-cost-model=cheap -E -x c /dev/null >/dev/null 2>&1 && echo -fvect-cost-model=cheap)
$(LIB_OBJ): NNC_CFLAGS += $(VECTORIZE)
# The AVX-512 and AVX2 kernels are built for their instruction sets and only
# called where the CPU has them.
build/src/kernels/%_avx512.o: NNC_CFLAGS += -mavx512f -mfma
build/src/kernels/%_avx2.o: NNC_CFLAGS += -mavx2 -mfma

build/%.o: %.c $(wildcard include/*.h src/*.h src/*/*.h src/*/*.inc cli/*.h tests/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(NNC_CFLAGS) $(CFLAGS) -c $< -o $@

build/libnnc.a: $(LIB_OBJ)
	ar rcs $@ $^

build/libnnc.so: $(LIB_OBJ)
	$(CC) -shared -o $@ $^ $(LDFLAGS) $(LDLIBS)

build/nnc: $(CLI_OBJ) build/libnnc.a
	$(CC) -o $@ $(CLI_OBJ) build/libnnc.a $(LDFLAGS) $(LDLIBS)

build/nnc-bench: build/bench/bench.o build/libnnc.a
	$(CC) -o $@ build/bench/bench.o build/libnnc.a $(LDFLAGS) $(LDLIBS)

build/nnc-bench-kernels: build/bench/kernels.o build/libnnc.a
	$(CC) -o $@ build/bench/kernels.o build/libnnc.a $(LDFLAGS) $(LDLIBS)

# Seconds per epoch of the reference configurations (docs/PERFORMANCE.md).
bench: build/nnc-bench
	build/nnc-bench $${NNC_MNIST_DIR:-$(MNIST_DIR)}

# The dense products alone, per implementation, on the reference shapes.
bench-kernels: build/nnc-bench-kernels
	build/nnc-bench-kernels

build/nnc_tests: $(TEST_OBJ) build/libnnc.a
	$(CC) -o $@ $(TEST_OBJ) build/libnnc.a $(LDFLAGS) -lcmocka $(LDLIBS)

# The tests. MNIST tests read NNC_MNIST_DIR (default: data/mnist, where
# `make run` puts it) and report themselves skipped when it is absent.
test: build/nnc_tests build/nnc
	NNC_MNIST_DIR="$${NNC_MNIST_DIR:-data/mnist}" build/nnc_tests

# Train the seed's configuration on MNIST, fetching the data first if absent.
run: build/nnc
	@scripts/fetch-mnist.sh $(MNIST_DIR)
	build/nnc train --data $(MNIST_DIR)

install: all
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/bin \
	           $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 build/libnnc.a build/libnnc.so $(DESTDIR)$(PREFIX)/lib
	install -m 644 include/nnc.h $(DESTDIR)$(PREFIX)/include
	install -m 755 build/nnc $(DESTDIR)$(PREFIX)/bin
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(shell sed -n 's/#define NNC_VERSION "\(.*\)"/\1/p' include/nnc.h)|' \
	    nnc.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/nnc.pc

clean:
	rm -rf build
