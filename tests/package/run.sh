#!/usr/bin/env bash
# Installs wire from a build tree into a temporary prefix, then builds
# examples/tcp_server.cpp and tcp_client.cpp against it twice: as a CMake
# project with find_package(wire), and by hand with pkg-config. The CMake-built
# pair then runs the tutorial's exchange on localhost:12345. Then the same with the
# libraries built shared (BUILD_SHARED_LIBS=ON, the library alone, from SOURCE_DIR):
# the consumers must link libwire_*.so and run with them.
# usage: run.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# consume PREFIX NAME: find_package and pkg-config builds against PREFIX, then the exchange.
consume() {
  local prefix=$1 name=$2
  echo "== $name: find_package(wire)"
  cmake -S "$src/tests/package" -B "$work/consumer-$name" -G Ninja \
    -DCMAKE_PREFIX_PATH="$prefix" -DWIRE_EXAMPLES_DIR="$src/examples" >/dev/null
  cmake --build "$work/consumer-$name" >/dev/null

  echo "== $name: pkg-config wire"
  local pcdir
  pcdir=$(dirname "$(find "$prefix" -name wire.pc | head -n1)")
  # wire.pc leaves the language standard to the user: the headers need C++20.
  PKG_CONFIG_PATH="$pcdir" c++ -std=c++20 -o "$work/pc_client-$name" "$src/examples/tcp_client.cpp" \
    $(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs wire)
  test -x "$work/pc_client-$name"
  local cflags
  cflags=$(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags wire)
  if [[ "$cflags" == *-std=* ]]; then
    echo "wire.pc must not force a language standard" >&2
    exit 1
  fi

  echo "== $name: the installed examples talk on localhost:12345"
  "$work/consumer-$name/tcp_server" >"$work/server.out" 2>&1 &
  server_pid=$!
  # Wait (bounded) until the server listens, or has failed.
  for _ in $(seq 100); do
    if ss -Hltn 'sport = :12345' | grep -q LISTEN; then break; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then cat "$work/server.out"; exit 1; fi
    sleep 0.1
  done
  local client_out server_out
  client_out=$("$work/consumer-$name/tcp_client")
  wait "$server_pid"
  server_pid=
  server_out=$(cat "$work/server.out")
  echo "server: $server_out"
  echo "client: $client_out"
  [ "$server_out" = "Received: Hello, server!" ]
  [ "$client_out" = "Response: Hello, client!" ]
}

cmake --install "$build" --prefix "$work/prefix" >/dev/null
test -f "$work/prefix/include/wire/net.hpp"
test -x "$work/prefix/bin/wire"
consume "$work/prefix" static

echo "== shared: the library built with BUILD_SHARED_LIBS=ON"
cmake -S "$src" -B "$work/shared-build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON \
  -DWIRE_BUILD_TESTS=OFF -DWIRE_BUILD_EXAMPLES=OFF -DWIRE_BUILD_TOOLS=OFF >/dev/null
cmake --build "$work/shared-build" >/dev/null
cmake --install "$work/shared-build" --prefix "$work/shared" >/dev/null
ls "$work"/shared/lib*/libwire_net.so.0.1 >/dev/null
consume "$work/shared" shared
# (ldd's output in a variable first: `ldd | grep -q` fails under pipefail when grep stops early)
shared_libs=$(ldd "$work/consumer-shared/tcp_client")
static_libs=$(ldd "$work/consumer-static/tcp_client")
if ! grep -q "libwire_net.so.0.1 => $work/shared" <<<"$shared_libs"; then
  echo "the shared build's consumer does not use the installed libwire_net.so: $shared_libs" >&2
  exit 1
fi
if grep -q libwire_ <<<"$static_libs"; then
  echo "the static build's consumer links a shared wire library: $static_libs" >&2
  exit 1
fi
echo "package test passed"
