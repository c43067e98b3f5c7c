#!/usr/bin/env bash
# Installs wire from a build tree into a temporary prefix, then builds
# examples/tcp_server.cpp and tcp_client.cpp against it twice: as a CMake
# project with find_package(wire), and by hand with pkg-config. The CMake-built
# pair then runs the tutorial's exchange on localhost:12345.
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

cmake --install "$build" --prefix "$work/prefix" >/dev/null
test -f "$work/prefix/include/wire/net.hpp"
test -x "$work/prefix/bin/wire"

echo "== find_package(wire)"
cmake -S "$src/tests/package" -B "$work/consumer" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DWIRE_EXAMPLES_DIR="$src/examples" >/dev/null
cmake --build "$work/consumer" >/dev/null

echo "== pkg-config wire"
pcdir=$(dirname "$(find "$work/prefix" -name wire.pc | head -n1)")
PKG_CONFIG_PATH="$pcdir" c++ -o "$work/pc_client" "$src/examples/tcp_client.cpp" \
  $(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs wire)
test -x "$work/pc_client"

echo "== the installed examples talk on localhost:12345"
"$work/consumer/tcp_server" >"$work/server.out" 2>&1 &
server_pid=$!
# Wait (bounded) until the server listens, or has failed.
for _ in $(seq 100); do
  if ss -Hltn 'sport = :12345' | grep -q LISTEN; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then cat "$work/server.out"; exit 1; fi
  sleep 0.1
done
client_out=$("$work/consumer/tcp_client")
wait "$server_pid"
server_pid=
server_out=$(cat "$work/server.out")
echo "server: $server_out"
echo "client: $client_out"
[ "$server_out" = "Received: Hello, server!" ]
[ "$client_out" = "Response: Hello, client!" ]
echo "package test passed"
