#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# HTTP client benchmark: wire::http::Connection against libcurl, curl's CLI,
# Python's http.client, POCO and cpp-httplib, side by side in one run against
# the same nginx (docs/benchmarks.md, "HTTP client").
#
#   bench/http_get.sh [--rounds N] [--requests N] [--small-size BYTES] [--big-size BYTES]
#                     [--tests "get download"] [--get-clients "..."] [--download-clients "..."]
#                     [--retries N] [--max-other PCT] [--no-build]
#
# Environment: BUILD_DIR (build-bench) where the clients are built; WIRE the
# wire tool (for the wire-cli download); WIRE_CLIENT_B=path/to/http_get_client
# of another build adds it as client `wire-b` to both tests (A/B a change);
# SERVER_CPU and CLIENT_CPU (default 0 and 1) choose the cores; NGINX
# (/usr/sbin/nginx); PYTHON (/usr/bin/python3) runs the Python client.
#
# One nginx (1 process, access_log off, sendfile, keep-alive up to 10^9
# requests per connection) pinned to SERVER_CPU serves a small file (--small-size,
# 1 KiB) and a sparse file of --big-size (1 GiB) from the work directory.
# Every client runs pinned to CLIENT_CPU, one at a time, interleaved (A B C A B C
# ...) in each of --rounds rounds:
#   get       --requests (10,000) sequential GETs of the small file on one
#             keep-alive connection; every response checked (200, its size)
#   download  one GET of the big file, the body streamed to /dev/null
# Clients (get / download):
#   wire      bench/http_get_client: one wire::http::Connection; response.read()
#             per GET, read(span) in 64 KiB pieces for the download
#   wire-span the same reading each small body with read(span) (get only; not default)
#   wire-b    $WIRE_CLIENT_B, another build's http_get_client (added when set)
#   wire-cli  `wire http get URL -o /dev/null --fail` (download only)
#   libcurl   bench/peers/curl_get.c: one easy handle reused, a discarding write callback
#   curl      the curl CLI: one process, the URL N times in a --config file (one
#             connection), -o /dev/null each, -w status and size checked
#   python    bench/peers/python_get.py: http.client.HTTPConnection, under $PYTHON
#   poco      bench/peers/poco_get.cpp: Poco::Net::HTTPClientSession, keep-alive
#   httplib   bench/peers/httplib_get.cpp: httplib::Client, keep-alive
# Each run is timed by the client itself (from before its first request, which
# connects, to the end of its last body: its GETs/s and CPU), except the CLIs,
# timed as whole processes (start-up included). Peak RSS is the whole
# process's (ru_maxrss, through /usr/bin/time); nginx's CPU comes from
# /proc/PID/stat; nginx's stub_status counts the connections each client
# opened (1 for all, or keep-alive failed) and the requests it served. A run disturbed by the rest of the machine (more
# than --max-other % of a core, default 20) is run again, up to --retries times
# (2). Every wait is bounded; all traffic stays on 127.0.0.1; only processes
# this script started are stopped, by their PID.
set -euo pipefail

ROUNDS=3
REQUESTS=10000
SMALL_SIZE=1024
BIG_SIZE=$((1 << 30))
TESTS="get download"
GET_CLIENTS="wire libcurl curl python poco httplib"
DOWNLOAD_CLIENTS="wire wire-cli libcurl curl python poco httplib"
RETRIES=2
MAX_OTHER=20
BUILD=1
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}

usage() { sed -n '7,10p' "$0" | sed 's/^# \{0,3\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --requests) REQUESTS=$2; shift 2 ;;
    --small-size) SMALL_SIZE=$2; shift 2 ;;
    --big-size) BIG_SIZE=$2; shift 2 ;;
    --tests) TESTS=$2; shift 2 ;;
    --get-clients) GET_CLIENTS=$2; shift 2 ;;
    --download-clients) DOWNLOAD_CLIENTS=$2; shift 2 ;;
    --retries) RETRIES=$2; shift 2 ;;
    --max-other) MAX_OTHER=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) usage ;;
    *) echo "http_get.sh: unknown option $1" >&2; usage ;;
  esac
