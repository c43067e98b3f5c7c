#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# SMTP benchmark (docs/benchmarks.md, "SMTP"): issue 14's table in one run.
#
#   bench/smtp.sh [--rounds N] [--messages N] [--no-build]
#
# Environment: BUILD_DIR (build-bench), WIRE (the wire tool of that build), PYTHON
# (/usr/bin/python3, whose aiosmtpd and smtplib are the peers), SERVER_CPU and CLIENT_CPU
# (default 0 and 1) choose the cores.
#
# Servers, each one process (one thread) pinned to SERVER_CPU, started once:
#   aiosmtpd        bench/peers/aiosmtpd_sink.py --discard: every message dropped
#   wire-sink       `wire mail serve --threads 1` without a Maildir: each message printed to
#                   stdout (/dev/null). The fast pipelining-aware sink: wire's own server,
#                   because it offers PIPELINING and costs a few µs per message, where a Python
#                   asyncio sink would cost as much as the smtplib client it should outrun
#   aiosmtpd-maildir  aiosmtpd_sink.py MAILDIR: tmp/ → fsync → new/ → fsync of new/
#   wire-maildir    `wire mail serve --threads 1 --maildir DIR`: the same protocol (smtp::Maildir)
# Clients, pinned to CLIENT_CPU, one at a time, each --messages (10,000) small messages (85
# bytes) over one connection, every reply checked:
#   wire            bench/smtp_client: one wire::smtp::Client (PIPELINING when offered)
#   wire-1by1       the same with ClientOptions::pipelining off: one command at a time
#   wire-batch      the same client with Client::send_all, 100 messages a call: each message's
#                   end in one write with the next one's commands (one round trip a message)
#   smtplib         bench/peers/smtp_client.py: smtplib.SMTP.sendmail, under $PYTHON
# Cases, interleaved in each of --rounds (3) rounds:
#   client: wire and smtplib against aiosmtpd, and against wire-sink (wire-batch too)
#   server: aiosmtpd-maildir and wire-maildir, the same client (wire-1by1) for both; and
#           wire-maildir with the pipelining client
# Rates and client CPU come from the clients (from connect to QUIT); server CPU from
# /proc/PID/stat around each run. Ratios are medians of the per-round ratios. All traffic
# stays on 127.0.0.1; only processes this script started are stopped, by their PID.
set -euo pipefail

ROUNDS=3
MESSAGES=10000
BUILD=1
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) ROUNDS=$2; shift 2 ;;
    --messages) MESSAGES=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    *) echo "usage: bench/smtp.sh [--rounds N] [--messages N] [--no-build]" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build-bench}
WIRE=${WIRE:-$BUILD_DIR/tools/wire/wire}
PYTHON=${PYTHON:-/usr/bin/python3}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
# shellcheck source=bench/lib.sh
source bench/lib.sh
bench_init smtp
if [ "$BUILD" = 1 ]; then bench_build smtp_client; fi
machine_report "Python $($PYTHON -c 'import platform; print(platform.python_version())')"
HZ=$(getconf CLK_TCK)

# cpu_ticks PID: the process's user + system time, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

declare -A PID PORT
# start NAME CMD...: runs CMD pinned to SERVER_CPU on a free port (the word PORT in CMD).
start() {
  local name=$1 port pid
  shift
  port=$(free_port)
  taskset -c "$SERVER_CPU" "${@//PORT/$port}" >/dev/null 2>"$WORK/$name.err" &
  pid=$!
  STARTED+=("$pid")
  wait_port "$pid" "$port" "$name" 20 || { cat "$WORK/$name.err" >&2; exit 1; }
  PID[$name]=$pid
  PORT[$name]=$port
}
mkdir -p "$WORK/aio" "$WORK/wire"
start aiosmtpd "$PYTHON" bench/peers/aiosmtpd_sink.py PORT --discard
start wire-sink "$WIRE" mail serve --host 127.0.0.1 --port PORT --threads 1 --domain example.org
start aiosmtpd-maildir "$PYTHON" bench/peers/aiosmtpd_sink.py PORT "$WORK/aio"
start wire-maildir "$WIRE" mail serve --host 127.0.0.1 --port PORT --threads 1 --domain example.org --maildir "$WORK/wire"

