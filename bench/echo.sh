#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Echo benchmark: wire's echo server against a Boost.Asio C++20-coroutine echo
# server and a raw edge-triggered epoll echo server in C, side by side in one
# run (docs/benchmarks.md, "Echo").
#
#   bench/echo.sh [--rounds N] [--connections N] [--size BYTES] [--duration S]
#                 [--warmup S] [--idle N] [--servers "wire asio epoll"]
#                 [--retries N] [--max-other PCT] [--reconnect] [--no-build]
#
# Environment: WIRE=path/to/wire to measure another build of the wire tool;
# SERVER_CPU and CLIENT_CPU (default 0 and 1) choose the cores; WIRE_THREADS
# (default 1) the wire servers' workers. Servers: wire, wire-one (wire with
# --accept one), asio, epoll.
#
# Each round starts every server in turn (interleaved: A B C A B C ...) pinned
# to one core, runs bench/echo_client pinned to another core, and stops the
# server; a round disturbed by the rest of the machine (more than --max-other
# % of a core used by other processes meanwhile, default 20) is run again, up
# to --retries times (default 2). The table gives each server's median over
# the rounds of messages/s, p50/p99 round-trip latency and server CPU time per
# message, and wire's ratios to the two peers. Then each server holds --idle
# idle connections and its resident memory growth per connection is reported.
#
# --reconnect measures the connection rate instead: each of the --connections
# client slots connects, echoes one --size message, closes and starts again
# (echo_client --reconnect), so msgs/s becomes connections/s, p50/p99 are of
# the whole connect -> echo -> close and CPU is per connection. The idle test
# is skipped then (as with --idle 0).
#
# Every wait is bounded, all traffic stays on 127.0.0.1, and only processes
# this script started are stopped, by their PID.
set -euo pipefail

ROUNDS=3
CONNECTIONS=64
SIZE=64
DURATION=5
WARMUP=1
IDLE=10000
SERVERS="wire asio epoll"
BUILD=1
RECONNECT=0
RETRIES=2
MAX_OTHER=20
SERVER_CPU=${SERVER_CPU:-0}
# Worker threads of the wire servers; `wire-one` is wire with one acceptor
# handing connections out (--accept one) instead of a SO_REUSEPORT listener each.
WIRE_THREADS=${WIRE_THREADS:-1}
CLIENT_CPU=${CLIENT_CPU:-1}

usage() { sed -n '7,9p' "$0" | sed 's/^# \{0,3\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --size) SIZE=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --idle) IDLE=$2; shift 2 ;;
    --servers) SERVERS=$2; shift 2 ;;
    --retries) RETRIES=$2; shift 2 ;;
    --max-other) MAX_OTHER=$2; shift 2 ;;
    --reconnect) RECONNECT=1; shift ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) usage ;;
    *) echo "echo.sh: unknown option $1" >&2; usage ;;
  esac
done
for v in ROUNDS CONNECTIONS SIZE IDLE RETRIES; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { echo "echo.sh: --${v,,} must be a whole number" >&2; exit 2; }
done
for v in DURATION WARMUP MAX_OTHER; do
  [[ ${!v} =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "echo.sh: --${v,,} must be a number" >&2; exit 2; }
done
[ "$ROUNDS" -ge 1 ] || { echo "echo.sh: --rounds must be at least 1" >&2; exit 2; }
[ "$RECONNECT" = 0 ] || IDLE=0  # the connection-rate test has no idle test

cd "$(dirname "$0")/.."
BUILD_DIR=build-bench
CLIENT=$BUILD_DIR/bench/echo_client
WIRE=${WIRE:-$BUILD_DIR/tools/wire/wire}  # another wire build may be given in $WIRE
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_init echo

# --- build ------------------------------------------------------------------
if [ "$BUILD" = 1 ]; then bench_build echo_client asio_echo epoll_echo; fi

# --- which servers, and how each is started ---------------------------------
WIRE_MODE=none WIRE_HELP=""
if [ -x "$WIRE" ]; then
  WIRE_HELP=$("$WIRE" tcp serve --help 2>&1 || true)
  if grep -q -- '--threads' <<<"$WIRE_HELP"; then
    WIRE_MODE=io
  elif grep -q -- '--echo' <<<"$WIRE_HELP"; then
    WIRE_MODE=standin
  fi
fi

label() {
  case "$1" in
    wire) if [ "$WIRE_MODE" = standin ]; then echo "wire*"; else echo wire; fi ;;
    wire-one) echo wire-one ;;
    asio) echo asio ;;
    epoll) echo epoll ;;
  esac
}

