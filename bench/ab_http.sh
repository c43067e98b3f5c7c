#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A/B: wire's HTTP server and client from two builds of wire, side by side in one run, for a
# change that must cost nothing (a refactor): paired ratios B/A, and the callgrind count.
#
#   bench/ab_http.sh A_BUILD_DIR B_BUILD_DIR
#
# Each build dir is a Release build with -DWIRE_BUILD_BENCH=ON holding bench/http_hello_server
# and bench/http_get_client (bench/http_server.sh and bench/http_get.sh make one as
# build-bench/; for the old side: `git worktree add --detach ../base REV` and the same cmake
# line there). Environment: ROUNDS [5], DURATION [5] seconds of each wrk run, CONNS [50],
# GETS [20000] keep-alive GETs per client run, SERVER_CPU [1], CLIENT_CPU [0], CALLGRIND [1]
# (0 skips the instruction counts).
#
# Rounds alternate A B A B. Server: wrk -t1 -cCONNS GET / (13 bytes) on keep-alive and with
# Connection: close, against each build's http_hello_server pinned to SERVER_CPU: requests/s
# and the server's CPU µs per request (utime+stime from /proc/PID/stat). Client: each build's
# http_get_client pinned to CLIENT_CPU makes GETS keep-alive GETs of 1 KiB from build A's
# server: GETs/s and the client's CPU µs per GET. Medians over the rounds, and the median of
# the per-round ratios B/A. With CALLGRIND, the server's user-space instructions per request
# under valgrind: the slope between a 3 s and a 12 s wrk run, so start-up does not count.
set -euo pipefail

[ $# -eq 2 ] || { sed -n '5,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
A_DIR=$(realpath "$1")
B_DIR=$(realpath "$2")
ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-5}
CONNS=${CONNS:-50}
GETS=${GETS:-20000}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
CALLGRIND=${CALLGRIND:-1}
for side in "$A_DIR" "$B_DIR"; do
  for p in bench/http_hello_server bench/http_get_client; do
    [ -x "$side/$p" ] || { echo "ab_http.sh: $side/$p is missing (see the usage)" >&2; exit 1; }
  done
done

cd "$(dirname "$0")/.."
BUILD_DIR=$A_DIR
WIRE=""
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_init ab_http
machine_report
WWW=$WORK/www
mkdir -p "$WWW"
head -c 1024 /dev/urandom >"$WWW/1k"

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# server_run DIR CLOSE: one wrk run against DIR's server; prints "req_per_s cpu_us_per_req".
server_run() {
  local dir=$1 close=$2 port pid out reqs secs t0 t1 hz
  port=$(free_port)
  taskset -c "$SERVER_CPU" "$dir/bench/http_hello_server" "$port" "$WWW" >"$WORK/server.log" 2>&1 &
  pid=$!
  STARTED+=("$pid")
  wait_port "$pid" "$port" server
  local args=(-t1 "-c$CONNS" "-d${DURATION}s")
  [ "$close" = 1 ] && args+=(-H "Connection: close")
  t0=$(cpu_ticks "$pid")
  out=$(taskset -c "$CLIENT_CPU" wrk "${args[@]}" "http://127.0.0.1:$port/")
  t1=$(cpu_ticks "$pid")
  stop_started "$pid"
  reqs=$(awk '/requests in/ { print $1 }' <<<"$out")
  secs=$(awk '/requests in/ { sub("s,", "", $4); print $4 }' <<<"$out")
  hz=$(getconf CLK_TCK)
  awk -v r="$reqs" -v s="$secs" -v c=$((t1 - t0)) -v hz="$hz" \
    'BEGIN { printf "%.0f %.2f\n", r / s, c / hz * 1e6 / r }'
}

