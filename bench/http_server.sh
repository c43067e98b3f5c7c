#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# HTTP server benchmark, side by side in one run under wrk (docs/benchmarks.md, "HTTP
# server" and "Static files: wire http serve vs h2o and nginx"): wire::http::Server against
# nginx, cpp-httplib, Boost.Beast, POCO's HTTPServer and Python's http.server on routes, and
# `wire http serve` against h2o and nginx on static files.
#
#   bench/http_server.sh [--no-build]
#
# Environment (defaults in brackets): ROUNDS [5]; DURATION [5] and WARMUP [1] seconds
# of each wrk run; CONNS [100] wrk connections for the Hello tests, FILE_CONNS [10] for
# the 1 MiB file, STATIC_CONNS [64] for the static and pipeline tests, PIPELINE [16]
# requests per write in the pipeline test; IDLE [10000] idle connections (0 skips the test;
# httplib gets at most HTTPLIB_IDLE [500], POCO at most half the descriptors: see below);
# SERVERS ["wire nginx httplib beast poco python wire-serve h2o"]; TESTS ["keepalive close
# file idle static pipeline"]; STRACE [0] (1: system calls per request of the static
# servers, one extra run each under strace -c); WRK_THREADS [1]; RETRIES [2] of a run
# disturbed by more than MAX_OTHER [20] % of a core used by others; SERVER_CPU [1] and
# CLIENT_CPU [0]; BUILD_DIR [build-bench]; WIRE_SERVER [the build's bench/http_hello_server];
# WIRE [the build's tools/wire/wire, for wire-serve]; NGINX [/usr/sbin/nginx]; H2O
# [/usr/bin/h2o]; PYTHON [/usr/bin/python3]; TSV [BUILD_DIR/http_server.tsv] the results
# (every run, and medians in *-summary.tsv and *-static-summary.tsv); CHART
# [docs/img/http_server_keepalive.svg] the keep-alive chart and STATIC_CHART
# [docs/img/http_serve_static.svg] the static files' chart ("" for none).
#
# Every server runs pinned to SERVER_CPU, one at a time, started fresh on a free port for
# each run and stopped by its PID; wrk runs pinned to CLIENT_CPU. Two kinds of server:
#   route servers (wire nginx httplib beast poco python) answer
#     GET /         200 "Hello, World!" (13 bytes, Content-Type: text/plain) from a route
#   static servers (wire-serve h2o nginx) answer
#     GET /hello.txt  the 13-byte file www/hello.txt, "Hello, World!", as a static file
#   and both kinds
#     GET /1m       a 1 MiB file of random bytes, as each serves static files
# nginx is both: a route for / and its `root` for the files. Each server is checked before
# it is measured (status, Content-Type, body, keep-alive, Connection: close, TCP_NODELAY
# on its side of the connection, and for static servers PIPELINE requests in one write).
# Tests, each for the servers of its kind:
#   keepalive  route: wrk -c CONNS on keep-alive connections, GET /
#   close      route: the same with "Connection: close" (a new connection per request)
#   idle       route: bench/idle_conns: the server's VmRSS before and after IDLE connections
#              that each made one GET and stay idle: KiB per connection (round 1 only).
#              httplib waits on an idle keep-alive connection by polling it every 10 ms
#              from its thread (~20 % of a core per 200 connections): it gets HTTPLIB_IDLE
#              connections, not 10,000, which would saturate its core and never finish.
#              POCO holds a socket and an epoll descriptor per idle connection: it gets
#              at most (descriptor limit - 64) / 2.
#   static     static: wrk -c STATIC_CONNS, keep-alive, GET /hello.txt
#   pipeline   static: the same with PIPELINE requests per write (a wrk Lua script); wrk
#              counts responses, so req/s is requests answered
#   file       both: wrk -c FILE_CONNS, keep-alive, GET /1m
# Each round runs every server in turn for each test (A B C A B C ...); the tables
# give medians over the rounds and paired ratios (the median of the per-round ratios) to
# nginx for the route tests and the file, and to h2o for the static tests and the file.
# Server CPU is its utime+stime from /proc/PID/stat over the wrk run.
#
# Servers: wire (bench/http_hello_server.cpp: one worker), nginx (1 process, generated
# config), httplib, beast, poco (bench/peers/*_server.cpp), python
# (bench/peers/python_server.py), wire-serve (`wire http serve --threads 1`) and h2o
# (`num-threads: 1`, `file.dir`, generated config); one that does not build or is not
# installed is skipped. Every wait is bounded; all traffic stays on 127.0.0.1; only
# processes this script started are stopped, by their PID, also on failure or Ctrl-C.
set -euo pipefail

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-1}
CONNS=${CONNS:-100}
FILE_CONNS=${FILE_CONNS:-10}
STATIC_CONNS=${STATIC_CONNS:-64}
PIPELINE=${PIPELINE:-16}
IDLE=${IDLE:-10000}
HTTPLIB_IDLE=${HTTPLIB_IDLE:-500}
SERVERS=${SERVERS:-wire nginx httplib beast poco python wire-serve h2o}
TESTS=${TESTS:-keepalive close file idle static pipeline}
STRACE=${STRACE:-0}
WRK_THREADS=${WRK_THREADS:-1}
RETRIES=${RETRIES:-2}
MAX_OTHER=${MAX_OTHER:-20}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
BUILD=1

usage() { sed -n '8,24p' "$0" | sed 's/^# \{0,3\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) BUILD=0; shift ;;
    -h|--help) usage ;;
    *) echo "http_server.sh: unknown option $1" >&2; usage ;;
  esac
done
for v in ROUNDS CONNS FILE_CONNS STATIC_CONNS PIPELINE IDLE HTTPLIB_IDLE WRK_THREADS RETRIES; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { echo "http_server.sh: $v must be a whole number" >&2; exit 2; }
done
for v in DURATION WARMUP MAX_OTHER; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { echo "http_server.sh: $v must be a whole number of seconds/percent" >&2; exit 2; }
done
if [ "$ROUNDS" -lt 1 ] || [ "$DURATION" -lt 1 ] || [ "$CONNS" -lt 1 ] || [ "$FILE_CONNS" -lt 1 ] ||
  [ "$STATIC_CONNS" -lt 1 ] || [ "$PIPELINE" -lt 1 ] || [ "$WRK_THREADS" -lt 1 ]; then
  echo "http_server.sh: ROUNDS, DURATION, CONNS, FILE_CONNS, STATIC_CONNS, PIPELINE and WRK_THREADS" \
    "must be at least 1" >&2
  exit 2
fi
case "$STRACE" in 0|1) ;; *) echo "http_server.sh: STRACE must be 0 or 1" >&2; exit 2 ;; esac
for t in $TESTS; do
  case "$t" in keepalive|close|file|idle|static|pipeline) ;;
    *) echo "http_server.sh: unknown test $t (keepalive close file idle static pipeline)" >&2; exit 2 ;;
  esac
done
for tool in wrk taskset python3; do
  command -v "$tool" >/dev/null || { echo "http_server.sh: $tool is missing (scripts/install-deps.sh)" >&2; exit 1; }