# server_command NAME PORT [idle]: fills the array CMD.
server_command() {
  local name=$1 port=$2 idle=${3:-}
  case "$name" in
    wire|wire-one)
      CMD=("$WIRE" tcp serve --host 127.0.0.1 --port "$port" --echo --quiet)
      [ "$WIRE_MODE" = io ] && CMD+=(--threads "$WIRE_THREADS")
      [ "$name" = wire-one ] && CMD+=(--accept one)
      # Wire's own limits (256 connections, 60 s idle timeout by default) must
      # not be what the idle test or a large --connections runs into.
      if [ -n "$idle" ] || [ "$CONNECTIONS" -gt 200 ]; then
        grep -q -- '--max-connections' <<<"$WIRE_HELP" &&
          CMD+=(--max-connections $((IDLE > CONNECTIONS ? IDLE + 64 : CONNECTIONS + 64)))
      fi
      if [ -n "$idle" ]; then
        grep -q -- '--idle-timeout' <<<"$WIRE_HELP" && CMD+=(--idle-timeout 600)
      fi
      ;;
    asio) CMD=("$BUILD_DIR/bench/asio_echo" "$port" --threads 1) ;;
    epoll) CMD=("$BUILD_DIR/bench/epoll_echo" "$port") ;;
  esac
  return 0
}

ACTIVE=()
for s in $SERVERS; do
  case "$s" in
    wire|wire-one)
      if [ "$s" = wire-one ] && [ "$WIRE_MODE" != io ]; then
        echo "echo.sh: wire-one needs wire tcp serve --accept: skipped" >&2
        continue
      fi
      if [ "$WIRE_MODE" = none ]; then
        echo "echo.sh: no runnable $WIRE with 'tcp serve --echo': wire is skipped" >&2
        continue
      fi
      ;;
    asio|epoll) ;;
    *) echo "echo.sh: unknown server $s (wire, wire-one, asio, epoll)" >&2; exit 2 ;;
  esac
  ACTIVE+=("$s")
done
[ ${#ACTIVE[@]} -gt 0 ] || { echo "echo.sh: no server to measure" >&2; exit 1; }

# start_server NAME [idle]: starts it pinned to SERVER_CPU on a free port and
# waits (at most 10 s) until the port accepts. Sets SPID and SPORT; returns 1
# if the server exits or never accepts.
start_server() {
  local name=$1 idle=${2:-} i
  SPORT=$(free_port)
  server_command "$name" "$SPORT" "$idle"
  taskset -c "$SERVER_CPU" "${CMD[@]}" >"$WORK/$name.log" 2>&1 &
  SPID=$!
  STARTED+=("$SPID")
  for ((i = 0; i < 200; i++)); do
    if ! kill -0 "$SPID" 2>/dev/null; then
      echo "echo.sh: $name exited before accepting: ${CMD[*]}" >&2
      sed 's/^/    /' "$WORK/$name.log" | tail -n 5 >&2
      wait "$SPID" 2>/dev/null || true
      return 1
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$SPORT") 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  echo "echo.sh: $name does not accept on port $SPORT after 10 s" >&2
  stop_pid "$SPID"
  return 1
}

# --- the machine --------------------------------------------------------------
machine_report
if [ "$RECONNECT" = 1 ]; then
  LOAD="connection rate: $CONNECTIONS concurrent loops of connect, one $SIZE-byte echo, close"
else
  LOAD="$CONNECTIONS connections x $SIZE-byte messages"
fi
echo "== server on core $SERVER_CPU, client on core $CLIENT_CPU;" \
  "$LOAD, ${WARMUP} s warm-up + ${DURATION} s measured, $ROUNDS interleaved rounds"
case "$WIRE_MODE" in
  io) echo "== wire: $WIRE tcp serve --echo --quiet --threads $WIRE_THREADS (wire::io runtime)" ;;
  standin) echo "== wire*: STAND-IN: $WIRE has no --threads yet, so this is the blocking" \
    "thread-per-connection 'wire tcp serve --echo --quiet', not wire::io" ;;