done
for v in ROUNDS REQUESTS SMALL_SIZE BIG_SIZE RETRIES; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { echo "http_get.sh: --${v,,} must be a whole number" >&2; exit 2; }
done
[[ $MAX_OTHER =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "http_get.sh: --max-other must be a number" >&2; exit 2; }
if [ "$ROUNDS" -lt 1 ] || [ "$REQUESTS" -lt 1 ]; then
  echo "http_get.sh: --rounds and --requests must be at least 1" >&2
  exit 2
fi
for t in $TESTS; do
  case "$t" in get|download) ;; *) echo "http_get.sh: unknown test $t (get, download)" >&2; exit 2 ;; esac
done
for tool in taskset python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "http_get.sh: $tool is missing (bash scripts/install-deps.sh)" >&2; exit 1; }
done

cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build-bench}
WIRE=${WIRE:-$BUILD_DIR/tools/wire/wire}
NGINX=${NGINX:-/usr/sbin/nginx}
PYTHON=${PYTHON:-/usr/bin/python3}
WIRE_CLIENT_B=${WIRE_CLIENT_B:-}
if [ -n "$WIRE_CLIENT_B" ]; then  # right after wire, or first
  for v in GET_CLIENTS DOWNLOAD_CLIENTS; do
    list=" ${!v} "
    if [[ $list == *" wire-b "* ]]; then continue; fi
    if [[ $list == *" wire "* ]]; then list=${list/ wire / wire wire-b }; else list=" wire-b$list"; fi
    printf -v "$v" '%s' "$list"
  done
fi
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_init http_get

# --- build ------------------------------------------------------------------
# Every client is built on its own: wire's may fail while wire is mid-edit, a
# peer's when its library is missing; either is then skipped, not the run.
if [ "$BUILD" = 1 ]; then
  # shellcheck disable=SC2119  # no targets: configure only (and the wire tool)
  bench_build
  for t in http_get_client curl_get poco_get httplib_get; do
    if ! ninja -C "$BUILD_DIR" "$t" >"$WORK/ninja-$t.log" 2>&1; then
      echo "http_get.sh: $t does not build (scripts/install-deps.sh?); it is skipped. Last lines:" >&2
      tail -n 5 "$WORK/ninja-$t.log" | sed 's/^/    /' >&2
      rm -f "$BUILD_DIR/bench/$t"
    fi
  done
fi

# --- which clients ------------------------------------------------------------
have_client() {  # have_client NAME TEST: whether it can run here (a message if not)
  local name=$1 test=$2 need=""
  case "$name" in
    wire|wire-span) need=$BUILD_DIR/bench/http_get_client
      [ "$name" = wire-span ] && [ "$test" = download ] && return 1 ;;
    wire-b) need=$WIRE_CLIENT_B ;;
    wire-cli)
      [ "$test" = download ] || { echo "http_get.sh: wire-cli fetches one URL: download only" >&2; return 1; }
      need=$WIRE ;;
    libcurl) need=$BUILD_DIR/bench/curl_get ;;
    poco) need=$BUILD_DIR/bench/poco_get ;;
    httplib) need=$BUILD_DIR/bench/httplib_get ;;
    curl) need=$(command -v curl || echo /usr/bin/curl) ;;
    python) need=$PYTHON ;;
    *) echo "http_get.sh: unknown client $name (wire wire-span wire-b wire-cli libcurl curl python poco httplib)" >&2
       exit 2 ;;
  esac
  [ -x "$need" ] && return 0
  echo "http_get.sh: $need is missing: $name is skipped ($test)" >&2
  return 1
}
GET_ACTIVE=() DOWNLOAD_ACTIVE=()
for c in $GET_CLIENTS; do have_client "$c" get && GET_ACTIVE+=("$c"); done
for c in $DOWNLOAD_CLIENTS; do have_client "$c" download && DOWNLOAD_ACTIVE+=("$c"); done

