#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# User-space instructions per request of wire's HTTP server and of nginx, by callgrind: the
# repeatable measure used to tune the server's hot path (docs/benchmarks.md, "HTTP server").
#
#   bench/http_server_callgrind.sh [--no-build]
#
# Each server (bench/http_hello_server with one worker; nginx with one process and the
# configuration of bench/http_server.sh) runs under `valgrind --tool=callgrind` on a free port
# of 127.0.0.1 while `wrk -t1 -cCONNS -dDURATION` asks GET / (with Connection: close when
# CLOSE=1); the program's whole instruction count (start-up included, which is small beside
# the requests) divided by wrk's request count is printed per server. Environment: CONNS [50],
# DURATION [8] seconds, CLOSE [0], SERVERS ["wire nginx"], BUILD_DIR [build-bench],
# NGINX [/usr/sbin/nginx]. Every wait is bounded; only processes this script started are
# stopped, by their PID.
set -euo pipefail

CONNS=${CONNS:-50}
DURATION=${DURATION:-8}
CLOSE=${CLOSE:-0}
SERVERS=${SERVERS:-wire nginx}
BUILD=1
case "${1:-}" in
  --no-build) BUILD=0 ;;
  "") ;;
  *) echo "http_server_callgrind.sh: unknown option $1 (--no-build)" >&2; exit 2 ;;
esac
for v in CONNS DURATION CLOSE; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { echo "http_server_callgrind.sh: $v must be a whole number" >&2; exit 2; }
done
for tool in valgrind callgrind_annotate wrk python3; do
  command -v "$tool" >/dev/null || { echo "http_server_callgrind.sh: $tool is missing (scripts/install-deps.sh)" >&2; exit 1; }
done

cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build-bench}
WIRE=""  # bench_build: no wire tool needed here
NGINX=${NGINX:-/usr/sbin/nginx}
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_init http_server_callgrind
[ "$BUILD" = 1 ] && bench_build http_hello_server
WWW=$WORK/www
mkdir -p "$WWW"

WRK_ARGS=(-t1 "-c$CONNS" "-d${DURATION}s")
[ "$CLOSE" = 1 ] && WRK_ARGS+=(-H "Connection: close")
echo "== wrk ${WRK_ARGS[*]} GET /, each server under valgrind --tool=callgrind"

# measure NAME CMD...: runs CMD (listening on $PORT) under callgrind, loads it, prints the count.
measure() {
  local name=$1 out=$WORK/callgrind.$1 pid requests total i
  shift
  valgrind --tool=callgrind --callgrind-out-file="$out" "$@" >"$WORK/$name.log" 2>&1 &
  pid=$!
  STARTED+=("$pid")
  # valgrind starts slowly: up to 60 s to accept.
  if ! wait_port "$pid" "$PORT" "$name" 60; then
    tail -n 5 "$WORK/$name.log" >&2
    return 1
  fi
  requests=$(wrk "${WRK_ARGS[@]}" "http://127.0.0.1:$PORT/" | awk '/requests in/ {print $1}')
  # callgrind writes its file as the program exits, which under valgrind takes a while:
  # up to 60 s after SIGTERM before stop_started's own, shorter, patience.
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 600; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  stop_started "$pid"
  total=$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
  if [ -z "$requests" ] || [ "$requests" -eq 0 ] || [ -z "$total" ]; then
    echo "http_server_callgrind.sh: $name: no measurement (requests '$requests', instructions '$total')" >&2
    return 1
  fi
  printf '%-6s %10d requests %14d instructions %8d per request\n' "$name" "$requests" "$total" \
    $((total / requests))
}

for s in $SERVERS; do
  PORT=$(free_port)
  case "$s" in
    wire) measure wire "$BUILD_DIR/bench/http_hello_server" "$PORT" "$WWW" ;;
    nginx)
      dir=$WORK/nginx
      mkdir -p "$dir/tmp"
      {
        nginx_conf_head "$dir" 1024
        cat <<EOF
  tcp_nodelay on;
  keepalive_requests 1000000;
  keepalive_timeout 300s;
  server {
    listen 127.0.0.1:$PORT;
    location = / {
      default_type text/plain;
      return 200 "Hello, World!";
    }
  }
}
EOF
      } >"$dir/nginx.conf"
      measure nginx "$NGINX" -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" ;;
    *) echo "http_server_callgrind.sh: unknown server $s (wire nginx)" >&2; exit 2 ;;
  esac
done