esac

# --- throughput and latency rounds -------------------------------------------
# A round that the rest of the machine disturbed (the client's other_cpu_pct,
# CPU used by other processes and the hypervisor during the measured window,
# above MAX_OTHER % of one core) is run again, at most RETRIES times, after
# waiting (up to 10 s, 30 s in all) for the machine to quiet down; the least
# disturbed attempt is kept.
FAILED=0
QUIET_BUDGET=30  # seconds of wait_quiet (bench/lib.sh), for the whole run
# server_failed NAME LABEL ROUND: wire that does not start (the runtime is
# being written) is skipped for the rest of the run; a peer that does not
# start is a failure.
SKIPPED=" "
server_failed() {
  if [ "$1" = wire ]; then
    echo "echo.sh: wire did not start: skipped for the rest of the run" >&2
    SKIPPED+="wire "
  else
    FAILED=1
    printf '%s\t%d\tFAILED\n' "$2" "$3" >>"$RESULTS"
  fi
}
RECONNECT_ARG=()
[ "$RECONNECT" = 1 ] && RECONNECT_ARG=(--reconnect)
client_timeout=$(python3 -c "import math; print(math.ceil($WARMUP + $DURATION) + 90)")
for ((r = 1; r <= ROUNDS; r++)); do
  for s in "${ACTIVE[@]}"; do
    [[ $SKIPPED == *" $s "* ]] && continue
    name=$(label "$s")
    best_line="" best_other="" best_rc=0
    for ((attempt = 0; attempt <= RETRIES; attempt++)); do
      [ "$attempt" -gt 0 ] && wait_quiet
      if ! start_server "$s"; then
        server_failed "$s" "$name" "$r"
        continue 2
      fi
      set +e
      line=$(timeout "$client_timeout" taskset -c "$CLIENT_CPU" "$CLIENT" --host 127.0.0.1 \
        --port "$SPORT" --connections "$CONNECTIONS" --size "$SIZE" --duration "$DURATION" \
        --warmup "$WARMUP" --server-pid "$SPID" ${RECONNECT_ARG[@]+"${RECONNECT_ARG[@]}"} \
        2>"$WORK/client.err")
      rc=$?
      set -e
      stop_pid "$SPID"
      other=$(field "$line" other_cpu_pct)
      if [ $rc -ne 0 ]; then  # a failure is kept and reported, not retried
        best_line=$line best_other=$other best_rc=$rc
        break
      fi
      if [ -z "$best_line" ] || [ "$other" = NA ] ||
        awk -v o="$other" -v b="$best_other" 'BEGIN { exit !(o < b) }'; then
        best_line=$line best_other=$other best_rc=$rc
      fi
      if [ "$other" != NA ] && awk -v o="$other" -v m="$MAX_OTHER" 'BEGIN { exit !(o > m) }' &&
        [ "$attempt" -lt "$RETRIES" ]; then
        printf 'round %d %-6s disturbed (other_cpu_pct=%s > %s), again: %s\n' \
          "$r" "$name" "$other" "$MAX_OTHER" "$line"
        continue
      fi
      break
    done
    line=$best_line other=$best_other rc=$best_rc
    printf 'round %d %-6s %s\n' "$r" "$name" "$line"
    if [ "$rc" -ne 0 ]; then
      FAILED=1
      echo "echo.sh: client failed against $name (exit $rc)" >&2
      sed 's/^/    /' "$WORK/client.err" | tail -n 5 >&2
    fi
    printf '%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$r" \
      "$(field "$line" msgs_per_s)" "$(field "$line" p50_us)" "$(field "$line" p99_us)" \
      "$(field "$line" server_cpu_us_per_msg)" "$(field "$line" server_cpu_pct)" \
      "$(field "$line" client_cpu_pct)" "$other" "$(field "$line" client_cpu_us_per_msg)" \
      "$(field "$line" errors)" "$rc" >>"$RESULTS"
  done