# --- nginx, and its files -------------------------------------------------------
[ -x "$NGINX" ] || { echo "http_get.sh: no $NGINX (bash scripts/install-deps.sh)" >&2; exit 1; }
WWW=$WORK/www
mkdir -p "$WWW" "$WORK/tmp"
head -c "$SMALL_SIZE" /dev/urandom >"$WWW/small"
if [[ " $TESTS " == *" download "* ]]; then
  # Sparse: no disk used; the page cache holds it (zeros) once read. Removed with $WORK.
  truncate -s "$BIG_SIZE" "$WWW/big"
fi

PORT=""
NGINX_PID=""
for attempt in 1 2 3; do  # free_port is racy: another process may take the port first
  PORT=$(free_port)
  {
    nginx_conf_head "$WORK" 64
    cat <<EOF
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  open_file_cache max=16 inactive=600s;
  keepalive_timeout 300s;
  keepalive_requests 1000000000;
  server {
    listen 127.0.0.1:$PORT;
    root $WWW;
    location = /nginx_status { stub_status; }
  }
}
EOF
  } >"$WORK/nginx.conf"
  taskset -c "$SERVER_CPU" "$NGINX" -p "$WORK" -c "$WORK/nginx.conf" -e "$WORK/error.log" \
    >"$WORK/nginx.log" 2>&1 </dev/null &
  NGINX_PID=$!
  STARTED+=("$NGINX_PID")
  up=0
  for ((i = 0; i < 200; i++)); do
    kill -0 "$NGINX_PID" 2>/dev/null || break
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then up=1; break; fi
    sleep 0.05
  done
  [ "$up" = 1 ] && break
  echo "http_get.sh: nginx did not start on port $PORT (attempt $attempt):" >&2
  tail -n 5 "$WORK/error.log" "$WORK/nginx.log" 2>/dev/null | sed 's/^/    /' >&2
  stop_pid "$NGINX_PID"
  NGINX_PID=""
done
[ -n "$NGINX_PID" ] || { echo "http_get.sh: nginx does not start" >&2; exit 1; }
BASE=http://127.0.0.1:$PORT

# --- the runner: times one client run and what happened around it -----------------
# measure.py NGINX_PID PORT OUT ERR TIMEOUT -- CMD...: runs CMD (inheriting this
# process's CPU affinity), its stdout to OUT, and prints key=value fields: rc,
# wall_s and proc_cpu_us (wait4), maxrss_kib (GNU time's %M), server_cpu_us (nginx, /proc),
# other_cpu_pct (the rest of the machine, in % of one core), conns and
# served (nginx's stub_status: connections accepted and requests served, the
# runner's own status requests excluded).
cat >"$WORK/measure.py" <<'EOF'
import os, signal, socket, sys, time
nginx_pid, port, out, err, limit = sys.argv[1:6]
rss_file = out + ".rss"
cmd = sys.argv[7:]
hz = os.sysconf("SC_CLK_TCK")
def status():
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
    s.sendall(b"GET /nginx_status HTTP/1.0\r\nHost: localhost\r\n\r\n")
    data = b""
    while chunk := s.recv(4096):
        data += chunk
    s.close()
    lines = data.decode().split("\r\n\r\n", 1)[1].splitlines()
    accepts, handled, requests = (int(x) for x in lines[2].split())
    return accepts, requests
def busy():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / hz
def server_cpu():
    with open(f"/proc/{nginx_pid}/stat") as f:
        v = f.read().rsplit(")", 1)[1].split()
    return (int(v[11]) + int(v[12])) / hz
