# nnc — thin wrappers over the Meson build (meson.build), so that the usual
# commands stay short. Every target configures its build folder on first use.
BUILD     ?= build
MESON     ?= meson
MNIST_DIR ?= $(or $(NNC_DATA),data/mnist)
PREFIX    ?= /usr/local
LIBDIR    ?=
TEST_ENV   = NNC_MNIST_DIR="$${NNC_MNIST_DIR:-data/mnist}"

.PHONY: all run test test-sanitize test-tsan test-valgrind test-aarch64 fuzz bench bench-kernels \
        install uninstall clean

all: $(BUILD)/build.ninja
	$(MESON) compile -C $(BUILD)

$(BUILD)/build.ninja:
	$(MESON) setup $(BUILD) --prefix=$(PREFIX)

# Train the tutorial's network on MNIST, fetching the data first if absent.
run: all
	@scripts/fetch-mnist.sh $(MNIST_DIR)
	$(BUILD)/nnc train --data $(MNIST_DIR)

# The tests; they end with a line "nnc tests: N passed, N failed, N skipped".
# MNIST tests read NNC_MNIST_DIR (default data/mnist) and skip without it.
# `meson test -C build [GROUP...]` runs them as one Meson test per group
# (tests/meson.build lists the groups).
test: all
	$(TEST_ENV) $(BUILD)/tests/nnc_tests

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer: the
# test setup "asan" (tests/meson.build) of a build folder configured for them.
test-sanitize:
	[ -f build-sanitize/build.ninja ] || $(MESON) setup build-sanitize \
	    -Db_sanitize=address,undefined -Db_lundef=false
	$(MESON) compile -C build-sanitize nnc:executable nnc:shared_library tests/nnc_tests
	$(TEST_ENV) $(MESON) test -C build-sanitize --no-rebuild --setup asan --print-errorlogs

# The thread pool and the threaded training and kernel tests (the groups of
# the suite "threads") under ThreadSanitizer, without OpenBLAS (whose own
# threads it cannot see into).
test-tsan:
	[ -f build-tsan/build.ninja ] || $(MESON) setup build-tsan -Db_sanitize=thread \
	    -Db_lundef=false -Dblas=disabled
	$(MESON) compile -C build-tsan nnc:executable nnc:shared_library tests/nnc_tests
	$(MESON) test -C build-tsan --no-rebuild --setup tsan --suite threads --print-errorlogs

# Under valgrind's memcheck, no error and no leak: the groups of the suite
# "memcheck" (the test setup "valgrind"), then one training run of the command.
test-valgrind: all
	$(TEST_ENV) $(MESON) test -C $(BUILD) --setup valgrind --suite memcheck --print-errorlogs
	$(BUILD)/tests/nnc_tests pinned >/dev/null   # writes the small tables it trains on
	valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=all \
	    --suppressions=tests/valgrind.supp \
	    $(BUILD)/nnc train --data $(BUILD)/test-scratch/pin-train.csv \
	    --test $(BUILD)/test-scratch/pin-test.csv --layers 16,12,4 --epochs 2 \
	    --save $(BUILD)/test-scratch/valgrind.nnc
	@echo "valgrind: no errors, no leaks"

# Cross-built for 64-bit ARM (no SIMD kernels there) and run under qemu-user.
test-aarch64:
	[ -f build-aarch64/build.ninja ] || $(MESON) setup build-aarch64 \
	    --cross-file scripts/aarch64-linux-gnu.ini
	$(MESON) compile -C build-aarch64 nnc:executable nnc:shared_library tests/nnc_tests
	$(TEST_ENV) NNC_TEST_WRAPPER=qemu-aarch64 qemu-aarch64 build-aarch64/tests/nnc_tests

# Every reader's fuzz target for FUZZ_SECONDS each, under ASan and UBSan
# (clang's libFuzzer; scripts/fuzz.sh says what each run found). The readers
# use no SIMD kernel, and leaving them out makes the build minutes shorter.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS = $(addprefix fuzz_,idx idx_gz csv pickle model json checkpoint png jpeg pgm table serve)
fuzz:
	[ -f build-fuzz/build.ninja ] || CC=clang $(MESON) setup build-fuzz -Dfuzz=true \
	    -Db_sanitize=address,undefined -Db_lundef=false -Dsimd=false
	$(MESON) compile -C build-fuzz $(FUZZ_TARGETS)
	scripts/fuzz.sh build-fuzz $(FUZZ_SECONDS)

# Seconds per epoch against this machine's SGEMM rate (docs/PERFORMANCE.md).
bench: all
	$(BUILD)/bench/nnc-bench $${NNC_MNIST_DIR:-$(MNIST_DIR)}

# The dense products alone, per implementation, on the reference shapes.
bench-kernels: all
	$(BUILD)/bench/nnc-bench-kernels

install: all
	$(MESON) configure $(BUILD) -Dprefix=$(PREFIX) $(if $(LIBDIR),-Dlibdir=$(LIBDIR))
	$(MESON) install -C $(BUILD) $(if $(DESTDIR),--destdir $(DESTDIR))

uninstall:
	ninja -C $(BUILD) uninstall

clean:
	rm -rf $(BUILD) build-sanitize build-tsan build-aarch64 build-fuzz