done

# --- idle connections: resident memory per connection -------------------------
IDLE_RESULTS=$WORK/idle.tsv
: >"$IDLE_RESULTS"
rss_kib() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }
if [ "$IDLE" -gt 0 ]; then
  want=$((IDLE + 1000))
  [ "$want" -ge 30000 ] || want=30000
  ulimit -n "$want" 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  limit=$(ulimit -n)
  if [ "$limit" != unlimited ] && [ "$limit" -lt $((IDLE + 64)) ]; then
    echo "echo.sh: fd limit is $limit; holding $((limit - 64)) idle connections instead of $IDLE" >&2
    IDLE=$((limit - 64))
  fi
  echo
  echo "== idle: $IDLE idle connections per server (fd limit $limit)"
  for s in "${ACTIVE[@]}"; do
    [[ $SKIPPED == *" $s "* ]] && continue
    name=$(label "$s")
    if ! start_server "$s" idle; then
      server_failed "$s" "$name" 0
      [ "$s" = wire ] || printf '%s\tFAILED\n' "$name" >>"$IDLE_RESULTS"
      continue
    fi
    before=$(rss_kib "$SPID")
    coproc IDLER { exec taskset -c "$CLIENT_CPU" "$CLIENT" --host 127.0.0.1 --port "$SPORT" \
      --idle "$IDLE" --timeout 120 2>"$WORK/idle-client.err"; }
    # shellcheck disable=SC2153  # IDLER_PID is set by coproc
    idler_pid=$IDLER_PID idler_out=${IDLER[0]} idler_in=${IDLER[1]}
    STARTED+=("$idler_pid")
    reply=""
    read -r -t 150 -u "$idler_out" reply || true
    after=$(rss_kib "$SPID")
    # The client closes its connections on a newline.
    { echo >&"$idler_in"; } 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do kill -0 "$idler_pid" 2>/dev/null || break; sleep 0.1; done
    stop_pid "$idler_pid"
    stop_pid "$SPID"
    if [ "$reply" != "connected=$IDLE" ]; then
      FAILED=1
      echo "echo.sh: $name: idle client reported '${reply:-nothing}'" >&2
      sed 's/^/    /' "$WORK/idle-client.err" | tail -n 5 >&2
      printf '%s\tFAILED\n' "$name" >>"$IDLE_RESULTS"
      continue
    fi
    kib=$(python3 -c "print(f'{($after - $before) / $IDLE:.2f}')")
    printf '%-6s RSS %s KiB -> %s KiB with %s idle connections: %s KiB per connection\n' \
      "$name" "$before" "$after" "$IDLE" "$kib"
    printf '%s\t%s\t%s\t%s\n' "$name" "$before" "$after" "$kib" >>"$IDLE_RESULTS"
  done
fi

# --- the table ----------------------------------------------------------------
echo
python3 - "$RESULTS" "$IDLE_RESULTS" "$IDLE" "$MAX_OTHER" "$RECONNECT" <<'EOF'
import statistics, sys

rows, order, total = {}, [], {}
def num(x):
    try:
        return float(x)
    except ValueError:
        return None
MSGS, P50, P99, CPU, SCPU, CCPU, OTHER, CMSG, NORM = range(9)
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    name = f[0]
    if name not in order:
        order.append(name)
        rows[name] = {}
        total[name] = 0
    total[name] += 1
    if f[2] == "FAILED" or f[-1] != "0":
        continue
    # by round: msgs/s, p50, p99, server CPU us/msg, server CPU %, client CPU %,
    # other CPU %, client CPU us/msg
    r = [num(x) for x in f[2:10]]
    # the server's CPU per message over the client's: the machine's speed cancels out
    r.append(r[3] / r[7] if r[3] is not None and r[7] else None)
    rows[name][f[1]] = r

def med(name, i, pick=statistics.median):
    vals = [r[i] for r in rows[name].values() if r[i] is not None]
    return pick(vals) if vals else None

def fmt(v, digits):
    return "n/a" if v is None else f"{v:,.{digits}f}"