a0, r0 = status()
b0, s0, t0 = busy(), server_cpu(), time.monotonic()
with open(out, "wb") as o, open(err, "wb") as e:
    pid = os.fork()
    if pid == 0:
        os.setpgid(0, 0)  # a group of its own: a timeout stops time and the client
        os.dup2(o.fileno(), 1)
        os.dup2(e.fileno(), 2)
        try:
            # Through GNU time for the peak RSS: a process keeps the high-water
            # mark of the image it exec'd from, and this fork of Python has ~10 MiB;
            # time's own fork is ~1 MiB. Its CPU and wall time are in ours too.
            os.execv("/usr/bin/time", ["time", "-f", "%M", "-o", rss_file, "--"] + cmd)
        finally:
            os._exit(127)
timed_out = False
def on_alarm(*_):
    global timed_out
    timed_out = True
    os.killpg(pid, signal.SIGKILL)
signal.signal(signal.SIGALRM, on_alarm)
signal.alarm(int(limit))
_, wstatus, ru = os.wait4(pid, 0)
signal.alarm(0)
t1, s1, b1 = time.monotonic(), server_cpu(), busy()
a1, r1 = status()
rc = 124 if timed_out else os.waitstatus_to_exitcode(wstatus)
try:
    with open(rss_file) as f:  # "Command exited with non-zero status N" first, if so
        maxrss = int(f.read().split()[-1])
    os.unlink(rss_file)
except (OSError, ValueError, IndexError):
    maxrss = "NA"
wall = t1 - t0
proc = ru.ru_utime + ru.ru_stime
other = max(0.0, (b1 - b0) - proc - (s1 - s0)) / wall * 100 if wall > 0 else 0
# The status request after the run is counted in its own answer; the one before is not.
print(f"rc={rc} wall_s={wall:.6f} proc_cpu_us={proc * 1e6:.0f} maxrss_kib={maxrss} "
      f"server_cpu_us={(s1 - s0) * 1e6:.0f} other_cpu_pct={other:.1f} conns={a1 - a0 - 1} "
      f"served={r1 - r0 - 1}")
EOF

# client_command NAME TEST: fills CMD (and writes the curl CLI's config file).
client_command() {
  local name=$1 test=$2 url size requests
  if [ "$test" = get ]; then
    url=$BASE/small size=$SMALL_SIZE requests=$REQUESTS
  else
    url=$BASE/big size=$BIG_SIZE requests=1
  fi
  local common=(--url "$url" --size "$size" --requests "$requests")
  [ "$test" = download ] && common+=(--download --output /dev/null)
  case "$name" in
    wire) CMD=("$BUILD_DIR/bench/http_get_client" "${common[@]}") ;;
    wire-span) CMD=("$BUILD_DIR/bench/http_get_client" "${common[@]}" --read span) ;;
    wire-b) CMD=("$WIRE_CLIENT_B" "${common[@]}") ;;
    wire-cli) CMD=("$WIRE" http get "$url" -o /dev/null --fail) ;;
    libcurl) CMD=("$BUILD_DIR/bench/curl_get" "${common[@]}") ;;
    poco) CMD=("$BUILD_DIR/bench/poco_get" "${common[@]}") ;;
    httplib) CMD=("$BUILD_DIR/bench/httplib_get" "${common[@]}") ;;
    python) CMD=("$PYTHON" bench/peers/python_get.py "${common[@]}") ;;
    curl)
      # One process for all N: curl keeps the connection between the URLs of one
      # invocation. -w prints each transfer's status, size and new connections.
      if [ ! -f "$WORK/curl-$test.cfg" ]; then
        python3 -c 'import sys
n, url = int(sys.argv[1]), sys.argv[2]
sys.stdout.write(f"url = \"{url}\"\noutput = \"/dev/null\"\n" * n)' "$requests" "$url" \
          >"$WORK/curl-$test.cfg"
      fi
      CMD=(curl -s -K "$WORK/curl-$test.cfg" -w '%{http_code} %{size_download} %{num_connects}\n') ;;
  esac
}

