# The two README commands, and helpers. Each target does its own set-up:
# `make demo` and `make test` work on a fresh Debian 12 machine.
.PHONY: all deps build build-asan demo test test-fast clean

all: build

deps:
	bash scripts/install-deps.sh

build: deps
	cmake --preset default
	cmake --build --preset default

build-asan: deps
	cmake --preset asan
	cmake --build --preset asan

# The tutorial's exchanges, replayed on loopback against wire's own servers.
demo: build
	./build/tools/wire/wire demo

# Every test: the normal build, then the same suite under ASan+UBSan.
test: build build-asan
	ctest --preset default
	ctest --preset asan

# Only the normal build's tests, for a quick check while working.
test-fast: build
	ctest --preset default

clean:
	rm -rf build build-asan