done
if [ "$STRACE" = 1 ] && ! command -v strace >/dev/null; then
  echo "http_server.sh: STRACE=1 needs strace (scripts/install-deps.sh)" >&2
  exit 1
fi

cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build-bench}
# The wire tool serves the static tests (wire-serve); bench_build builds it when it is this
# build's, so only when wire-serve is asked for.
if [[ " $SERVERS " == *" wire-serve "* ]]; then
  WIRE=${WIRE:-$BUILD_DIR/tools/wire/wire}
else
  WIRE=""
fi
WIRE_SERVER=${WIRE_SERVER:-$BUILD_DIR/bench/http_hello_server}
NGINX=${NGINX:-/usr/sbin/nginx}
H2O=${H2O:-/usr/bin/h2o}
PYTHON=${PYTHON:-/usr/bin/python3}
TSV=${TSV:-$BUILD_DIR/http_server.tsv}
CHART=${CHART-docs/img/http_server_keepalive.svg}
STATIC_CHART=${STATIC_CHART-docs/img/http_serve_static.svg}
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_init http_server

# --- build ------------------------------------------------------------------
# Each program on its own: wire's server may not build while wire is mid-edit, a
# peer's when its library is missing; either is then skipped, not the run.
if [ "$BUILD" = 1 ]; then
  # shellcheck disable=SC2119  # no targets: configure only
  bench_build
  for t in idle_conns http_hello_server httplib_server beast_server poco_server; do
    if ! ninja -C "$BUILD_DIR" "$t" >"$WORK/ninja-$t.log" 2>&1; then
      echo "http_server.sh: $t does not build; it is skipped. Last lines:" >&2
      tail -n 5 "$WORK/ninja-$t.log" | sed 's/^/    /' >&2
      rm -f "$BUILD_DIR/bench/$t"
    fi
  done
fi

# --- which servers ------------------------------------------------------------
have_server() {  # have_server NAME: whether it can run here (a message if not)
  local need
  case "$1" in
    wire) need=$WIRE_SERVER ;;
    nginx) need=$NGINX ;;
    httplib|beast|poco) need=$BUILD_DIR/bench/$1_server ;;
    python) need=$PYTHON ;;
    wire-serve) need=$WIRE ;;
    h2o) need=$H2O ;;
    *) echo "http_server.sh: unknown server $1 (wire nginx httplib beast poco python wire-serve h2o)" >&2
      exit 2 ;;
  esac
  [ -n "$need" ] && [ -x "$need" ] && return 0
  if [ "$1" = wire ] || [ "$1" = wire-serve ]; then
    echo "http_server.sh: $1: not built (${need:-the wire tool} is missing): $1 is skipped" >&2
  else
    echo "http_server.sh: $need is missing: $1 is skipped" >&2
  fi
  return 1
}
ACTIVE=()
for s in $SERVERS; do have_server "$s" && ACTIVE+=("$s"); done
[ ${#ACTIVE[@]} -gt 0 ] || { echo "http_server.sh: no server to measure" >&2; exit 1; }

# is_static NAME: whether NAME serves the static tests (GET /hello.txt from the www
# directory); is_route NAME: whether it serves the route tests (GET / from a route).
# nginx is both.
is_static() { case "$1" in wire-serve|h2o|nginx) return 0 ;; esac; return 1; }
is_route() { case "$1" in wire-serve|h2o) return 1 ;; esac; return 0; }
# takes_part NAME TEST: whether NAME runs in TEST.
takes_part() {
  case "$2" in
    keepalive|close|idle) is_route "$1" ;;
    static|pipeline) is_static "$1" ;;
    file) return 0 ;;
  esac
}

# --- descriptors: the idle test needs IDLE in the server and IDLE in the client ---
NOFILE_WANTED=65536
if ulimit -n "$NOFILE_WANTED" 2>/dev/null; then
  NOFILE_NOTE="ulimit -n $NOFILE_WANTED"
else
  hard=$(ulimit -Hn)
  ulimit -n "$hard" 2>/dev/null || true
  NOFILE_NOTE="ulimit -n $NOFILE_WANTED not allowed (hard limit $hard): $(ulimit -n)"
fi
NOFILE=$(ulimit -n)
if [[ " $TESTS " == *" idle "* ]] && [ "$IDLE" -gt 0 ] && [ "$NOFILE" != unlimited ] &&
  [ $((IDLE + 64)) -gt "$NOFILE" ]; then
  echo "http_server.sh: $IDLE idle connections need more than the $NOFILE descriptors allowed;" \
    "measuring $((NOFILE - 64))" >&2
  IDLE=$((NOFILE - 64))
fi
if [[ " $TESTS " == *" idle "* ]] && [ "$IDLE" -gt 0 ] && [ ! -x "$BUILD_DIR/bench/idle_conns" ]; then
  echo "http_server.sh: no $BUILD_DIR/bench/idle_conns: the idle test is skipped" >&2
  IDLE=0
fi
# Threads for the servers that serve a connection per thread (httplib, POCO): one for
# each connection the test opens, and a few for the checks.
THREADS_RUN=$(( (CONNS > FILE_CONNS ? CONNS : FILE_CONNS) + 8 ))

# idle_count NAME: how many idle connections NAME gets (see the top of this file).
idle_count() {
  local n=$IDLE
  case "$1" in
    httplib) [ "$n" -gt "$HTTPLIB_IDLE" ] && n=$HTTPLIB_IDLE ;;
    poco) [ "$NOFILE" != unlimited ] && [ "$n" -gt $(( (NOFILE - 64) / 2 )) ] && n=$(( (NOFILE - 64) / 2 )) ;;
  esac
  echo "$n"
}

# --- the files, the wrk scripts, the runner and the checker -------------------------
WWW=$WORK/www
mkdir -p "$WWW"
FILE_SIZE=$((1 << 20))
head -c "$FILE_SIZE" /dev/urandom >"$WWW/1m"
printf 'Hello, World!' >"$WWW/hello.txt"  # the static tests' 13 bytes, as GET / answers

