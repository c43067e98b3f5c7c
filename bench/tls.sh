#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# TLS benchmark: wire's TLS echo server (wire tcp serve --echo --tls-cert ...)
# against OpenSSL used directly and real servers built on it, side by side in
# one run: handshakes per second and bulk echo throughput (docs/benchmarks.md, "TLS").
#
#   bench/tls.sh [--rounds N] [--duration S] [--warmup S] [--keys "rsa ec"]
#                [--tests "handshake bulk"] [--hs-servers "wire openssl nginx s_server"]
#                [--bulk-servers "wire openssl openssl-ra nginx"] [--hs-connections N]
#                [--bulk-connections N] [--size BYTES] [--window BYTES]
#                [--retries N] [--max-other PCT] [--no-build]
#
# Environment: WIRE=path/to/wire to measure another build of the wire tool,
# WIRE_B=path/to/wire to add a second one as server `wire-b` (A/B a change);
# BUILD_DIR (build-bench) where the client and peers are built; SERVER_CPU and
# CLIENT_CPU (default 1 and 0) choose the cores.
#
# Servers, all on one thread pinned to SERVER_CPU, all on the system's OpenSSL:
#   wire      wire tcp serve --echo -q --threads 1 --tls-cert/--tls-key (wire::io + tls::AsyncStream)
#   wire-b    the same with the wire tool $WIRE_B
#   openssl   bench/peers/openssl_echo.c: OpenSSL on the socket (SSL_set_fd), epoll, in C
#   openssl-ra  the same with SSL_CTX_set_read_ahead
#   nginx     nginx 1 worker, stream module: handshakes answer with `return` (the client
#             reads the greeting instead of an echo); bulk is TLS terminated by nginx and
#             proxied to bench/peers/epoll_echo.c on the same core (its CPU counted too)
#   s_server  openssl s_server -rev: one connection at a time (handshakes only)
# The client, bench/tls_client.cpp (OpenSSL directly, pinned to CLIENT_CPU),
# offers only TLS 1.3, TLS_AES_128_GCM_SHA256 and X25519, so every server
# negotiates the same; it reports what was negotiated and the script checks it.
# Keys: rsa = RSA-2048 (RSA-PSS signatures), ec = ECDSA P-256; bulk uses the first.
#
# Each round runs every server in turn for each test (interleaved: A B C A B C
# ...), each started fresh on a free port and stopped by its PID; a round
# disturbed by the rest of the machine (more than --max-other % of a core,
# default 20) is run again, up to --retries times. The tables give medians
# over the rounds, server CPU per handshake / per MB, and wire's ratios to
# each peer. Every wait is bounded; all traffic stays on 127.0.0.1.
set -euo pipefail

ROUNDS=3
DURATION=5
WARMUP=1
KEYS="rsa ec"
TESTS="handshake bulk"
HS_SERVERS="wire openssl nginx s_server"
BULK_SERVERS="wire openssl openssl-ra nginx"
HS_CONNECTIONS=16
BULK_CONNECTIONS=4
SIZE=16384
WINDOW=262144
RETRIES=2
MAX_OTHER=20
BUILD=1
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
TLS_SUITE=TLS_AES_128_GCM_SHA256
TLS_GROUP=X25519

usage() { sed -n '7,11p' "$0" | sed 's/^# \{0,3\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --keys) KEYS=$2; shift 2 ;;
    --tests) TESTS=$2; shift 2 ;;
    --hs-servers) HS_SERVERS=$2; shift 2 ;;
    --bulk-servers) BULK_SERVERS=$2; shift 2 ;;
    --hs-connections) HS_CONNECTIONS=$2; shift 2 ;;
    --bulk-connections) BULK_CONNECTIONS=$2; shift 2 ;;
    --size) SIZE=$2; shift 2 ;;
    --window) WINDOW=$2; shift 2 ;;
    --retries) RETRIES=$2; shift 2 ;;
    --max-other) MAX_OTHER=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) usage ;;
    *) echo "tls.sh: unknown option $1" >&2; usage ;;
  esac
done
for v in ROUNDS HS_CONNECTIONS BULK_CONNECTIONS SIZE WINDOW RETRIES; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { echo "tls.sh: --${v,,} must be a whole number" >&2; exit 2; }
done
for v in DURATION WARMUP MAX_OTHER; do
  [[ ${!v} =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "tls.sh: --${v,,} must be a number" >&2; exit 2; }
done
[ "$ROUNDS" -ge 1 ] || { echo "tls.sh: --rounds must be at least 1" >&2; exit 2; }
for k in $KEYS; do
  case "$k" in rsa|ec) ;; *) echo "tls.sh: unknown key type $k (rsa, ec)" >&2; exit 2 ;; esac
