#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian packages wire needs, in two lists:
#   install-deps.sh          everything: building, the demo, the tests, the benchmarks (make test)
#   install-deps.sh --demo   only what building the library and the tool and running `wire demo`
#                            need (make demo): no test peer, sanitizer, browser or benchmark
#   install-deps.sh [--demo] --list   prints the packages of that list, installs nothing
# Idempotent: installs only what is missing, and runs `apt-get update` only
# when a package is missing and the package lists are absent or stale.
# Works as root, or through sudo for another user.
set -euo pipefail

demo_only=false
list_only=false
for arg in "$@"; do
  case "$arg" in
    --demo) demo_only=true ;;
    --list) list_only=true ;;
    *) echo "usage: install-deps.sh [--demo] [--list]" >&2; exit 2 ;;
  esac
done

# Building wire and running the demo.
demo_packages=(
  # build
  g++ cmake ninja-build make pkg-config
  # libraries: CLI parsing, TLS, gzip/deflate, the Public Suffix List the cookie jar checks (libpsl)
  libcli11-dev libssl-dev zlib1g-dev libpsl-dev
  # HTTP/1.1 parsing: llhttp's generated C sources (/usr/share/llhttp), compiled into wire::http
  node-llhttp
  # data the library reads at run time: the Public Suffix List itself, and /etc/mime.types
  # (the MIME types of static files)
  publicsuffix media-types
)

# The tests and the benchmarks, besides.
packages=(
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
  # curl CLI; GNU time for peak RSS (also test_tcp_python.py: what an idle wire holds)
  libcurl4-openssl-dev libpoco-dev libcpp-httplib-dev curl time
  # HTTP server benchmark (bench/http_server.sh): the load generator wrk; the peers are
  # nginx, cpp-httplib, Boost.Beast (libboost-dev), POCO and Python's http.server, above
  wrk
  # the static-file peer of bench/http_server.sh (its static, pipeline and file tests): h2o,
  # run in the foreground by the benchmark with a generated config, never as a service
  h2o
  # system calls per request of the static servers (bench/http_server.sh, STRACE=1)
  strace
  # the instruction counts of the server's hot path (bench/http_server_callgrind.sh)
  valgrind
  # the headless browser test of the HTTP server (a real browser as its client)
  chromium
  # certutil, to make the headless browser trust the test CA (an NSS database in a temporary HOME)
  libnss3-tools
  # FTP peers of the tests and bench/ftp.sh: pyftpdlib (with pyOpenSSL for its TLS_FTPHandler)
  # under /usr/bin/python3, and vsftpd (run in the foreground by the tests, never as a service)
  python3-pyftpdlib python3-openssl vsftpd
  # SMTP peers of the tests and benchmarks: aiosmtpd (Python), OpenSMTPD (its service is not
  # started: the tests run their own smtpd -d), swaks with the Perl TLS modules its --tls needs
  python3-aiosmtpd opensmtpd swaks libnet-ssleay-perl libio-socket-ssl-perl
)
if $demo_only; then packages=("${demo_packages[@]}"); else packages=("${demo_packages[@]}" "${packages[@]}"); fi
if $list_only; then printf '%s\n' "${packages[@]}"; exit 0; fi

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

# Debian starts vsftpd as a service when it is installed (port 21, every address): the tests
# and benchmarks run their own in the foreground, so the service is stopped and disabled again.
if printf '%s\n' "${missing[@]}" | grep -qx vsftpd && command -v systemctl >/dev/null &&
   [ -d /run/systemd/system ]; then
  "${sudo[@]}" systemctl disable --now vsftpd || true
fi
# Debian's h2o starts a service too (port 80 and 443 in its /etc/h2o/h2o.conf): the benchmark
# runs its own h2o on a free loopback port, so that service is stopped and disabled as well.
if printf '%s\n' "${missing[@]}" | grep -qx h2o && command -v systemctl >/dev/null &&
   [ -d /run/systemd/system ]; then
  "${sudo[@]}" systemctl disable --now h2o || true
fi