# wrk prints its usual report (kept in the log) and, from done(), one line of fields.
cat >"$WORK/report.lua" <<'EOF'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("wrk_result requests=%d duration_us=%d bytes=%d err_connect=%d " ..
    "err_read=%d err_write=%d err_status=%d err_timeout=%d p50_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(99), latency.max))
end
EOF

# The pipeline test's script: every write carries the same GET, as wrk would make it for the
# URL (its Host header included), N times over; N is the script's argument (wrk ... URL -- N).
# wrk parses the batch once to know how many responses to wait for before it writes again, and
# counts each response as a request; latency is recorded once per batch.
{
  cat <<'EOF'
local batch

init = function(args)
  local n = tonumber(args[1]) or 16
  local one = wrk.format()
  batch = string.rep(one, n)
end

request = function()
  return batch
end

EOF
  cat "$WORK/report.lua"
} >"$WORK/pipeline.lua"

# run.py SERVER_PID LIMIT OUT -- CMD...: runs CMD (it inherits our CPU affinity) with its
# output in OUT, killed after LIMIT seconds, and prints key=value fields: rc, wall_s,
# client_cpu_us (wait4), server_cpu_us (/proc/PID/stat, all threads; server_user_us and
# server_sys_us its user-space and kernel parts), server_rss_kib and
# server_hwm_kib (VmRSS and VmHWM after), other_cpu_pct (the rest of the machine, in % of
# one core), then the fields of CMD's "wrk_result" line.
cat >"$WORK/run.py" <<'EOF'
import os, signal, sys, time
pid, limit, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
cmd = sys.argv[5:]
hz = os.sysconf("SC_CLK_TCK")
def busy():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / hz
def server_cpu():  # (user, kernel) seconds
    with open(f"/proc/{pid}/stat") as f:
        v = f.read().rsplit(")", 1)[1].split()
    return int(v[11]) / hz, int(v[12]) / hz
def status(key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return "NA"
b0, (u0, k0), t0 = busy(), server_cpu(), time.monotonic()
with open(out, "wb") as o:
    child = os.fork()
    if child == 0:
        try:
            os.dup2(o.fileno(), 1)
            os.dup2(o.fileno(), 2)
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
timed_out = False
def on_alarm(*_):
    global timed_out
    timed_out = True
    os.kill(child, signal.SIGKILL)
def on_stop(signum, _):
    os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)
    sys.exit(128 + signum)
signal.signal(signal.SIGALRM, on_alarm)
signal.signal(signal.SIGINT, on_stop)
signal.signal(signal.SIGTERM, on_stop)
signal.alarm(limit)
_, wstatus, ru = os.wait4(child, 0)
signal.alarm(0)
t1 = time.monotonic()
try:
    (u1, k1), rss, hwm = server_cpu(), status("VmRSS"), status("VmHWM")
except OSError:  # the server died
    u1 = k1 = None
    rss = hwm = "NA"
b1 = busy()
rc = 124 if timed_out else os.waitstatus_to_exitcode(wstatus)
wall = t1 - t0
client = ru.ru_utime + ru.ru_stime
used = None if u1 is None else (u1 - u0) + (k1 - k0)
server = "NA" if used is None else f"{used * 1e6:.0f}"
user = "NA" if used is None else f"{(u1 - u0) * 1e6:.0f}"
kernel = "NA" if used is None else f"{(k1 - k0) * 1e6:.0f}"
other = max(0.0, (b1 - b0) - client - (used or 0)) / wall * 100
fields = ""
with open(out, errors="replace") as f:
    for line in f:
        if line.startswith("wrk_result "):
            fields = line.split(" ", 1)[1].strip()
print(f"rc={rc} wall_s={wall:.3f} client_cpu_us={client * 1e6:.0f} server_cpu_us={server} "
      f"server_user_us={user} server_sys_us={kernel} server_rss_kib={rss} server_hwm_kib={hwm} other_cpu_pct={other:.1f} {fields}")
EOF

# check.py PORT PID FILE TARGET PIPELINE: checks what the server answers, and prints
# key=value fields: head_bytes (of the Hello response), file_head_bytes, nodelay (TCP_NODELAY
# on the server's side of the connection: 1, 0, or NA if it cannot be seen). TARGET is the
# Hello: "/" for a route server (Content-Type exactly text/plain), "/hello.txt" for a static
# server (text/plain, parameters allowed), which must also answer PIPELINE requests sent in
# one write (0: not checked). Exits 1 with a message on a wrong answer.
cat >"$WORK/check.py" <<'EOF'
import ctypes, os, socket, sys
port, pid, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
target, depth = sys.argv[4], int(sys.argv[5])
expect_file = open(path, "rb").read()

def fail(msg):
    sys.exit(f"check: {msg}")

def read_response(s, buf):
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            fail("connection closed before a whole head")
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers.setdefault(k.strip().lower(), []).append(v.strip())
    if "content-length" not in headers:
        fail(f"no Content-Length in {lines}")
    n = int(headers["content-length"][0])
    while len(rest) < n:
        chunk = s.recv(1 << 20)
        if not chunk:
            fail("connection closed in the body")
        rest += chunk
    return status, headers, rest[:n], rest[n:], len(head) + 4

def request(s, target, extra=""):
    s.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}\r\n".encode())

def server_nodelay(client_port):
    # The server's socket of this connection, through pidfd_getfd(2) (needs ptrace rights).
    try:
        inode = None
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            with open(table) as f:
                next(f)
                for line in f:
                    v = line.split()
                    if int(v[1].rsplit(":", 1)[1], 16) == port and int(v[2].rsplit(":", 1)[1], 16) == client_port:
                        inode = v[9]
        if inode is None:
            return "NA"
        target = None
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                    target = int(fd)
            except OSError:
                pass
        if target is None:
            return "NA"
        libc = ctypes.CDLL(None, use_errno=True)
        pidfd = os.pidfd_open(pid)
        try:
            dup = libc.syscall(438, pidfd, target, 0)  # SYS_pidfd_getfd
        finally:
            os.close(pidfd)
        if dup < 0:
            return "NA"
        s = socket.socket(fileno=dup)
        try:
            return str(int(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0))
        finally:
            s.detach()
            os.close(dup)
    except OSError:
        return "NA"

s = socket.create_connection(("127.0.0.1", port), timeout=10)
buf = b""
head_bytes = None
def check_hello(what, status, headers, body):
    if status[1] != "200" or body != b"Hello, World!":
        fail(f"{what}: {status} {body[:40]!r}")
    ctype = headers.get("content-type", [])
    if target == "/" and ctype != ["text/plain"]:
        fail(f"{what}: Content-Type {ctype}, expected text/plain")
    if target != "/" and (len(ctype) != 1 or ctype[0].split(";")[0].strip().lower() != "text/plain"):
        fail(f"{what}: Content-Type {ctype}, expected text/plain")
    if any(v.lower() == "close" for v in headers.get("connection", [])):
        fail(f"{what}: Connection: close on a keep-alive request")

for i in range(2):  # two on one connection: keep-alive
    request(s, target)
    status, headers, body, buf, head_bytes = read_response(s, buf)
    check_hello(f"GET {target} #{i + 1}", status, headers, body)
nodelay = server_nodelay(s.getsockname()[1])
request(s, "/1m")
status, headers, body, buf, file_head = read_response(s, buf)
if status[1] != "200" or body != expect_file:
    fail(f"GET /1m: {status}, {len(body)} bytes, not the file")
if depth > 0:  # the pipeline test's batch: every request in one write, every answer in order
    s.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode() * depth)
    for i in range(depth):
        status, headers, body, buf, _ = read_response(s, buf)
        check_hello(f"pipelined GET {target} {i + 1} of {depth}", status, headers, body)
    if buf:
        fail(f"{len(buf)} bytes after the {depth} pipelined responses")
s.close()

s = socket.create_connection(("127.0.0.1", port), timeout=10)
request(s, target, "Connection: close\r\n")
status, headers, body, buf, _ = read_response(s, b"")
if not any(v.lower() == "close" for v in headers.get("connection", [])):
    fail(f"GET {target} with Connection: close: the response has no Connection: close ({headers})")
while buf or s.recv(4096):  # the server must close
    buf = b""
s.close()
print(f"head_bytes={head_bytes} file_head_bytes={file_head} nodelay={nodelay}")
EOF