done
for t in $TESTS; do
  case "$t" in handshake|bulk) ;; *) echo "tls.sh: unknown test $t (handshake, bulk)" >&2; exit 2 ;; esac
done
for tool in taskset openssl python3; do
  command -v "$tool" >/dev/null || { echo "tls.sh: $tool is missing (bash scripts/install-deps.sh)" >&2; exit 1; }
done

cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build-bench}
CLIENT=$BUILD_DIR/bench/tls_client
WIRE=${WIRE:-$BUILD_DIR/tools/wire/wire}
WIRE_B=${WIRE_B:-}
NGINX=${NGINX:-/usr/sbin/nginx}
NGINX_STREAM=/usr/lib/nginx/modules/ngx_stream_module.so
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_init tls

# --- build ------------------------------------------------------------------
if [ "$BUILD" = 1 ]; then bench_build tls_client openssl_echo epoll_echo; fi
[ -x "$CLIENT" ] || { echo "tls.sh: no $CLIENT (run without --no-build)" >&2; exit 1; }

# --- keys: the same certificate and key for every server --------------------
for k in $KEYS; do
  case "$k" in
    rsa) newkey=(-newkey rsa:2048) ;;
    ec) newkey=(-newkey ec -pkeyopt ec_paramgen_curve:P-256) ;;
  esac
  openssl req -x509 "${newkey[@]}" -nodes -keyout "$WORK/$k.key" -out "$WORK/$k.crt" -days 2 \
    -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" >"$WORK/req-$k.log" 2>&1 ||
    { cat "$WORK/req-$k.log" >&2; exit 1; }
done
BULK_KEY=${KEYS%% *}

# --- which servers ------------------------------------------------------------
WIRE_TLS=0
if [ -x "$WIRE" ] && "$WIRE" tcp serve --help 2>&1 | grep -q -- '--tls-cert'; then WIRE_TLS=1; fi
have_server() {  # have_server NAME: whether it can run here (a message if not)
  case "$1" in
    wire)
      [ "$WIRE_TLS" = 1 ] && return 0
      echo "tls.sh: $WIRE has no 'tcp serve --tls-cert': wire is skipped" >&2
      return 1 ;;
    wire-b)
      [ -n "$WIRE_B" ] && [ -x "$WIRE_B" ] && "$WIRE_B" tcp serve --help 2>&1 | grep -q -- '--tls-cert' &&
        return 0
      echo "tls.sh: WIRE_B is not a wire tool with 'tcp serve --tls-cert': wire-b is skipped" >&2
      return 1 ;;
    openssl|openssl-ra)
      [ -x "$BUILD_DIR/bench/openssl_echo" ] && return 0
      echo "tls.sh: no $BUILD_DIR/bench/openssl_echo" >&2
      return 1 ;;
    nginx)
      [ -x "$NGINX" ] && [ -f "$NGINX_STREAM" ] && [ -x "$BUILD_DIR/bench/epoll_echo" ] && return 0
      echo "tls.sh: nginx or its stream module ($NGINX_STREAM) is missing: nginx is skipped" >&2
      return 1 ;;
    s_server) return 0 ;;
    *) echo "tls.sh: unknown server $1 (wire wire-b openssl openssl-ra nginx s_server)" >&2; exit 2 ;;
  esac
}
HS_ACTIVE=() BULK_ACTIVE=()
for s in $HS_SERVERS; do have_server "$s" && HS_ACTIVE+=("$s"); done
for s in $BULK_SERVERS; do
  if [ "$s" = s_server ]; then
    echo "tls.sh: s_server has no echo for binary data: not in the bulk test" >&2
    continue
  fi
  have_server "$s" && BULK_ACTIVE+=("$s")
done

# nginx_config MODE KEY PORT [BACKEND_PORT]: writes $WORK/nginx-PORT/nginx.conf.
nginx_config() {
  local mode=$1 key=$2 port=$3 backend=${4:-} dir=$WORK/nginx-$3 body
  mkdir -p "$dir"
  if [ "$mode" = handshake ]; then
    body="return \"wire-eriw\\n\";"
  else
    body="proxy_pass 127.0.0.1:$backend;"
  fi
  cat >"$dir/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
load_module $NGINX_STREAM;
events { worker_connections 4096; }
stream {
  server {
    listen 127.0.0.1:$port ssl;
    ssl_certificate $WORK/$key.crt;
    ssl_certificate_key $WORK/$key.key;
    ssl_protocols TLSv1.3;
    ssl_conf_command Ciphersuites $TLS_SUITE;
    ssl_ecdh_curve $TLS_GROUP;
    tcp_nodelay on;
    $body
  }
}
EOF
}