# check_run NAME TEST: whether the run's output proves what it should; a
# message and 1 if not. The library clients check each response themselves.
check_run() {
  local name=$1 test=$2 out=$WORK/client.out requests size bad
  if [ "$test" = get ]; then requests=$REQUESTS size=$SMALL_SIZE; else requests=1 size=$BIG_SIZE; fi
  case "$name" in
    curl)
      bad=$(awk -v n="$requests" -v s="$size" '
        $1 != 200 || $2 != s { bad++ } { lines++; conns += $3 }
        END { if (lines != n || bad || conns != 1) printf "%d responses of %d, %d bad, %d connections", lines, n, bad, conns }' "$out")
      [ -z "$bad" ] || { echo "http_get.sh: curl ($test): $bad" >&2; return 1; } ;;
    wire-cli) ;;  # --fail: status >= 400 exits non-zero; a short body is an error
    *)
      local line
      line=$(head -n1 "$out")
      if [ "$(field "$line" requests)" != "$requests" ] ||
        [ "$(field "$line" bytes)" != $((requests * size)) ]; then
        echo "http_get.sh: $name ($test) printed: $(head -c 300 "$out")" >&2
        return 1
      fi ;;
  esac
  return 0
}

# --- the machine --------------------------------------------------------------
machine_report
echo "== $("$NGINX" -v 2>&1 | sed 's/^nginx version: //') on core $SERVER_CPU (1 process, sendfile," \
  "access_log off), clients on core $CLIENT_CPU; $ROUNDS interleaved rounds"
for t in $TESTS; do
  case "$t" in
    get) echo "== get: $REQUESTS keep-alive GETs of $SMALL_SIZE bytes: ${GET_ACTIVE[*]}" ;;
    download) echo "== download: $BIG_SIZE bytes to /dev/null: ${DOWNLOAD_ACTIVE[*]}" ;;
  esac
done
echo "== peers: $(curl --version | head -n1 | cut -d' ' -f1-4); $("$PYTHON" --version 2>&1);" \
  "POCO $(dpkg-query -W -f='${Version}' libpoco-dev 2>/dev/null || echo '?');" \
  "cpp-httplib $(dpkg-query -W -f='${Version}' libcpp-httplib-dev 2>/dev/null || echo '?')"

# Warm-up, not recorded: the big file into the page cache, nginx's file cache, the clients' pages.
if [[ " $TESTS " == *" download "* ]]; then
  taskset -c "$CLIENT_CPU" curl -s -o /dev/null "$BASE/big" || true
fi
taskset -c "$CLIENT_CPU" curl -s -o /dev/null "$BASE/small" "$BASE/small" -o /dev/null || true