# --- servers --------------------------------------------------------------------
# nginx_config PORT: $WORK/nginx-PORT/nginx.conf, one process, the same answers.
nginx_config() {
  local port=$1 dir=$WORK/nginx-$1 conns
  conns=$((IDLE + 1024))
  [ "$NOFILE" != unlimited ] && [ "$conns" -gt "$NOFILE" ] && conns=$NOFILE
  mkdir -p "$dir/tmp"
  # worker_connections: 512 by default; room for the idle test.
  {
    nginx_conf_head "$dir" "$conns"
    cat <<EOF
  sendfile on;
  # tcp_nopush stays off (its default): with it on (TCP_CORK around each response),
  # nginx spent ~2.5x the CPU per 1 MiB response here, over loopback.
  tcp_nodelay on;
  # nginx closes a keep-alive connection after 1000 requests (keepalive_requests, 100
  # before 1.19.10) and after 75 s idle (keepalive_timeout): neither is under test.
  keepalive_requests 1000000;
  keepalive_timeout 300s;
  # No mime.types is included (default_type above): the static tests' hello.txt is text/plain,
  # as the other static servers send it.
  types { text/plain txt; }
  server {
    listen 127.0.0.1:$port;
    root $WWW;
    location = / {
      default_type text/plain;
      return 200 "Hello, World!";
    }
  }
}
EOF
  } >"$dir/nginx.conf"
}

# h2o_config PORT: $WORK/h2o-PORT/h2o.conf: one worker thread serving the www directory on
# 127.0.0.1:PORT, no access log (h2o writes one only where `access-log` says), its error log
# in the directory; its other settings are h2o's defaults (keep-alive for 10 s idle,
# `http1-request-timeout`; its open-file cache; sendfile for files over 64 KiB).
h2o_config() {
  local port=$1 dir=$WORK/h2o-$1
  mkdir -p "$dir"
  {
    echo "# Generated by bench/$BENCH_NAME.sh"
    # As root h2o refuses to start without a `user` to switch to; root keeps it able to read
    # the www directory in the work directory.
    [ "$(id -u)" = 0 ] && echo "user: root"
    cat <<EOF
num-threads: 1
error-log: $dir/error.log
listen:
  host: 127.0.0.1
  port: $port
hosts:
  default:
    paths:
      /:
        file.dir: $WWW
EOF
  } >"$dir/h2o.conf"
}

# start_server NAME MODE: starts it pinned to SERVER_CPU on a free port (MODE: run or
# idle, which sizes the thread-per-connection servers). Sets SPID and SPORT; 1 if it
# does not come up (three tries: free_port is racy).
start_server() {
  local name=$1 mode=$2 threads attempt cmd log=$WORK/$1.log
  threads=$THREADS_RUN
  [ "$mode" = idle ] && threads=$(( $(idle_count "$name") + 16 ))
  for attempt in 1 2 3; do
    SPORT=$(free_port)
    case "$name" in
      wire) cmd=("$WIRE_SERVER" "$SPORT" "$WWW") ;;
      nginx)
        nginx_config "$SPORT"
        cmd=("$NGINX" -p "$WORK/nginx-$SPORT" -c "$WORK/nginx-$SPORT/nginx.conf"
             -e "$WORK/nginx-$SPORT/error.log") ;;
      httplib|poco) cmd=("$BUILD_DIR/bench/${name}_server" "$SPORT" "$WWW" --threads "$threads") ;;
      beast) cmd=("$BUILD_DIR/bench/beast_server" "$SPORT" "$WWW") ;;
      python) cmd=("$PYTHON" bench/peers/python_server.py "$SPORT" "$WWW") ;;
      wire-serve)
        cmd=("$WIRE" http serve --host 127.0.0.1 --port "$SPORT" --threads 1 --grace 1 "$WWW") ;;
      h2o)
        h2o_config "$SPORT"
        cmd=("$H2O" -c "$WORK/h2o-$SPORT/h2o.conf") ;;
    esac
    taskset -c "$SERVER_CPU" "${cmd[@]}" >"$log" 2>&1 </dev/null &
    SPID=$!
    STARTED+=("$SPID")
    if wait_port "$SPID" "$SPORT" "$name" 20; then return 0; fi
    tail -n 5 "$log" | sed 's/^/    /' >&2
    [ "$name" = nginx ] && tail -n 5 "$WORK/nginx-$SPORT/error.log" 2>/dev/null | sed 's/^/    /' >&2
    [ "$name" = h2o ] && tail -n 5 "$WORK/h2o-$SPORT/error.log" 2>/dev/null | sed 's/^/    /' >&2
    stop_started "$SPID"
  done
  return 1
}

# --- the machine --------------------------------------------------------------
machine_report
echo "== servers on core $SERVER_CPU: ${ACTIVE[*]}; $(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2) -t$WRK_THREADS" \
  "on core $CLIENT_CPU; $ROUNDS interleaved rounds of ${WARMUP} s warm-up + ${DURATION} s"
echo "== tests: $TESTS (keepalive/close: -c$CONNS GET /; file: -c$FILE_CONNS GET /1m;" \
  "static: -c$STATIC_CONNS GET /hello.txt; pipeline: the same, $PIPELINE per write;" \
  "idle: $IDLE connections); descriptors: $NOFILE_NOTE"
echo "== peers: $("$NGINX" -v 2>&1 | sed 's/^nginx version: //');" \
  "cpp-httplib $(dpkg-query -W -f='${Version}' libcpp-httplib-dev 2>/dev/null || echo '?');" \
  "Boost $(dpkg-query -W -f='${Version}' libboost-dev 2>/dev/null || echo '?');" \
  "POCO $(dpkg-query -W -f='${Version}' libpoco-dev 2>/dev/null || echo '?'); $("$PYTHON" --version 2>&1);" \
  "$("$H2O" --version 2>/dev/null | head -n1 || echo 'h2o ?');" \
  "thread-per-connection servers get $THREADS_RUN threads (for the idle test: one per connection)"

# --- runs ---------------------------------------------------------------------------
FAILED=0
QUIET_BUDGET=30  # seconds of wait_quiet (bench/lib.sh), for the whole run
declare -A CHECKED=()
RUN_LIMIT=$((WARMUP + DURATION + 60))

# check_server NAME TEST: check.py against the running server, as a static server (its
# Hello is /hello.txt, and PIPELINE requests in one write) for the static tests and for the
# servers that only serve files, else as a route server; its fields in CHECK.
check_server() {
  local name=$1 test=$2 target="/" depth=0
  if [ "$test" = static ] || [ "$test" = pipeline ] || ! is_route "$name"; then
    target=/hello.txt depth=$PIPELINE
  fi
  if ! CHECK=$(timeout 30 taskset -c "$CLIENT_CPU" python3 "$WORK/check.py" "$SPORT" "$SPID" \
    "$WWW/1m" "$target" "$depth" 2>"$WORK/check.err"); then
    echo "http_server.sh: $name answers wrongly (GET $target):" >&2
    sed 's/^/    /' "$WORK/check.err" | tail -n 5 >&2
    return 1
  fi
  if [ -z "${CHECKED[$name $target]:-}" ]; then
    CHECKED[$name $target]=1
    local what="GET $target"
    [ "$depth" -gt 0 ] && what+=", $depth pipelined"
    echo "check $name ($what): $CHECK"
    [ "$(field "$CHECK" nodelay)" = 0 ] && echo "http_server.sh: $name does not set TCP_NODELAY" >&2
  fi
  return 0
}