# start_server NAME MODE KEY: starts it pinned to SERVER_CPU on a free port.
# Sets SPORT, SPIDS (the PIDs whose CPU counts, comma-separated) and KILLS
# (what to stop afterwards); returns 1 if it does not come up.
start_server() {
  local name=$1 mode=$2 key=$3 cmd pid bport bpid i worker
  SPORT=$(free_port)
  KILLS=()
  local crt=$WORK/$key.crt kf=$WORK/$key.key log=$WORK/$name.log
  case "$name" in
    wire) cmd=("$WIRE" tcp serve --host 127.0.0.1 --port "$SPORT" --echo -q --threads 1
               --tls-cert "$crt" --tls-key "$kf") ;;
    wire-b) cmd=("$WIRE_B" tcp serve --host 127.0.0.1 --port "$SPORT" --echo -q --threads 1
                 --tls-cert "$crt" --tls-key "$kf") ;;
    openssl) cmd=("$BUILD_DIR/bench/openssl_echo" "$SPORT" --cert "$crt" --key "$kf") ;;
    openssl-ra) cmd=("$BUILD_DIR/bench/openssl_echo" "$SPORT" --cert "$crt" --key "$kf" --read-ahead) ;;
    s_server) cmd=(openssl s_server -accept "127.0.0.1:$SPORT" -cert "$crt" -key "$kf" -tls1_3
                   -ciphersuites "$TLS_SUITE" -groups "$TLS_GROUP" -rev -quiet) ;;
    nginx)
      if [ "$mode" = bulk ]; then  # the plaintext echo behind nginx, on the same core
        bport=$(free_port)
        taskset -c "$SERVER_CPU" "$BUILD_DIR/bench/epoll_echo" "$bport" >"$WORK/backend.log" 2>&1 &
        bpid=$!
        STARTED+=("$bpid")
        KILLS+=("$bpid")
        wait_port "$bpid" "$bport" epoll_echo || { stop_pid "$bpid"; return 1; }
      fi
      nginx_config "$mode" "$key" "$SPORT" "${bport:-}"
      cmd=("$NGINX" -p "$WORK/nginx-$SPORT" -c "$WORK/nginx-$SPORT/nginx.conf" -e "$WORK/nginx-$SPORT/error.log") ;;
  esac
  taskset -c "$SERVER_CPU" "${cmd[@]}" >"$log" 2>&1 </dev/null &
  pid=$!
  STARTED+=("$pid")
  KILLS=("$pid" "${KILLS[@]}")
  if ! wait_port "$pid" "$SPORT" "$name"; then
    sed 's/^/    /' "$log" | tail -n 5 >&2
    [ "$name" = nginx ] && sed 's/^/    /' "$WORK/nginx-$SPORT/error.log" 2>/dev/null | tail -n 5 >&2
    for p in "${KILLS[@]}"; do stop_pid "$p"; done
    return 1
  fi
  SPIDS=$pid
  if [ "$name" = nginx ]; then  # the worker does the work; the master is counted too
    worker=""
    for ((i = 0; i < 50; i++)); do
      worker=$(pgrep -P "$pid" | head -n1 || true)
      [ -n "$worker" ] && break
      sleep 0.1
    done
    [ -n "$worker" ] && SPIDS+=",$worker"
    [ -n "${bpid:-}" ] && SPIDS+=",$bpid"
  fi
  return 0
}

stop_server() {
  local p
  for p in "${KILLS[@]}"; do stop_pid "$p"; done
}

# --- the machine --------------------------------------------------------------
machine_report "$(openssl version)"
echo "== server on core $SERVER_CPU, client on core $CLIENT_CPU; TLS 1.3 $TLS_SUITE $TLS_GROUP;" \
  "${WARMUP} s warm-up + ${DURATION} s measured, $ROUNDS interleaved rounds"
[ "$WIRE_TLS" = 1 ] && echo "== wire: $WIRE tcp serve --echo -q --threads 1 --tls-cert/--tls-key" \
  "(no cipher options: the client's offer decides)"

# --- rounds ---------------------------------------------------------------------
FAILED=0
QUIET_BUDGET=30  # seconds of wait_quiet (bench/lib.sh), for the whole run

