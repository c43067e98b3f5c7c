# The two README commands, and helpers. Each target does its own set-up:
# `make demo` and `make test` work on a fresh Debian 12 machine.
.PHONY: all deps deps-demo build build-asan build-tsan build-fuzz demo test test-fast fuzz soak clean

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

# The fuzz targets with clang's libFuzzer, ASan and UBSan (tests/fuzz/CMakeLists.txt).
build-fuzz: deps
	cmake --preset fuzz
	cmake --build --preset fuzz

# The tutorial's exchanges, replayed on loopback against wire's own servers: the libraries and
# the tool only, without the tests (so without their packages).
demo: deps-demo
	cmake --preset default -DWIRE_BUILD_TESTS=OFF
	cmake --build --preset default --target wire_cli
	./build/tools/wire/wire demo

# Every test: the normal build (fault injection and a short soak included), the same suite
# under ASan+UBSan, the wire::io tests under ThreadSanitizer, and every fuzz target, two at a
# time, for a share of WIRE_FUZZ_BUDGET (200 s in all: about 20 s each for 19 targets).
test: build build-asan build-tsan build-fuzz
	ctest --preset default
	ctest --preset asan
	ctest --preset tsan
	ctest --preset fuzz

# Each fuzz target for FUZZ_SECONDS (300 s by default), then the coverage its corpus reaches.
fuzz: build-fuzz
	bash tests/fuzz/fuzz.sh

# The HTTP server under load and misbehaving clients for SOAK_SECONDS (300 s by default).
soak: build
	bash bench/soak.sh --seconds $${SOAK_SECONDS:-300}

# Only the normal build's tests, for a quick check while working.
test-fast: build
	ctest --preset default

clean:
	rm -rf build build-asan build-tsan build-fuzz build-fuzz-coverage