# wrk_args TEST: fills ARGS, wrk's arguments but the duration (its script included: the
# pipeline script also reports, as report.lua does).
wrk_args() {
  ARGS=(-t "$WRK_THREADS" --timeout 10s)
  case "$1" in
    keepalive) ARGS+=(-s "$WORK/report.lua" -c "$CONNS" "http://127.0.0.1:$SPORT/") ;;
    close) ARGS+=(-s "$WORK/report.lua" -c "$CONNS" -H "Connection: close" "http://127.0.0.1:$SPORT/") ;;
    file) ARGS+=(-s "$WORK/report.lua" -c "$FILE_CONNS" "http://127.0.0.1:$SPORT/1m") ;;
    static) ARGS+=(-s "$WORK/report.lua" -c "$STATIC_CONNS" "http://127.0.0.1:$SPORT/hello.txt") ;;
    pipeline)
      ARGS+=(-s "$WORK/pipeline.lua" -c "$STATIC_CONNS" "http://127.0.0.1:$SPORT/hello.txt" -- "$PIPELINE") ;;
  esac
}

# run_wrk NAME TEST ROUND: the least disturbed of up to RETRIES+1 runs, into RESULTS.
run_wrk() {
  local name=$1 test=$2 r=$3 attempt line="" best="" best_other="" ok best_ok=0 other why
  for ((attempt = 0; attempt <= RETRIES; attempt++)); do
    [ "$attempt" -gt 0 ] && wait_quiet
    if ! start_server "$name" run; then
      best="rc=no-start" best_ok=0
      break
    fi
    if ! check_server "$name" "$test"; then
      stop_started "$SPID"
      best="rc=wrong-answer" best_ok=0
      break
    fi
    wrk_args "$test"
    if [ "$WARMUP" -gt 0 ]; then
      timeout $((WARMUP + 30)) taskset -c "$CLIENT_CPU" wrk -d "${WARMUP}s" "${ARGS[@]}" \
        >"$WORK/warmup.out" 2>&1 || true
    fi
    line=$(taskset -c "$CLIENT_CPU" python3 "$WORK/run.py" "$SPID" "$RUN_LIMIT" "$WORK/wrk.out" -- \
      wrk -d "${DURATION}s" --latency "${ARGS[@]}") || line="rc=runner-failed"
    kill -0 "$SPID" 2>/dev/null || line+=" server_died=1"
    stop_started "$SPID"
    line+=" $CHECK"
    ok=1 why=""
    local n rc
    rc=$(field "$line" rc) n=$(field "$line" requests)
    if [ "$rc" != 0 ] || [ "$n" = NA ] || [ "$n" = 0 ]; then
      why="wrk exit $rc, $n requests"
    elif [ "$(field "$line" server_died)" = 1 ]; then
      why="the server died"
    elif [ "$(field "$line" err_status)" != 0 ] || [ "$(field "$line" err_connect)" != 0 ]; then
      why="$(field "$line" err_status) non-2xx responses, $(field "$line" err_connect) connect errors"
    elif [ $(($(field "$line" err_read) + $(field "$line" err_write) + $(field "$line" err_timeout))) -gt $((n / 100)) ]; then
      why="more than 1% of requests with read, write or timeout errors"
    elif [ "$test" = file ] && [ $(($(field "$line" bytes) / n)) -lt "$FILE_SIZE" ]; then
      why="responses shorter than the file"
    elif { [ "$test" = static ] || [ "$test" = pipeline ]; } &&
      [ $(($(field "$line" bytes) / n)) -gt 1024 ]; then
      # 13 bytes and a head: more per request means wrk counted batches, not responses
      why="$(($(field "$line" bytes) / n)) bytes per request: not one response each"
    fi
    if [ -n "$why" ]; then
      ok=0
      echo "http_server.sh: $name ($test): $why" >&2
      grep -v '^wrk_result' "$WORK/wrk.out" | tail -n 5 | sed 's/^/    /' >&2
      best=$line best_ok=0
      break
    fi
    other=$(field "$line" other_cpu_pct)
    if [ -z "$best" ] || awk -v o="$other" -v b="$best_other" 'BEGIN { exit !(o < b) }'; then
      best=$line best_other=$other best_ok=1
    fi
    if awk -v o="$other" -v m="$MAX_OTHER" 'BEGIN { exit !(o > m) }' && [ "$attempt" -lt "$RETRIES" ]; then
      printf 'round %d %-9s %-10s disturbed (other_cpu_pct=%s > %s), again\n' "$r" "$test" "$name" "$other" "$MAX_OTHER"
      continue
    fi
    break
  done
  printf 'round %d %-9s %-10s %s\n' "$r" "$test" "$name" "$best"
  [ "$best_ok" = 1 ] || FAILED=1
  printf '%s\t%s\t%d\t%s\t%s\n' "$name" "$test" "$r" "$best_ok" "$best" >>"$RESULTS"
}

# run_idle NAME ROUND: the idle-connection test, into RESULTS.
run_idle() {
  local name=$1 r=$2 line ok=1 n
  n=$(idle_count "$name")
  [ "$n" != "$IDLE" ] && echo "http_server.sh: $name gets $n idle connections, not $IDLE (see the top of bench/http_server.sh)" >&2
  if ! start_server "$name" idle; then
    FAILED=1
    printf '%s\tidle\t%d\t0\trc=no-start\n' "$name" "$r" >>"$RESULTS"
    return
  fi
  set +e
  line=$(timeout 150 taskset -c "$CLIENT_CPU" "$BUILD_DIR/bench/idle_conns" --port "$SPORT" \
    --connections "$n" --server-pid "$SPID" --timeout 120 2>"$WORK/idle.err")
  local rc=$?
  set -e
  stop_started "$SPID"
  if [ "$rc" != 0 ]; then
    ok=0 FAILED=1
    echo "http_server.sh: $name (idle): idle_conns exit $rc" >&2
    tail -n 5 "$WORK/idle.err" | sed 's/^/    /' >&2
  fi
  printf 'round %d %-9s %-10s %s\n' "$r" idle "$name" "$line"
  printf '%s\tidle\t%d\t%s\trc=%s %s\n' "$name" "$r" "$ok" "$rc" "$line" >>"$RESULTS"
}

for ((r = 1; r <= ROUNDS; r++)); do
  for t in $TESTS; do
    [ "$t" = idle ] && continue
    for s in "${ACTIVE[@]}"; do
      if takes_part "$s" "$t"; then run_wrk "$s" "$t" "$r"; fi
    done
  done
done
if [[ " $TESTS " == *" idle "* ]] && [ "$IDLE" -gt 0 ]; then
  for s in "${ACTIVE[@]}"; do
    if takes_part "$s" idle; then run_idle "$s" 1; fi
  done
fi