client_timeout=$(python3 -c "import math; print(math.ceil($WARMUP + $DURATION) + 60)")
# run_one NAME TEST KEY ROUND: the best of up to RETRIES+1 attempts, into RESULTS.
run_one() {
  local name=$1 test=$2 key=$3 r=$4 attempt line rc other best_line="" best_other="" best_rc=0
  local args
  for ((attempt = 0; attempt <= RETRIES; attempt++)); do
    [ "$attempt" -gt 0 ] && wait_quiet
    if ! start_server "$name" "$test" "$key"; then
      FAILED=1
      printf '%s\t%s\t%s\t%d\tFAILED\n' "$name" "$test" "$key" "$r" >>"$RESULTS"
      return
    fi
    if [ "$test" = handshake ]; then
      args=(--mode handshake --connections "$HS_CONNECTIONS")
      if [ "$name" = nginx ]; then args+=(--exchange greeting); else args+=(--exchange echo); fi
    else
      args=(--mode bulk --connections "$BULK_CONNECTIONS" --size "$SIZE" --window "$WINDOW")
    fi
    set +e
    line=$(timeout "$client_timeout" taskset -c "$CLIENT_CPU" "$CLIENT" --host 127.0.0.1 \
      --port "$SPORT" "${args[@]}" --duration "$DURATION" --warmup "$WARMUP" \
      --tls 1.3 --ciphersuites "$TLS_SUITE" --groups "$TLS_GROUP" --server-pid "$SPIDS" \
      2>"$WORK/client.err")
    rc=$?
    set -e
    stop_server
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
      printf 'round %d %-9s %-4s %-10s disturbed (other_cpu_pct=%s > %s), again\n' \
        "$r" "$test" "$key" "$name" "$other" "$MAX_OTHER"
      continue
    fi
    break
  done
  line=$best_line rc=$best_rc
  printf 'round %d %-9s %-4s %-10s %s\n' "$r" "$test" "$key" "$name" "$line"
  if [ "$rc" -ne 0 ]; then
    FAILED=1
    echo "tls.sh: client failed against $name ($test, $key; exit $rc)" >&2
    sed 's/^/    /' "$WORK/client.err" | tail -n 5 >&2
  fi
  local unit=hs rate=hs_per_s
  [ "$test" = bulk ] && unit=mb rate=mb_per_s
  printf '%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$name" "$test" "$key" "$r" "$(field "$line" "$rate")" \
    "$(field "$line" p50_us)" "$(field "$line" p99_us)" \
    "$(field "$line" "server_cpu_us_per_$unit")" "$(field "$line" server_cpu_pct)" \
    "$(field "$line" client_cpu_pct)" "$(field "$line" other_cpu_pct)" \
    "$(field "$line" "client_cpu_us_per_$unit")" "$(field "$line" tickets_per_hs)" \
    "$(field "$line" version)" "$(field "$line" cipher)" "$(field "$line" group)" \
    "$(field "$line" sig)" "$rc" >>"$RESULTS"
}

for ((r = 1; r <= ROUNDS; r++)); do
  for t in $TESTS; do
    if [ "$t" = handshake ]; then
      for k in $KEYS; do
        for s in "${HS_ACTIVE[@]}"; do run_one "$s" handshake "$k" "$r"; done
      done
    else
      for s in "${BULK_ACTIVE[@]}"; do run_one "$s" bulk "$BULK_KEY" "$r"; done
    fi
  done
done

# --- the tables -----------------------------------------------------------------
echo
python3 - "$RESULTS" "$MAX_OTHER" <<'EOF'
import statistics, sys

RATE, P50, P99, CPU, SCPU, CCPU, OTHER, CUNIT, TICKETS = range(9)
rows, order, total, nego = {}, {}, {}, {}
def num(x):
    try:
        return float(x)
    except ValueError:
        return None
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    name, test, key, rnd = f[0], f[1], f[2], f[3]
    group = (test, key)
    order.setdefault(group, [])
    if name not in order[group]:
        order[group].append(name)
    rows.setdefault(group, {}).setdefault(name, {})
    total[(group, name)] = total.get((group, name), 0) + 1
    if f[4] == "FAILED" or f[-1] != "0":
        continue
    rows[group][name][rnd] = [num(x) for x in f[4:13]]
    nego.setdefault(group, {})[name] = " ".join(f[13:17])

max_other = float(sys.argv[2])
def med(g, n, i, pick=statistics.median):
    vals = [r[i] for r in rows[g][n].values() if r[i] is not None]
    return pick(vals) if vals else None
def fmt(v, digits):
    return "n/a" if v is None else f"{v:,.{digits}f}"