# run CASE SERVER CLIENT ROUND: one client run; a line of $RESULTS.
run() {
  local case=$1 server=$2 client=$3 round=$4 cmd c0 c1 out
  case $client in
    wire) cmd=("$BUILD_DIR/bench/smtp_client" 127.0.0.1 "${PORT[$server]}" "$MESSAGES") ;;
    wire-1by1) cmd=("$BUILD_DIR/bench/smtp_client" 127.0.0.1 "${PORT[$server]}" "$MESSAGES" --no-pipelining) ;;
    wire-batch) cmd=("$BUILD_DIR/bench/smtp_client" 127.0.0.1 "${PORT[$server]}" "$MESSAGES" --batch 100) ;;
    smtplib) cmd=("$PYTHON" bench/peers/smtp_client.py 127.0.0.1 "${PORT[$server]}" "$MESSAGES") ;;
  esac
  wait_quiet
  c0=$(cpu_ticks "${PID[$server]}")
  out=$(taskset -c "$CLIENT_CPU" "${cmd[@]}") || { echo "smtp.sh: $case: $out" >&2; exit 1; }
  c1=$(cpu_ticks "${PID[$server]}")
  awk -v c="$case" -v r="$round" -v m="$MESSAGES" -v s="$(field "$out" seconds)" -v u="$(field "$out" user_us)" \
    -v y="$(field "$out" sys_us)" -v t=$((c1 - c0)) -v hz="$HZ" \
    'BEGIN { printf "%s %d %.1f %.2f %.2f\n", c, r, m / s, (u + y) / m, t * 1e6 / hz / m }' >>"$RESULTS"
  find "$WORK/aio/new" "$WORK/wire/new" -type f -delete 2>/dev/null || true
  echo "  round $round $case: $(tail -n1 "$RESULTS" | cut -d' ' -f3) msgs/s"
}

MAX_OTHER=${MAX_OTHER:-20}
QUIET_BUDGET=60
CASES=("client-aiosmtpd-smtplib aiosmtpd smtplib" "client-aiosmtpd-wire aiosmtpd wire"
       "client-sink-smtplib wire-sink smtplib" "client-sink-wire wire-sink wire"
       "client-sink-batch wire-sink wire-batch"
       "server-aiosmtpd aiosmtpd-maildir wire-1by1" "server-wire wire-maildir wire-1by1"
       "server-wire-pipelined wire-maildir wire")
for ((round = 1; round <= ROUNDS; round++)); do
  for c in "${CASES[@]}"; do
    # shellcheck disable=SC2086  # three words
    run $c "$round"
  done
done

# median: the median of the numbers on stdin, one a line (mawk has no asort).
median_of() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# median CASE COLUMN (3 msgs/s, 4 client µs, 5 server µs)
median() { awk -v c="$1" -v k="$2" '$1 == c { print $k }' "$RESULTS" | median_of; }
# ratio A B COLUMN: the median over rounds of A's value / B's
ratio() {
  awk -v a="$1" -v b="$2" -v k="$3" '$1 == a { x[$2] = $k } $1 == b { y[$2] = $k }
    END { for (r in x) if (y[r] > 0) print x[r] / y[r] }' "$RESULTS" | median_of | xargs printf "%.2f"
}
row() { printf "| %s | %'.0f | %.1f | %.1f | %s |\n" "$1" "$(median "$2" 3)" "$(median "$2" 4)" "$(median "$2" 5)" "$3"; }

echo
echo "== raw results (case round msgs/s client-CPU-µs/msg server-CPU-µs/msg)"
cat "$RESULTS"
echo
echo "SMTP, $MESSAGES messages of 85 bytes over one connection, $ROUNDS rounds (medians; ratios paired by round)"
echo
echo "| client → server | msgs/s | client CPU µs/msg | server CPU µs/msg | ratio |"
echo "|---|---:|---:|---:|---|"
row "smtplib → aiosmtpd" client-aiosmtpd-smtplib ""
row "wire → aiosmtpd (no PIPELINING offered)" client-aiosmtpd-wire \
  "$(ratio client-aiosmtpd-wire client-aiosmtpd-smtplib 3)× smtplib's msgs/s (target ≥ 1.0)"
row "smtplib → wire mail serve (sink)" client-sink-smtplib ""
row "wire → wire mail serve (sink, pipelined)" client-sink-wire \
  "$(ratio client-sink-wire client-sink-smtplib 3)× smtplib's msgs/s"
row "wire send_all → wire mail serve (sink, pipelined, 100 a batch)" client-sink-batch \
  "$(ratio client-sink-batch client-sink-smtplib 3)× smtplib's msgs/s (target ≥ 3)"
row "wire, one at a time → aiosmtpd, Maildir + fsync" server-aiosmtpd ""
row "wire, one at a time → wire mail serve, Maildir + fsync" server-wire \
  "server: $(ratio server-wire server-aiosmtpd 3)× aiosmtpd's msgs/s (target ≥ 1.0), $(ratio server-wire server-aiosmtpd 5)× its CPU/msg (target ≤ 0.2)"
row "wire, pipelined → wire mail serve, Maildir + fsync" server-wire-pipelined \
  "$(ratio server-wire-pipelined server-aiosmtpd 3)× aiosmtpd's msgs/s"