# --- system calls per request (STRACE=1) -----------------------------------------------
# run_strace NAME TEST: one more run of TEST (static or pipeline) for STRACE_SECONDS under
# `strace -c -f -p PID` (every thread), after the rounds so it disturbs none of them; the
# calls counted over wrk's requests, into RESULTS as test strace-TEST. The server runs
# several times slower traced, so more connections are ready per epoll_wait: calls that
# serve many connections at once (epoll_wait) count less than untraced; the calls made per
# request (recv, send, open, ...) count the same. strace's table is kept beside the TSV.
STRACE_SECONDS=3
run_strace() {
  local name=$1 test=$2 tpid out line n i traced t
  out=${TSV%.tsv}-strace-$test-$name.txt
  mkdir -p "$(dirname "$out")"
  if ! start_server "$name" run; then
    printf '%s\tstrace-%s\t1\t0\trc=no-start\n' "$name" "$test" >>"$RESULTS"
    return
  fi
  if ! check_server "$name" "$test"; then
    stop_started "$SPID"
    printf '%s\tstrace-%s\t1\t0\trc=wrong-answer\n' "$name" "$test" >>"$RESULTS"
    return
  fi
  taskset -c "$SERVER_CPU" strace -c -f -p "$SPID" -o "$out" 2>"$WORK/strace.err" &
  tpid=$!
  STARTED+=("$tpid")
  # Until every thread of the server is traced (TracerPid set): at most 5 s.
  for ((i = 0; i < 100; i++)); do
    traced=1
    for t in /proc/"$SPID"/task/*/status; do
      [ "$(awk '/^TracerPid:/ { print $2 }' "$t" 2>/dev/null)" = "$tpid" ] || traced=0
    done
    [ "$traced" = 1 ] && break
    kill -0 "$tpid" 2>/dev/null || break
    sleep 0.05
  done
  wrk_args "$test"
  line=""
  if [ "$traced" = 1 ]; then
    timeout $((STRACE_SECONDS + 30)) taskset -c "$CLIENT_CPU" wrk -d "${STRACE_SECONDS}s" "${ARGS[@]}" \
      >"$WORK/strace-wrk.out" 2>&1 || true
    line=$(grep '^wrk_result ' "$WORK/strace-wrk.out" | head -n1 || true)
  else
    echo "http_server.sh: strace did not attach to every thread of $name:" >&2
    tail -n 3 "$WORK/strace.err" | sed 's/^/    /' >&2
  fi
  stop_started "$tpid"  # SIGTERM: strace detaches and writes its table
  stop_started "$SPID"
  n=$(field "$line" requests)
  if [ "$n" = NA ] || [ "$n" = 0 ] || [ ! -s "$out" ]; then
    echo "http_server.sh: $name (strace, $test): no count" >&2
    printf '%s\tstrace-%s\t1\t0\trc=no-count\n' "$name" "$test" >>"$RESULTS"
    return
  fi
  # strace -c: "% time seconds usecs/call calls [errors] syscall" rows, then a total row.
  line=$(python3 - "$out" "$n" <<'PYEOF2'
import sys
out, n = sys.argv[1], int(sys.argv[2])
calls, total = [], None
for row in open(out):
    v = row.split()
    if len(v) in (5, 6) and v[3].isdigit():
        if v[-1] == "total":
            total = int(v[3])
        else:
            calls.append((int(v[3]), v[-1]))
calls.sort(reverse=True)
top = ",".join(f"{name}:{c / n:.2f}" for c, name in calls if c / n >= 0.01)
print(f"requests={n} syscalls={total} syscalls_per_req={total / n:.2f} per_call={top}")
PYEOF2
  )
  printf 'strace %-9s %-10s %s\n' "$test" "$name" "$line"
  printf '%s\tstrace-%s\t1\t1\t%s\n' "$name" "$test" "$line" >>"$RESULTS"
}
if [ "$STRACE" = 1 ]; then
  STRACE_TESTS=static
  [[ " $TESTS " == *" pipeline "* ]] && STRACE_TESTS="static pipeline"
  for t in $STRACE_TESTS; do
    for s in "${ACTIVE[@]}"; do
      if is_static "$s"; then run_strace "$s" "$t"; fi
    done
  done
fi

# --- the tables -----------------------------------------------------------------------
mkdir -p "$(dirname "$TSV")"
SUMMARY=${TSV%.tsv}-summary.tsv
STATIC_SUMMARY=${TSV%.tsv}-static-summary.tsv
echo
python3 - "$RESULTS" "$TSV" "$SUMMARY" "$MAX_OTHER" "$FILE_SIZE" "$IDLE" "$CONNS" "$FILE_CONNS" \
  "$STATIC_SUMMARY" "$STATIC_CONNS" "$PIPELINE" <<'EOF'
import statistics, sys

results, tsv, summary_tsv = sys.argv[1:4]
max_other, file_size, idle_n = float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
conns, file_conns = sys.argv[7], sys.argv[8]
static_summary_tsv, static_conns, depth = sys.argv[9], sys.argv[10], sys.argv[11]
runs, order, total = {}, [], {}
raw = []
syscalls = {}  # (test, server): (system calls per request, "name:per request,...")
for line in open(results):
    name, test, rnd, ok, fields = line.rstrip("\n").split("\t", 4)
    if name not in order:
        order.append(name)
    total[(test, name)] = total.get((test, name), 0) + 1
    kv = dict(f.split("=", 1) for f in fields.split() if "=" in f)
    raw.append((name, test, rnd, ok, kv))
    if ok != "1":
        continue
    num = lambda k: float(kv[k]) if kv.get(k, "NA") != "NA" else None
    if test.startswith("strace-"):
        syscalls[(test[len("strace-"):], name)] = (num("syscalls_per_req"), kv.get("per_call", ""))
        continue
    if test == "idle":
        runs.setdefault(test, {}).setdefault(name, {})[rnd] = {k: num(k) for k in
            ("connections", "kib_per_conn", "rss_before_kib", "rss_after_kib", "threads_before", "threads_after", "seconds")}
        continue
    secs = num("duration_us") / 1e6
    n = num("requests")
    cpu = num("server_cpu_us")
    user, kernel = num("server_user_us"), num("server_sys_us")
    wall = num("wall_s")
    runs.setdefault(test, {}).setdefault(name, {})[rnd] = {
        "rate": n / secs,
        "mbps": num("bytes") / secs / 1e6,
        "cpu": cpu / n if cpu is not None else None,
        "user": user / n if user is not None else None,
        "kernel": kernel / n if kernel is not None else None,
        "per_core": n / (cpu / 1e6) if cpu else None,
        "p50": num("p50_us"), "p99": num("p99_us"),
        "server_pct": cpu / 1e4 / wall if cpu is not None else None,
        "client_pct": num("client_cpu_us") / 1e4 / wall,
        "client": num("client_cpu_us") / n,
        "other": num("other_cpu_pct"),
        "errors": sum(num(k) or 0 for k in ("err_read", "err_write", "err_timeout")),
        "head": num("head_bytes"), "nodelay": kv.get("nodelay", "NA"),
        "hwm": num("server_hwm_kib"),
    }

def med(test, name, key, pick=statistics.median):
    vals = [r[key] for r in runs.get(test, {}).get(name, {}).values() if r.get(key) is not None]
    return pick(vals) if vals else None
def paired(test, name, key, ref="nginx"):
    a, b = runs.get(test, {}).get(name, {}), runs.get(test, {}).get(ref, {})
    rs = [a[k][key] / b[k][key] for k in a if k in b and a[k][key] is not None and b[k][key]]
    return statistics.median(rs) if rs else None
def fmt(v, d=0):
    return "n/a" if v is None else f"{v:,.{d}f}"
def x(v):
    return "n/a" if v is None else f"{v:.2f}x"

# Every run, and the medians, as TSV.
keys = ["requests", "duration_us", "bytes", "p50_us", "p99_us", "max_us", "err_connect", "err_read",
        "err_write", "err_status", "err_timeout", "server_cpu_us", "server_user_us", "server_sys_us",
        "client_cpu_us", "wall_s",
        "other_cpu_pct", "server_rss_kib", "server_hwm_kib", "head_bytes", "file_head_bytes", "nodelay",
        "connections", "rss_before_kib", "rss_after_kib", "kib_per_conn", "closed_by_server",
        "threads_before", "threads_after", "seconds", "syscalls", "syscalls_per_req", "per_call", "rc"]
with open(tsv, "w") as f:
    f.write("\t".join(["server", "test", "round", "ok"] + keys) + "\n")
    for name, test, rnd, ok, kv in raw:
        f.write("\t".join([name, test, rnd, ok] + [kv.get(k, "") for k in keys]) + "\n")
cols = ["server", "ka_rps", "ka_rps_x_nginx", "ka_cpu_us_per_req", "ka_cpu_x_nginx", "ka_req_per_core_s",
        "ka_p99_us", "close_rps", "close_rps_x_nginx", "close_cpu_us_per_req", "close_p99_us",
        "file_rps", "file_mb_s", "file_rps_x_nginx", "file_cpu_us_per_req", "file_p99_us", "idle_kib_per_conn"]
# The route servers' medians (the keep-alive chart's rows), and the static servers'.
static_servers = ("wire-serve", "h2o", "nginx")
route_order = [n for n in order if n not in ("wire-serve", "h2o")]
static_order = [n for n in order if n in static_servers]
def ran(test, names):
    return any((test, n) in total for n in names)
# The static servers' table: after a static test, or a file test h2o took part in.
static_ran = any(ran(t, static_order) for t in ("static", "pipeline")) or ("file", "h2o") in total
def tsv_row(name, values):
    return "\t".join([name] + ["" if a is None else f"{a:.3f}".rstrip("0").rstrip(".") for a in values]) + "\n"
with open(summary_tsv, "w") as f:
    f.write("\t".join(cols) + "\n")
    for n in route_order:
        v = [med("keepalive", n, "rate"), paired("keepalive", n, "rate"), med("keepalive", n, "cpu"),
             paired("keepalive", n, "cpu"), med("keepalive", n, "per_core"), med("keepalive", n, "p99"),
             med("close", n, "rate"), paired("close", n, "rate"), med("close", n, "cpu"), med("close", n, "p99"),
             med("file", n, "rate"), med("file", n, "mbps"), paired("file", n, "rate"), med("file", n, "cpu"),
             med("file", n, "p99"), med("idle", n, "kib_per_conn")]
        f.write(tsv_row(n, v))
static_cols = ["server", "static_rps", "static_rps_x_h2o", "static_cpu_us_per_req", "static_user_us_per_req",
               "static_kernel_us_per_req", "static_cpu_x_h2o", "static_p99_us", "pipeline_rps",
               "pipeline_rps_x_h2o", "pipeline_cpu_us_per_req", "pipeline_cpu_x_h2o", "file_rps", "file_mb_s",
               "file_rps_x_h2o", "file_cpu_us_per_req", "file_cpu_x_h2o", "file_server_cpu_pct",
               "file_wrk_cpu_us_per_req",
               "static_syscalls_per_req", "pipeline_syscalls_per_req"]
with open(static_summary_tsv, "w") as f:
    f.write("\t".join(static_cols) + "\n")
    for n in (static_order if static_ran else []):
        v = [med("static", n, "rate"), paired("static", n, "rate", "h2o"), med("static", n, "cpu"),
             med("static", n, "user"), med("static", n, "kernel"), paired("static", n, "cpu", "h2o"),
             med("static", n, "p99"), med("pipeline", n, "rate"), paired("pipeline", n, "rate", "h2o"),
             med("pipeline", n, "cpu"), paired("pipeline", n, "cpu", "h2o"), med("file", n, "rate"),
             med("file", n, "mbps"), paired("file", n, "rate", "h2o"), med("file", n, "cpu"),
             paired("file", n, "cpu", "h2o"), med("file", n, "server_pct"), med("file", n, "client"),
             syscalls.get(("static", n), (None,))[0], syscalls.get(("pipeline", n), (None,))[0]]
        f.write(tsv_row(n, v))

if any(ran(t, route_order) for t in ("keepalive", "close", "idle")):
    print("### Summary: routes")
    print()
    print("| server | keep-alive req/s | × nginx | CPU µs/req | × nginx | req per core-s | p99 ms "
          "| close req/s | × nginx | 1 MiB req/s | MB/s | × nginx | idle KiB/conn |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in route_order:
        p99 = med("keepalive", n, "p99")
        print(f"| {n} | {fmt(med('keepalive', n, 'rate'))} | {x(paired('keepalive', n, 'rate'))} | "
              f"{fmt(med('keepalive', n, 'cpu'), 2)} | {x(paired('keepalive', n, 'cpu'))} | "
              f"{fmt(med('keepalive', n, 'per_core'))} | {fmt(p99 / 1e3 if p99 else None, 2)} | "
              f"{fmt(med('close', n, 'rate'))} | {x(paired('close', n, 'rate'))} | "
              f"{fmt(med('file', n, 'rate'))} | {fmt(med('file', n, 'mbps'))} | {x(paired('file', n, 'rate'))} | "
              f"{fmt(med('idle', n, 'kib_per_conn'), 2)} |")
    print()
if static_ran:
    def cpu_split(test, n, d=2):
        c, u, k = med(test, n, "cpu"), med(test, n, "user"), med(test, n, "kernel")
        return "n/a" if c is None else f"{c:,.{d}f} ({fmt(u, d)} + {fmt(k, d)})"
    def sc(test, n):
        v = syscalls.get((test, n))
        return "n/a" if v is None or v[0] is None else f"{v[0]:.2f}"
    print("### Summary: static files (ratios to h2o, paired)")
    print()
    print(f"| server | {static_conns} conns req/s | × h2o | CPU µs/req (user + kernel) | × h2o | "
          f"{depth} pipelined req/s | × h2o | CPU µs/req (user + kernel) | × h2o | "
          f"1 MiB req/s | × h2o | CPU µs/req | server CPU % | wrk CPU µs/req | "
          f"system calls/req (static; pipelined) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in static_order:
        print(f"| {n} | {fmt(med('static', n, 'rate'))} | {x(paired('static', n, 'rate', 'h2o'))} | "
              f"{cpu_split('static', n)} | {x(paired('static', n, 'cpu', 'h2o'))} | "
              f"{fmt(med('pipeline', n, 'rate'))} | {x(paired('pipeline', n, 'rate', 'h2o'))} | "
              f"{cpu_split('pipeline', n)} | {x(paired('pipeline', n, 'cpu', 'h2o'))} | "
              f"{fmt(med('file', n, 'rate'))} | {x(paired('file', n, 'rate', 'h2o'))} | "
              f"{fmt(med('file', n, 'cpu'))} | {fmt(med('file', n, 'server_pct'))} | "
              f"{fmt(med('file', n, 'client'))} | {sc('static', n)}; {sc('pipeline', n)} |")
    print()
if syscalls:
    print("### System calls per request (strace -c -f, one extra run each)")
    print()
    print("| server | test | calls/req | the calls, per request |")
    print("|---|---|---:|---|")
    for (test, n), (per, calls) in sorted(syscalls.items()):
        print(f"| {n} | {test} | {fmt(per, 2)} | {calls.replace(',', ', ').replace(':', ' ')} |")
    print()
titles = {"keepalive": f"Keep-alive, GET / ({conns} connections)",
          "close": f"Connection: close, GET / ({conns} connections)",
          "file": f"1 MiB file, keep-alive ({file_conns} connections)",
          "static": f"Static 13-byte file, keep-alive, GET /hello.txt ({static_conns} connections)",
          "pipeline": f"The same, {depth} requests pipelined per write ({static_conns} connections)"}
for test in ("keepalive", "close", "file", "static", "pipeline"):
    if test not in runs and not any(t == test for (t, _) in total):
        continue
    ref = "h2o" if test in ("static", "pipeline") else "nginx"
    print(f"### {titles[test]}")
    print()
    print(f"| server | req/s | best req/s | × {ref} (paired) | p50 ms | p99 ms | server CPU µs/req | "
          f"× {ref} (paired) | user µs/req | kernel µs/req | req per core-s | server CPU % | wrk CPU % | "
          "other CPU % | errors | peak RSS KiB | head bytes | nodelay | rounds ok | disturbed |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in order:
        if (test, n) not in total:
            continue
        r = runs.get(test, {}).get(n, {})
        dist = sum(1 for v in r.values() if v["other"] is not None and v["other"] > max_other)
        p50, p99 = med(test, n, "p50"), med(test, n, "p99")
        nd = sorted({v["nodelay"] for v in r.values()})
        print(f"| {n} | {fmt(med(test, n, 'rate'))} | {fmt(med(test, n, 'rate', max))} | "
              f"{x(paired(test, n, 'rate', ref))} | {fmt(p50 / 1e3 if p50 else None, 2)} | "
              f"{fmt(p99 / 1e3 if p99 else None, 2)} | {fmt(med(test, n, 'cpu'), 2 if test != 'file' else 0)} | "
              f"{x(paired(test, n, 'cpu', ref))} | {fmt(med(test, n, 'user'), 2 if test != 'file' else 0)} | "
              f"{fmt(med(test, n, 'kernel'), 2 if test != 'file' else 0)} | "
              f"{fmt(med(test, n, 'per_core'))} | {fmt(med(test, n, 'server_pct'))} | "
              f"{fmt(med(test, n, 'client_pct'))} | {fmt(med(test, n, 'other'))} | {fmt(med(test, n, 'errors'))} | "
              f"{fmt(med(test, n, 'hwm', max))} | {fmt(med(test, n, 'head'))} | {'/'.join(nd) or 'n/a'} | "
              f"{len(r)}/{total[(test, n)]} | {dist} |")
    print()
if any(t == "idle" for (t, _) in total):
    print(f"### Idle keep-alive connections ({idle_n:,}, or fewer where the server cannot hold them)")
    print()
    print("| server | connections | RSS at start KiB | RSS with the idle connections KiB | KiB per connection | "
          "threads at start | threads after | seconds to open |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for n in order:
        if ("idle", n) not in total:
            continue
        print(f"| {n} | {fmt(med('idle', n, 'connections'))} | {fmt(med('idle', n, 'rss_before_kib'))} | {fmt(med('idle', n, 'rss_after_kib'))} | "
              f"{fmt(med('idle', n, 'kib_per_conn'), 2)} | {fmt(med('idle', n, 'threads_before'))} | "
              f"{fmt(med('idle', n, 'threads_after'))} | {fmt(med('idle', n, 'seconds'), 1)} |")
    print()
print("Medians over the rounds; × nginx, × h2o: the median of the per-round ratios to nginx or h2o (paired);")
print("best: the highest round. server CPU: the server's utime+stime (/proc/PID/stat, all threads,")
print("10 ms ticks) over the wrk run, per request, and its user-space and kernel parts (utime and")
print("stime: the kernel part holds the TCP work of the server's recv and send on loopback, the")
print("same system calls for every route server); req per core-s: requests per second of server")
print("CPU, what one core would serve. wrk CPU %, other CPU %: wrk's own and the rest of the machine's")
print(f"CPU in % of one core (disturbed: other above {max_other:g}%). errors: read/write/timeout errors")
print("counted by wrk. peak RSS: the server's VmHWM. head bytes: the Hello response's status line and")
print("headers. nodelay: TCP_NODELAY on the server's accepted socket. MB = 10^6 bytes. Idle: VmRSS before")
print("and after opening the connections (each made one GET first), user-space memory only.")
print("Pipelined: wrk counts every response as a request, and records latency once per batch.")
print("wrk CPU µs/req (1 MiB): wrk's own CPU per response; over loopback it includes the TCP work")
print("the kernel does for the server's socket in wrk's context (ACK processing and what it sends).")
print("System calls/req: strace -c -f of one extra run per server (STRACE=1), over wrk's requests.")
EOF
echo
echo "results: $TSV, medians: $SUMMARY and $STATIC_SUMMARY"

# --- the chart ---------------------------------------------------------------------
if [ -n "$CHART" ] && [[ " $TESTS " == *" keepalive "* ]]; then
  mkdir -p "$(dirname "$CHART")"
  if python3 bench/chart.py --tsv "$SUMMARY" --label server --out "$CHART" \
    --title "HTTP server, keep-alive GET / (wrk -c$CONNS; server and wrk on a core each; median of $ROUNDS rounds)" \
    --column "ka_rps=requests/s" --column "ka_req_per_core_s=requests per server-core-second" \
    --highlight wire; then
    echo "chart: $CHART"
  else
    echo "http_server.sh: the chart was not written" >&2
  fi
fi
if [ -n "$STATIC_CHART" ] && [[ " $TESTS " == *" static "* ]]; then
  mkdir -p "$(dirname "$STATIC_CHART")"
  if python3 bench/chart.py --tsv "$STATIC_SUMMARY" --label server --out "$STATIC_CHART" \
    --title "Static files, keep-alive (server and wrk on a core each; median of $ROUNDS rounds)" \
    --column "static_rps=13 B file, req/s (-c$STATIC_CONNS)" \
    --column "pipeline_rps=the same, $PIPELINE pipelined" \
    --column "file_rps=1 MiB file, req/s (-c$FILE_CONNS)" \
    --highlight wire-serve; then
    echo "chart: $STATIC_CHART"
  else
    echo "http_server.sh: the static files' chart was not written" >&2
  fi
fi
exit "$FAILED"