max_other = float(sys.argv[4])
reconnect = sys.argv[5] == "1"
def u(text):
    # With --reconnect a "message" is a whole connection: connect, one echo, close.
    return text.replace("msgs/s", "conns/s").replace("µs/msg", "µs/conn") if reconnect else text
if reconnect:
    print("Connection rate (--reconnect): conns/s counts connections completed per second, each")
    print("connect, one echo, close; p50/p99 are of that whole cycle; CPU is per connection.")
print(u("Medians over the rounds. best msgs/s: the highest round. client CPU µs/msg: the client's"))
print("own cost, nearly the same work whatever the server, so it shows how fast the machine was. other")
print("CPU %: what the rest of the machine used meanwhile; disturbed: rounds in which that was")
print(u(f"above {max_other:g}% of a core. server/client CPU: server CPU µs/msg over client CPU µs/msg."))
print()
print(u("| server | msgs/s | best msgs/s | p50 µs | p99 µs | server CPU µs/msg | server CPU % "
        "| client CPU % | client CPU µs/msg | server/client CPU | other CPU % | rounds ok | disturbed |"))
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for n in order:
    disturbed = sum(1 for r in rows[n].values() if r[OTHER] is not None and r[OTHER] > max_other)
    print(f"| {n} | {fmt(med(n, MSGS), 0)} | {fmt(med(n, MSGS, max), 0)} | {fmt(med(n, P50), 1)} | "
          f"{fmt(med(n, P99), 1)} | {fmt(med(n, CPU), 2)} | {fmt(med(n, SCPU), 0)} | "
          f"{fmt(med(n, CCPU), 0)} | {fmt(med(n, CMSG), 2)} | {fmt(med(n, NORM), 3)} | "
          f"{fmt(med(n, OTHER), 0)} | "
          f"{len(rows[n])}/{total[n]} | {disturbed} |")

def ratio(a, b):
    return "n/a" if a is None or not b else f"{a / b:.2f}x"

def paired(w, p, i):
    # The median over rounds of that round's ratio: servers measured in the
    # same round saw the same machine.
    rs = [rows[w][k][i] / rows[p][k][i] for k in rows[w] if k in rows[p]
          and rows[w][k][i] is not None and rows[p][k][i]]
    return f"{statistics.median(rs):.2f}x" if rs else "n/a"

wire = next((n for n in order if n.startswith("wire")), None)
peers = [p for p in ("asio", "epoll") if p in order]
if wire and peers:
    print()
    print(u("| ratio | msgs/s | CPU µs/msg | p99 | msgs/s, paired | CPU µs/msg, paired "
            "| server/client CPU | best msgs/s |"))
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for peer in peers:
        print(f"| {wire} / {peer} | {ratio(med(wire, MSGS), med(peer, MSGS))} | "
              f"{ratio(med(wire, CPU), med(peer, CPU))} | {ratio(med(wire, P99), med(peer, P99))} | "
              f"{paired(wire, peer, MSGS)} | {paired(wire, peer, CPU)} | "
              f"{ratio(med(wire, NORM), med(peer, NORM))} | "
              f"{ratio(med(wire, MSGS, max), med(peer, MSGS, max))} |")
    print()
    print("Ratios of the medians; paired: the median of the per-round ratios.")
    print("targets: msgs/s >= 1.00x asio and >= 0.90x epoll; CPU µs/msg <= 1.00x asio;"
          " p99 <= 1.00x asio")

idle = [l.rstrip("\n").split("\t") for l in open(sys.argv[2])]
if idle:
    print()
    print(f"| server | RSS before KiB | RSS with {sys.argv[3]} idle KiB | KiB per idle connection |")
    print("|---|---:|---:|---:|")
    for f in idle:
        if f[1] == "FAILED":
            print(f"| {f[0]} | failed | | |")
        else:
            print(f"| {f[0]} | {int(f[1]):,} | {int(f[2]):,} | {f[3]} |")
    print()
    print("target: wire <= 1 KiB per idle connection")
EOF
if [ "$WIRE_MODE" = standin ]; then
  echo
  echo "wire* = STAND-IN: the blocking thread-per-connection 'wire tcp serve --echo', not wire::io."
fi
exit "$FAILED"