def ratio(a, b):
    return "n/a" if a is None or not b else f"{a / b:.2f}x"
def paired(g, w, p, i):
    rs = [rows[g][w][k][i] / rows[g][p][k][i] for k in rows[g][w] if k in rows[g][p]
          and rows[g][w][k][i] is not None and rows[g][p][k][i]]
    return f"{statistics.median(rs):.2f}x" if rs else "n/a"
def per_core(cpu):  # what one core could do at that CPU cost
    return None if not cpu else 1e6 / cpu

labels = {"rsa": "RSA-2048", "ec": "ECDSA P-256"}
targets = []
for group in order:
    test, key = group
    names = order[group]
    hs = test == "handshake"
    print(f"### {'Handshakes' if hs else 'Bulk echo'}, {labels.get(key, key)} key" +
          ("" if hs else " (key irrelevant)"))
    print()
    negs = {nego[group][n] for n in names if n in nego.get(group, {})}
    if negs:
        same = "all servers" if len(negs) == 1 else "NOT THE SAME for all servers"
        print(f"negotiated ({same}): " + "; ".join(sorted(negs)))
        print()
    if hs:
        print("| server | hs/s | best hs/s | p50 ms | p99 ms | server CPU µs/hs | hs/s per server core "
              "| server CPU % | client CPU µs/hs | tickets/hs | other CPU % | rounds ok | disturbed |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    else:
        print("| server | MB/s | best MB/s | server CPU µs/MB | MB/s per server core "
              "| server CPU % | client CPU µs/MB | other CPU % | rounds ok | disturbed |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in names:
        disturbed = sum(1 for r in rows[group][n].values()
                        if r[OTHER] is not None and r[OTHER] > max_other)
        ok = f"{len(rows[group][n])}/{total[(group, n)]}"
        if hs:
            p50, p99 = med(group, n, P50), med(group, n, P99)
            print(f"| {n} | {fmt(med(group, n, RATE), 0)} | {fmt(med(group, n, RATE, max), 0)} | "
                  f"{fmt(p50 / 1e3 if p50 else None, 2)} | {fmt(p99 / 1e3 if p99 else None, 2)} | "
                  f"{fmt(med(group, n, CPU), 1)} | {fmt(per_core(med(group, n, CPU)), 0)} | "
                  f"{fmt(med(group, n, SCPU), 0)} | {fmt(med(group, n, CUNIT), 1)} | "
                  f"{fmt(med(group, n, TICKETS), 2)} | {fmt(med(group, n, OTHER), 0)} | {ok} | {disturbed} |")
        else:
            print(f"| {n} | {fmt(med(group, n, RATE), 0)} | {fmt(med(group, n, RATE, max), 0)} | "
                  f"{fmt(med(group, n, CPU), 1)} | {fmt(per_core(med(group, n, CPU)), 0)} | "
                  f"{fmt(med(group, n, SCPU), 0)} | {fmt(med(group, n, CUNIT), 1)} | "
                  f"{fmt(med(group, n, OTHER), 0)} | {ok} | {disturbed} |")
    wire = next((n for n in names if n == "wire"), None)
    peers = [n for n in names if n != wire]
    if wire and peers:
        u = "hs" if hs else "MB"
        print()
        print(f"| ratio | {u}/s | {u}/s, paired | server CPU µs/{u} | CPU, paired | {u}/s per server core |")
        print("|---|---:|---:|---:|---:|---:|")
        for p in peers:
            print(f"| {wire} / {p} | {ratio(med(group, wire, RATE), med(group, p, RATE))} | "
                  f"{paired(group, wire, p, RATE)} | {ratio(med(group, wire, CPU), med(group, p, CPU))} | "
                  f"{paired(group, wire, p, CPU)} | "
                  f"{ratio(per_core(med(group, wire, CPU)), per_core(med(group, p, CPU)))} |")
    print()
print("Medians over the rounds; paired: the median of the per-round ratios. server CPU: utime+stime of")
print("the server's processes (nginx: master, worker and, in bulk, its epoll_echo backend) over the")
print("measured window, per handshake or per MB (10^6 bytes) echoed. per server core: 10^6 / that, what")
print("one core would do if the server had it all. client CPU: the client's own cost, about the same")
print("whatever the server; other CPU %: the rest of the machine meanwhile, in % of one core;")
print(f"disturbed: rounds above {max_other:g}%.")
print("targets: wire hs/s >= 1.00x each peer (same key); wire MB/s >= 0.95x each peer")
EOF
exit "$FAILED"
