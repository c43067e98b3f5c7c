#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs every Debian package that wire's build, tests and benchmarks need.
# Idempotent: installs only what is missing, and runs `apt-get update` only
# when a package is missing and the package lists are absent or stale.
# Works as root, or through sudo for another user.
set -euo pipefail

packages=(
  # build
  g++ cmake ninja-build make pkg-config
  # libraries: CLI parsing, TLS, gzip/deflate
  libcli11-dev libssl-dev zlib1g-dev
  # HTTP/1.1 parsing: llhttp's generated C sources (/usr/share/llhttp), compiled into wire::http
  node-llhttp
  # tests
  libgtest-dev libgmock-dev python3
  # sanitizer runtimes for clang builds and fuzzers; llvm-profdata and llvm-cov for the fuzz
  # coverage report (make fuzz), llvm-symbolizer for sanitizer stack traces
  clang libclang-rt-14-dev llvm
  # network namespaces for tests that need a route of their own; nftables to impair their
  # link where the kernel has no netem (tests/fault/test_netem.py)
  iproute2 nftables
  # benchmarks: Boost.Asio headers for the echo peer, taskset to pin cores
  libboost-dev util-linux
  # real peers the tests and benchmarks start: openssl s_server/s_client, nginx (stream TLS)
  openssl ca-certificates nginx libnginx-mod-stream
  # HTTP client benchmark (bench/http_get.sh): the peers libcurl, POCO, cpp-httplib and the
  # curl CLI; GNU time for peak RSS
  libcurl4-openssl-dev libpoco-dev libcpp-httplib-dev curl time
  # HTTP server benchmark (bench/http_server.sh): the load generator wrk; the peers are
  # nginx, cpp-httplib, Boost.Beast (libboost-dev), POCO and Python's http.server, above
  wrk
  # the instruction counts of the server's hot path (bench/http_server_callgrind.sh)
  valgrind
  # the headless browser test of the HTTP server (a real browser as its client)
  chromium
  # certutil, to make the headless browser trust the test CA (an NSS database in a temporary HOME)
  libnss3-tools
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null; then
  sudo=(sudo)
else
  echo "install-deps: need root or sudo to install: ${missing[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-deps: installing ${missing[*]}"

# Package lists older than a day, or none at all, are refreshed first;
# otherwise try with the lists we have and refresh only if that fails.
lists=/var/lib/apt/lists
if [ -z "$(find "$lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null | head -n1)" ]; then
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
elif ! "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"; then
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