# --- rounds ---------------------------------------------------------------------
FAILED=0
QUIET_BUDGET=30  # seconds of wait_quiet (bench/lib.sh), for the whole run
# run_one NAME TEST ROUND: the best of up to RETRIES+1 attempts, into RESULTS.
run_one() {
  local name=$1 test=$2 r=$3 attempt line rc other ok best_line="" best_other="" best_ok=0 limit=120
  local n_requests=$REQUESTS
  [ "$test" = download ] && limit=300 n_requests=1
  client_command "$name" "$test"
  for ((attempt = 0; attempt <= RETRIES; attempt++)); do
    [ "$attempt" -gt 0 ] && wait_quiet
    if ! kill -0 "$NGINX_PID" 2>/dev/null; then
      echo "http_get.sh: nginx exited:" >&2
      tail -n 5 "$WORK/error.log" | sed 's/^/    /' >&2
      exit 1
    fi
    line=$(taskset -c "$CLIENT_CPU" python3 "$WORK/measure.py" "$NGINX_PID" "$PORT" \
      "$WORK/client.out" "$WORK/client.err" "$limit" -- "${CMD[@]}") || line="rc=runner-failed"
    rc=$(field "$line" rc)
    ok=1
    if [ "$rc" != 0 ]; then
      ok=0
      echo "http_get.sh: $name ($test) failed (exit $rc): ${CMD[*]:0:6}..." >&2
      tail -n 5 "$WORK/client.err" | sed 's/^/    /' >&2
    elif ! check_run "$name" "$test"; then
      ok=0
    elif [ "$(field "$line" conns)" != 1 ] || [ "$(field "$line" served)" != "$n_requests" ]; then
      ok=0  # keep-alive: one connection for all, and every request answered by nginx
      echo "http_get.sh: $name ($test): nginx counted $(field "$line" conns) connections and" \
        "$(field "$line" served) requests, expected 1 and $n_requests" >&2
    fi
    [ "$ok" = 1 ] && [ "$name" != curl ] && [ "$name" != wire-cli ] && line+=" $(head -n1 "$WORK/client.out")"
    other=$(field "$line" other_cpu_pct)
    if [ "$ok" = 0 ]; then  # a failure is kept and reported, not retried
      best_line=$line best_other=$other best_ok=0
      break
    fi
    if [ -z "$best_line" ] || [ "$other" = NA ] ||
      awk -v o="$other" -v b="$best_other" 'BEGIN { exit !(o < b) }'; then
      best_line=$line best_other=$other best_ok=1
    fi
    if [ "$other" != NA ] && awk -v o="$other" -v m="$MAX_OTHER" 'BEGIN { exit !(o > m) }' &&
      [ "$attempt" -lt "$RETRIES" ]; then
      printf 'round %d %-8s %-8s disturbed (other_cpu_pct=%s > %s), again\n' \
        "$r" "$test" "$name" "$other" "$MAX_OTHER"
      continue
    fi
    break
  done
  printf 'round %d %-8s %-8s %s\n' "$r" "$test" "$name" "$best_line"
  [ "$best_ok" = 1 ] || FAILED=1
  printf '%s\t%s\t%d\t%s\t%s\n' "$name" "$test" "$r" "$best_ok" "$best_line" >>"$RESULTS"
}

for ((r = 1; r <= ROUNDS; r++)); do
  for t in $TESTS; do
    if [ "$t" = get ]; then
      for c in "${GET_ACTIVE[@]}"; do run_one "$c" get "$r"; done
    else
      for c in "${DOWNLOAD_ACTIVE[@]}"; do run_one "$c" download "$r"; done
    fi
  done
done

# --- the tables -----------------------------------------------------------------
echo
python3 - "$RESULTS" "$MAX_OTHER" "$REQUESTS" "$BIG_SIZE" <<'EOF'
import statistics, sys

max_other, requests, big = float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
CLI = {"curl", "wire-cli"}
rows, order, total = {}, {}, {}
for line in open(sys.argv[1]):
    name, test, rnd, ok, fields = line.rstrip("\n").split("\t", 4)
    order.setdefault(test, [])
    if name not in order[test]:
        order[test].append(name)
    total[(test, name)] = total.get((test, name), 0) + 1
    if ok != "1":
        continue
    kv = dict(f.split("=", 1) for f in fields.split() if "=" in f)
    num = lambda k: float(kv[k]) if k in kv else None
    # The library clients time themselves; the CLIs are timed as whole processes.
    seconds = num("wall_s") if name in CLI else num("seconds")
    cpu = num("proc_cpu_us") if name in CLI else num("cpu_us")
    n = requests if test == "get" else 1
    rows.setdefault(test, {}).setdefault(name, {})[rnd] = {
        "rate": n / seconds if test == "get" else big / seconds / 1e6,
        "cpu": cpu / n if test == "get" else cpu / 1e3 / (big / 2**30),        # µs/GET, ms/GiB
        "server": num("server_cpu_us") / n if test == "get" else num("server_cpu_us") / 1e3 / (big / 2**30),
        "rss": num("maxrss_kib"), "other": num("other_cpu_pct"),
        "conns": num("conns"), "served": num("served"),
    }

def med(test, name, key, pick=statistics.median):
    vals = [r[key] for r in rows.get(test, {}).get(name, {}).values() if r[key] is not None]
    return pick(vals) if vals else None
