# The two README commands, and helpers. Each target does its own set-up:
# `make demo` and `make test` work on a fresh Debian 12 machine.
.PHONY: all deps deps-demo build build-asan build-tsan demo test test-fast clean

all: build

# Every package: building, tests, sanitizers, benchmarks.
deps:
	bash scripts/install-deps.sh

# Only what building and `wire demo` need.
deps-demo:
	bash scripts/install-deps.sh --demo

build: deps
	cmake --preset default -DWIRE_BUILD_TESTS=ON
	cmake --build --preset default

build-asan: deps
	cmake --preset asan
	cmake --build --preset asan

build-tsan: deps
	cmake --preset tsan
	cmake --build --preset tsan

# The tutorial's exchanges, replayed on loopback against wire's own servers: the libraries and
# the tool only, without the tests (so without their packages).
demo: deps-demo
	cmake --preset default -DWIRE_BUILD_TESTS=OFF
	cmake --build --preset default --target wire_cli
	./build/tools/wire/wire demo

# Every test: the normal build, the same suite under ASan+UBSan, and the
# wire::io tests under ThreadSanitizer.
test: build build-asan build-tsan
	ctest --preset default
	ctest --preset asan
	ctest --preset tsan

# Only the normal build's tests, for a quick check while working.
test-fast: build
	ctest --preset default

clean:
	rm -rf build build-asan build-tsan