# client_run DIR PORT: DIR's client against the server on PORT; prints "gets_per_s cpu_us_per_get".
client_run() {
  local line
  line=$(taskset -c "$CLIENT_CPU" "$1/bench/http_get_client" --url "http://127.0.0.1:$2/1k" \
    --requests "$GETS" --size 1024)
  awk -v r="$(field "$line" requests)" -v s="$(field "$line" seconds)" -v c="$(field "$line" cpu_us)" \
    'BEGIN { printf "%.0f %.2f\n", r / s, c / r }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -A rows
for ((round = 1; round <= ROUNDS; round++)); do
  for test in keepalive close; do
    a=$(server_run "$A_DIR" "$([ $test = close ] && echo 1 || echo 0)")
    b=$(server_run "$B_DIR" "$([ $test = close ] && echo 1 || echo 0)")
    rows[$test]+="$a $b"$'\n'
  done
  port=$(free_port)
  taskset -c "$SERVER_CPU" "$A_DIR/bench/http_hello_server" "$port" "$WWW" >"$WORK/server.log" 2>&1 &
  spid=$!
  STARTED+=("$spid")
  wait_port "$spid" "$port" server
  a=$(client_run "$A_DIR" "$port")
  b=$(client_run "$B_DIR" "$port")
  stop_started "$spid"
  rows[client]+="$a $b"$'\n'
done

printf '\n== %d rounds, A = %s, B = %s\n' "$ROUNDS" "$A_DIR" "$B_DIR"
printf '%-10s %12s %12s %8s   %12s %12s %8s\n' test "A rate" "B rate" "B/A" "A cpu us" "B cpu us" "B/A"
for test in keepalive close client; do
  data=$(printf '%s' "${rows[$test]}" | sed '/^$/d')
  ar=$(awk '{ print $1 }' <<<"$data" | median)
  br=$(awk '{ print $3 }' <<<"$data" | median)
  ac=$(awk '{ print $2 }' <<<"$data" | median)
  bc=$(awk '{ print $4 }' <<<"$data" | median)
  rr=$(awk '{ print $3 / $1 }' <<<"$data" | median)
  rc=$(awk '{ print $4 / $2 }' <<<"$data" | median)
  printf '%-10s %12.0f %12.0f %8.3f   %12.2f %12.2f %8.3f\n' "$test" "$ar" "$br" "$rr" "$ac" "$bc" "$rc"
done
echo "(rates: requests/s for the server tests, GETs/s for the client; cpu: µs per request of the"
echo " server under test, or of the client; B/A: the median of the per-round ratios)"

if [ "$CALLGRIND" = 1 ] && command -v valgrind >/dev/null; then
  # instructions DIR SECONDS CLOSE: "requests instructions" of DIR's server under callgrind.
  instructions() {
    local dir=$1 secs=$2 close=$3 port pid out reqs total i
    port=$(free_port)
    out=$WORK/callgrind.out
    valgrind --tool=callgrind --callgrind-out-file="$out" "$dir/bench/http_hello_server" "$port" "$WWW" \
      >"$WORK/valgrind.log" 2>&1 &
    pid=$!
    STARTED+=("$pid")
    wait_port "$pid" "$port" valgrind 60
    local args=(-t1 "-c$CONNS" "-d${secs}s")
    [ "$close" = 1 ] && args+=(-H "Connection: close")
    reqs=$(wrk "${args[@]}" "http://127.0.0.1:$port/" | awk '/requests in/ { print $1 }')
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 600; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    stop_started "$pid"
    total=$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
    echo "$reqs $total"
  }
  echo
  echo "== callgrind: the server's user-space instructions per request (slope of a 3 s and a 12 s run)"
  for test in keepalive close; do
    close=$([ $test = close ] && echo 1 || echo 0)
    line="$test"
    for dir in "$A_DIR" "$B_DIR"; do
      read -r r1 t1 <<<"$(instructions "$dir" 3 "$close")"
      read -r r2 t2 <<<"$(instructions "$dir" 12 "$close")"
      line+=" $(( (t2 - t1) / (r2 - r1) ))"
    done
    read -r name a b <<<"$line"
    printf '%-10s A %8d   B %8d   B/A %.3f\n' "$name" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN { print b / a }')"
  done
fi