def fmt(v, digits=0):
    return "n/a" if v is None else f"{v:,.{digits}f}"
def ratio(a, b):
    return "n/a" if a is None or not b else f"{a / b:.2f}x"
def paired(test, a, b, key):
    ra, rb = rows.get(test, {}).get(a, {}), rows.get(test, {}).get(b, {})
    rs = [ra[k][key] / rb[k][key] for k in ra if k in rb and rb[k][key]]
    return f"{statistics.median(rs):.2f}x" if rs else "n/a"

for test in order:
    names = order[test]
    get = test == "get"
    rate_u = "GETs/s" if get else "MB/s"
    cpu_u = "µs/GET" if get else "ms/GiB"
    peers = [n for n in names if not n.startswith("wire")]
    fastest = max(peers, key=lambda p: med(test, p, "rate") or 0, default=None)
    ref = fastest if get else ("curl" if "curl" in names else fastest)
    print(f"### {'Keep-alive GETs' if get else 'Download to /dev/null'}")
    print()
    print(f"| client | {rate_u} | best {rate_u} | vs fastest peer | client CPU {cpu_u} | nginx CPU {cpu_u} "
          f"| peak RSS KiB | connections | other CPU % | rounds ok | disturbed |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in names:
        r = rows.get(test, {}).get(n, {})
        disturbed = sum(1 for x in r.values() if x["other"] is not None and x["other"] > max_other)
        conns = sorted({int(x["conns"]) for x in r.values() if x["conns"] is not None})
        label = n + (" (whole process)" if n in CLI else "")
        print(f"| {label} | {fmt(med(test, n, 'rate'))} | {fmt(med(test, n, 'rate', max))} | "
              f"{ratio(med(test, n, 'rate'), med(test, fastest, 'rate')) if fastest else 'n/a'} | "
              f"{fmt(med(test, n, 'cpu'), 2 if get else 0)} | {fmt(med(test, n, 'server'))} | "
              f"{fmt(med(test, n, 'rss'))} | {'/'.join(map(str, conns)) or 'n/a'} | "
              f"{fmt(med(test, n, 'other'))} | {len(r)}/{total[(test, n)]} | {disturbed} |")
    wires = [n for n in names if n.startswith("wire")]
    if wires and peers:
        print()
        print(f"| ratio | {rate_u} | {rate_u}, paired | client CPU {cpu_u} | CPU, paired | peak RSS |")
        print("|---|---:|---:|---:|---:|---:|")
        shown = [fastest] + ([ref] if ref != fastest else []) + [p for p in peers if p not in (fastest, ref)]
        for w in wires:
            for p in shown:
                tag = " (fastest peer)" if p == fastest else (" (reference)" if p == ref else "")
                print(f"| {w} / {p}{tag} | {ratio(med(test, w, 'rate'), med(test, p, 'rate'))} | "
                      f"{paired(test, w, p, 'rate')} | {ratio(med(test, w, 'cpu'), med(test, p, 'cpu'))} | "
                      f"{paired(test, w, p, 'cpu')} | {ratio(med(test, w, 'rss'), med(test, p, 'rss'))} |")
    print()
print("Medians over the rounds; best: the highest round; paired: the median of the per-round ratios.")
print("Library clients are timed by themselves (first request, which connects, to the last body);")
print("curl and wire-cli as whole processes (start-up included). client CPU: user+system time over")
print("that span; nginx CPU: its utime+stime (/proc/PID/stat, 10 ms ticks) over the whole run of the")
print("client; peak RSS: the client process's ru_maxrss (GNU time's %M); connections: accepted by nginx during the run")
print(f"(stub_status); other CPU %: the rest of the machine, in % of one core; disturbed: above {max_other:g}%.")
print("MB = 10^6 bytes. targets: wire GETs/s >= 1.00x the fastest peer; download MB/s >= 1.00x the")
print("fastest peer, client CPU/GiB < curl's, peak RSS <= 8 MiB (8,192 KiB)")
EOF
exit "$FAILED"
