#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# FTP benchmark (docs/benchmarks.md, "FTP"): one big file down and up, plain and FTPS, side by
# side in one run on pinned cores.
#
#   bench/ftp.sh [--rounds N] [--size BYTES] [--tests "client server"] [--modes "plain tls"]
#                [--retries N] [--max-other PCT] [--no-build]
#
#   client  wire's client (`wire ftp get|put`) vs curl vs Python's ftplib, against vsftpd
#   server  wire's server (`wire ftp serve`) vs vsftpd vs pyftpdlib, with curl as the client
# each as a download (to /dev/null) and an upload (of a sparse file, written on the server's
# tmpfs), in clear (passive, EPSV) and over explicit FTPS (AUTH TLS, PROT P). The servers run on
# SERVER_CPU (0), the clients on CLIENT_CPU (1), one run at a time, interleaved (A B C A B C)
# in each of --rounds rounds (3); a run disturbed by the rest of the machine (more than
# --max-other % of a core, default 20) is run again, up to --retries times (1). Measured per
# run: the wall time of the client process (start-up and login included), the client's CPU
# (wait4), its peak RSS (GNU time), the server's CPU over the run (/proc: utime+stime of the
# server and of its reaped children, vsftpd's per-session processes included) and the server's
# peak RSS (VmRSS of the server and its children, sampled every 20 ms). vsftpd needs root
# (it chroots and switches to the ftp user); without root its rows are skipped.
#
# Environment: BUILD_DIR (build-bench); WIRE (the wire tool of that build); SERVER_CPU,
# CLIENT_CPU; VSFTPD (/usr/sbin/vsftpd); PYTHON (/usr/bin/python3, with python3-pyftpdlib);
# TMPDIR (default /dev/shm, so uploads land in memory rather than on a disk). All traffic stays
# on 127.0.0.1; only processes this script started are stopped, by their PID.
set -euo pipefail

ROUNDS=3
SIZE=$((1 << 30))
TESTS="client server"
MODES="plain tls"
RETRIES=1
MAX_OTHER=20
BUILD=1
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}

usage() { sed -n '5,7p' "$0" | sed 's/^# \{0,3\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --size) SIZE=$2; shift 2 ;;
    --tests) TESTS=$2; shift 2 ;;
    --modes) MODES=$2; shift 2 ;;
    --retries) RETRIES=$2; shift 2 ;;
    --max-other) MAX_OTHER=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) usage ;;
    *) echo "ftp.sh: unknown option $1" >&2; usage ;;
  esac
done
for v in ROUNDS SIZE RETRIES; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { echo "ftp.sh: --${v,,} must be a whole number" >&2; exit 2; }
done
[ "$ROUNDS" -ge 1 ] && [ "$SIZE" -ge 1 ] || { echo "ftp.sh: --rounds and --size must be at least 1" >&2; exit 2; }
for t in $TESTS; do case "$t" in client|server) ;; *) echo "ftp.sh: unknown test $t" >&2; exit 2 ;; esac; done
for m in $MODES; do case "$m" in plain|tls) ;; *) echo "ftp.sh: unknown mode $m" >&2; exit 2 ;; esac; done
for tool in taskset curl openssl /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "ftp.sh: $tool is missing (bash scripts/install-deps.sh)" >&2; exit 1; }
done

cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build-bench}
WIRE=${WIRE:-$BUILD_DIR/tools/wire/wire}
VSFTPD=${VSFTPD:-/usr/sbin/vsftpd}
PYTHON=${PYTHON:-/usr/bin/python3}
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then export TMPDIR=/dev/shm; fi
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_init ftp
[ "$BUILD" = 1 ] && bench_build
[ -x "$WIRE" ] || { echo "ftp.sh: no wire tool at $WIRE" >&2; exit 1; }
"$PYTHON" -c 'import pyftpdlib' 2>/dev/null || { echo "ftp.sh: $PYTHON lacks pyftpdlib (install-deps.sh)" >&2; exit 1; }
HAVE_VSFTPD=1
if [ "$(id -u)" != 0 ] || [ ! -x "$VSFTPD" ]; then
  echo "ftp.sh: vsftpd needs root and $VSFTPD: its rows (and the client test) are skipped" >&2
  HAVE_VSFTPD=0
fi
USER_NAME=bench PASSWORD=bench-pass

# --- the files, the certificate, the servers --------------------------------------------------
DATA=$WORK/data
mkdir -p "$DATA"
truncate -s "$SIZE" "$DATA/big"  # sparse: what the uploads send (read as zeros from the page cache)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost -days 2 \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" >/dev/null 2>&1

# Each server in a cgroup of its own, when this machine lets us make one: its CPU then counts
# every process it forks (vsftpd's session processes, whose unprivileged half is never reaped by
# the listener), exited ones included. Without one, /proc is read (vsftpd's CPU is then partial).
CGROUPS=()
remove_cgroups() {
  local dir
  for dir in "${CGROUPS[@]}"; do rmdir "$dir" 2>/dev/null || true; done
}
trap 'bench_cleanup; remove_cgroups' EXIT
cgroup_cpu_file() {  # cgroup_cpu_file NAME PID: the file counting the group's CPU, or "" (none)
  local base dir
  for base in /sys/fs/cgroup /sys/fs/cgroup/unified /sys/fs/cgroup/cpuacct; do
    [ -f "$base/cgroup.procs" ] && [ -w "$base" ] || continue
    dir=$base/wire-ftp-bench-$$-$1
    mkdir -p "$dir" 2>/dev/null || continue
    if ! echo "$2" >"$dir/cgroup.procs" 2>/dev/null; then rmdir "$dir" 2>/dev/null; continue; fi
    CGROUPS+=("$dir")
    if [ -f "$dir/cpu.stat" ]; then echo "$dir/cpu.stat"; return 0; fi
    if [ -f "$dir/cpuacct.usage" ]; then echo "$dir/cpuacct.usage"; return 0; fi
  done
  echo ""
}

declare -A SERVER_PID SERVER_PORT SERVER_ROOT SERVER_LOGIN UPLOAD_DIR SERVER_CPU_FILE
start_server() {  # start_server NAME: fills SERVER_PID/PORT/ROOT, or 1 with a message
  local name=$1 port root pid attempt
  root=$WORK/root-$name
  mkdir -p "$root"
  truncate -s "$SIZE" "$root/big"
  for attempt in 1 2 3; do
    port=$(free_port)
    case "$name" in
      wire)
        taskset -c "$SERVER_CPU" "$WIRE" ftp serve "$root" --host 127.0.0.1 --port "$port" --threads 1 \
          --user "$USER_NAME" --password "$PASSWORD" --tls-cert "$WORK/cert.pem" --tls-key "$WORK/key.pem" \
          >"$WORK/$name.log" 2>&1 </dev/null &
        SERVER_LOGIN[$name]="$USER_NAME:$PASSWORD@" UPLOAD_DIR[$name]="" ;;
      pyftpdlib)
        taskset -c "$SERVER_CPU" "$PYTHON" bench/peers/pyftpd_server.py "$root" "$port" "$USER_NAME" "$PASSWORD" \
          "$WORK/cert.pem" "$WORK/key.pem" >"$WORK/$name.log" 2>&1 </dev/null &
        SERVER_LOGIN[$name]="$USER_NAME:$PASSWORD@" UPLOAD_DIR[$name]="" ;;
      vsftpd)
        # Anonymous: reading the root, uploading into incoming/ (owned by the ftp user).
        chmod 0755 "$root" && mkdir -p "$root/incoming" "$WORK/empty" && chown ftp "$root/incoming"
        cat >"$WORK/vsftpd.conf" <<EOF
# Generated by bench/ftp.sh
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$port
background=NO
seccomp_sandbox=NO
isolate=NO
isolate_network=NO
secure_chroot_dir=$WORK/empty
anonymous_enable=YES
no_anon_password=YES
anon_root=$root
local_enable=NO
write_enable=YES
anon_upload_enable=YES
anon_umask=022
connect_from_port_20=NO
xferlog_enable=NO
ssl_enable=YES
allow_anon_ssl=YES
force_anon_logins_ssl=NO
force_anon_data_ssl=NO
require_ssl_reuse=NO
rsa_cert_file=$WORK/cert.pem
rsa_private_key_file=$WORK/key.pem
EOF
        taskset -c "$SERVER_CPU" "$VSFTPD" "$WORK/vsftpd.conf" >"$WORK/$name.log" 2>&1 </dev/null &
        SERVER_LOGIN[$name]="" UPLOAD_DIR[$name]="incoming/" ;;
    esac
    pid=$!
    STARTED+=("$pid")
    if wait_port "$pid" "$port" "$name" 10; then
      SERVER_PID[$name]=$pid SERVER_PORT[$name]=$port SERVER_ROOT[$name]=$root
      SERVER_CPU_FILE[$name]=$(cgroup_cpu_file "$name" "$pid")
      return 0
    fi
    stop_started "$pid"
  done
  echo "ftp.sh: $name does not start:" >&2
  tail -n 5 "$WORK/$name.log" | sed 's/^/    /' >&2
  return 1
}

SERVERS=()
if [[ " $TESTS " == *" server "* ]]; then SERVERS=(wire vsftpd pyftpdlib); fi
if [[ " $TESTS " == *" client "* ]] && [[ " ${SERVERS[*]} " != *" vsftpd "* ]]; then SERVERS+=(vsftpd); fi
ACTIVE_SERVERS=()
for s in "${SERVERS[@]}"; do
  [ "$s" = vsftpd ] && [ "$HAVE_VSFTPD" = 0 ] && continue
  start_server "$s" && ACTIVE_SERVERS+=("$s")
done

# --- the runner -------------------------------------------------------------------------------
# measure.py SERVER_PID CPU_FILE OUT ERR LIMIT -- CMD...: runs CMD under GNU time (its stdout to
# OUT) and prints rc wall_s client_cpu_us maxrss_kib server_cpu_us server_rss_kib other_cpu_pct.
cat >"$WORK/measure.py" <<'EOF'
import os, signal, sys, threading, time
server, cpu_file, out, err, limit = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
cmd = sys.argv[7:]
hz = os.sysconf("SC_CLK_TCK")
page_kib = os.sysconf("SC_PAGE_SIZE") // 1024
def children(pid):
    kids = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                kids += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return kids
def tree(pid):
    out = [pid]
    for k in children(pid):
        out += tree(k)
    return out
def cpu_of(pid, reaped):  # utime+stime (+ cutime+cstime: children already waited for)
    try:
        with open(f"/proc/{pid}/stat") as f:
            v = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(v[11]) + int(v[12]) + ((int(v[13]) + int(v[14])) if reaped else 0)) / hz
def server_cpu():
    if cpu_file:  # the server's cgroup: every process it ever had
        with open(cpu_file) as f:
            text = f.read()
        if cpu_file.endswith("cpu.stat"):
            return int(text.split("usage_usec")[1].split()[0]) / 1e6
        return int(text) / 1e9
    return cpu_of(server, True) + sum(cpu_of(p, True) for p in tree(server)[1:])
def rss_kib(pids):  # (all resident pages, the private ones: RssAnon) of the processes, in KiB
    total = anon = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                    elif line.startswith("RssAnon:"):
                        anon += int(line.split()[1])
        except OSError:
            pass
    return total, anon
def busy():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / hz
peak = {"server": 0, "server_anon": 0, "client_anon": 0}
client_pid = [0]
done = threading.Event()
def sample():
    while not done.wait(0.02):
        total, anon = rss_kib(tree(server))
        peak["server"] = max(peak["server"], total)
        peak["server_anon"] = max(peak["server_anon"], anon)
        if client_pid[0]:  # the client: GNU time's child
            peak["client_anon"] = max(peak["client_anon"], rss_kib(tree(client_pid[0])[1:])[1])
threading.Thread(target=sample, daemon=True).start()
b0, s0, t0 = busy(), server_cpu(), time.monotonic()
rss_file = out + ".rss"
with open(out, "wb") as o, open(err, "wb") as e:
    pid = os.fork()
    if pid == 0:
        os.setpgid(0, 0)
        os.dup2(o.fileno(), 1)
        os.dup2(e.fileno(), 2)
        try:
            os.execv("/usr/bin/time", ["time", "-f", "%M", "-o", rss_file, "--"] + cmd)
        finally:
            os._exit(127)
client_pid[0] = pid
timed_out = False
def on_alarm(*_):
    global timed_out
    timed_out = True
    os.killpg(pid, signal.SIGKILL)
signal.signal(signal.SIGALRM, on_alarm)
signal.alarm(limit)
_, wstatus, ru = os.wait4(pid, 0)
signal.alarm(0)
t1 = time.monotonic()
for _ in range(250):  # vsftpd's session processes end after the client's QUIT: wait (5 s at most)
    if not children(server):
        break
    time.sleep(0.02)
done.set()
s1, b1 = server_cpu(), busy()
rc = 124 if timed_out else os.waitstatus_to_exitcode(wstatus)
try:
    with open(rss_file) as f:
        maxrss = int(f.read().split()[-1])
    os.unlink(rss_file)
except (OSError, ValueError, IndexError):
    maxrss = "NA"
wall = t1 - t0
proc = ru.ru_utime + ru.ru_stime
other = max(0.0, (b1 - b0) - proc - (s1 - s0)) / wall * 100 if wall > 0 else 0
print(f"rc={rc} wall_s={wall:.6f} client_cpu_us={proc * 1e6:.0f} maxrss_kib={maxrss} "
      f"server_cpu_us={(s1 - s0) * 1e6:.0f} server_rss_kib={peak['server']} server_anon_kib={peak['server_anon']} "
      f"client_anon_kib={peak['client_anon']} other_cpu_pct={other:.1f}")
EOF

# run_command CLIENT OP MODE SERVER: fills CMD for one transfer of the big file.
run_command() {
  local client=$1 op=$2 mode=$3 server=$4 url up
  url="ftp://${SERVER_LOGIN[$server]}127.0.0.1:${SERVER_PORT[$server]}/"
  up=${UPLOAD_DIR[$server]}up-$client.bin
  local login=anonymous pass=bench@
  [ -n "${SERVER_LOGIN[$server]}" ] && login=$USER_NAME pass=$PASSWORD
  case "$client:$op" in
    wire:get) CMD=("$WIRE" ftp get "${url}big" -) ;;
    wire:put) CMD=("$WIRE" ftp put "$url$up" "$DATA/big") ;;
    curl:get) CMD=(curl -sS -o /dev/null -w '%{size_download}' "${url}big") ;;
    curl:put) CMD=(curl -sS -T "$DATA/big" "$url$up") ;;
    python:get) CMD=("$PYTHON" bench/peers/python_ftp.py get "$mode" 127.0.0.1 "${SERVER_PORT[$server]}" "$login" "$pass" big) ;;
    python:put) CMD=("$PYTHON" bench/peers/python_ftp.py put "$mode" 127.0.0.1 "${SERVER_PORT[$server]}" "$login" "$pass" "$up" "$DATA/big") ;;
  esac
  if [ "$mode" = tls ]; then
    case "$client" in
      wire) CMD+=(--tls --insecure) ;;  # the certificate is made by this script
      curl) CMD=("${CMD[0]}" --ssl-reqd -k "${CMD[@]:1}") ;;
    esac
  fi
}

# check_run CLIENT OP SERVER: the transfer really moved SIZE bytes (and the upload is removed).
check_run() {
  local client=$1 op=$2 server=$3 got file
  if [ "$op" = put ]; then
    file=${SERVER_ROOT[$server]}/${UPLOAD_DIR[$server]}up-$client.bin
    got=$(stat -c %s "$file" 2>/dev/null || echo missing)
    rm -f "$file"
  else
    case "$client" in
      curl) got=$(cat "$WORK/client.out") ;;
      python) got=$(sed -n 's/^bytes=//p' "$WORK/client.out") ;;
      wire) got=$SIZE ;;  # to /dev/null; wire checks the 226 and exits non-zero without it
    esac
  fi
  [ "$got" = "$SIZE" ] && return 0
  echo "ftp.sh: $client $op against $server moved $got bytes, not $SIZE" >&2
  return 1
}

FAILED=0
QUIET_BUDGET=60
run_one() {  # run_one TEST OP MODE CLIENT SERVER ROUND
  local test=$1 op=$2 mode=$3 client=$4 server=$5 r=$6 name attempt line rc other best="" best_other="" ok=0
  name=$([ "$test" = client ] && echo "$client" || echo "$server")
  run_command "$client" "$op" "$mode" "$server"
  local out=$WORK/client.out
  [ "$client" = wire ] && [ "$op" = get ] && out=/dev/null
  for ((attempt = 0; attempt <= RETRIES; attempt++)); do
    [ "$attempt" -gt 0 ] && wait_quiet
    line=$(taskset -c "$CLIENT_CPU" python3 "$WORK/measure.py" "${SERVER_PID[$server]}" "${SERVER_CPU_FILE[$server]}" \
      "$out" "$WORK/client.err" 600 -- "${CMD[@]}") || line="rc=runner-failed"
    rc=$(field "$line" rc)
    if [ "$rc" != 0 ]; then
      echo "ftp.sh: $client $op $mode against $server failed (exit $rc):" >&2
      tail -n 3 "$WORK/client.err" | sed 's/^/    /' >&2
      best=$line ok=0
      break
    fi
    if ! check_run "$client" "$op" "$server"; then best=$line ok=0; break; fi
    other=$(field "$line" other_cpu_pct)
    if [ -z "$best" ] || awk -v o="$other" -v b="$best_other" 'BEGIN { exit !(o < b) }'; then
      best=$line best_other=$other ok=1
    fi
    awk -v o="$other" -v m="$MAX_OTHER" 'BEGIN { exit !(o > m) }' || break
    [ "$attempt" -lt "$RETRIES" ] && printf 'round %d %-6s %-3s %-5s %-9s disturbed (other %s%%), again\n' \
      "$r" "$test" "$op" "$mode" "$name" "$other"
  done
  printf 'round %d %-6s %-3s %-5s %-9s %s\n' "$r" "$test" "$op" "$mode" "$name" "$best"
  [ "$ok" = 1 ] || FAILED=1
  printf '%s\t%s\t%s\t%s\t%d\t%d\t%s\n' "$test" "$op" "$mode" "$name" "$r" "$ok" "$best" >>"$RESULTS"
}

# --- the run ----------------------------------------------------------------------------------
machine_report "$(curl --version | head -n1 | cut -d' ' -f1-2), $("$VSFTPD" -v 0>&- 2>&1 | head -n1 || true)"
echo "== $SIZE bytes each way, servers on core $SERVER_CPU, clients on core $CLIENT_CPU, $ROUNDS interleaved rounds;" \
  "servers: ${ACTIVE_SERVERS[*]}"
has() { [[ " ${ACTIVE_SERVERS[*]} " == *" $1 "* ]]; }
# Warm-up, not recorded: the big files into the page cache.
for s in "${ACTIVE_SERVERS[@]}"; do cat "${SERVER_ROOT[$s]}/big" >/dev/null; done
for ((r = 1; r <= ROUNDS; r++)); do
  for test in $TESTS; do
    for op in get put; do
      for mode in $MODES; do
        if [ "$test" = client ]; then
          has vsftpd || continue
          for c in wire curl python; do run_one client "$op" "$mode" "$c" vsftpd "$r"; done
        else
          for s in wire vsftpd pyftpdlib; do
            # curl starts a data connection's TLS handshake before the 1yz reply, and pyftpdlib
            # resets such a connection: curl cannot do FTPS with pyftpdlib (its row says n/a).
            [ "$s" = pyftpdlib ] && [ "$mode" = tls ] && continue
            has "$s" && run_one server "$op" "$mode" curl "$s" "$r"
          done
        fi
      done
    done
  done
done

# --- the tables -------------------------------------------------------------------------------
echo
python3 - "$RESULTS" "$SIZE" "$MAX_OTHER" <<'EOF'
import statistics, sys
size, max_other = int(sys.argv[2]), float(sys.argv[3])
gib = size / 2**30
rows = {}
for line in open(sys.argv[1]):
    test, op, mode, name, rnd, ok, fields = line.rstrip("\n").split("\t", 6)
    if ok != "1":
        rows.setdefault((test, op, mode), {}).setdefault(name, [])
        continue
    kv = dict(f.split("=", 1) for f in fields.split() if "=" in f)
    rows.setdefault((test, op, mode), {}).setdefault(name, []).append({
        "mbs": size / float(kv["wall_s"]) / 1e6,
        "client_cpu": float(kv["client_cpu_us"]) / 1e6 / gib,
        "server_cpu": float(kv["server_cpu_us"]) / 1e6 / gib,
        "client_rss": float(kv["maxrss_kib"]) / 1024 if kv["maxrss_kib"] != "NA" else None,
        "server_rss": float(kv["server_rss_kib"]) / 1024,
        "server_anon": float(kv["server_anon_kib"]) / 1024,
        "client_anon": float(kv["client_anon_kib"]) / 1024,
        "other": float(kv["other_cpu_pct"]),
    })
def med(rs, key):
    vals = [r[key] for r in rs if r[key] is not None]
    return statistics.median(vals) if vals else None
def f(v, d=2):
    return "n/a" if v is None else f"{v:,.{d}f}"
def ratio(a, b):
    return "n/a" if a is None or not b else f"{a / b:.2f}x"
for test, ref, side in (("client", "curl", "client"), ("server", "vsftpd", "server")):
    keys = [k for k in rows if k[0] == test]
    if not keys:
        continue
    title = ("Clients against vsftpd (each client on its own core)" if test == "client"
             else "Servers with curl as the client")
    print(f"### {title}")
    print()
    print(f"| transfer | {test} | MB/s | vs {ref} | {side} CPU s/GiB | vs {ref} | {side} peak RSS MiB (private) | other CPU % | rounds |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for key in sorted(keys, key=lambda k: (k[1], k[2])):
        _, op, mode = key
        label = f"{'download' if op == 'get' else 'upload'} {'FTPS' if mode == 'tls' else 'plain'}"
        r0 = rows[key].get(ref, [])
        for name, rs in rows[key].items():
            print(f"| {label} | {name} | {f(med(rs, 'mbs'), 0)} | {ratio(med(rs, 'mbs'), med(r0, 'mbs'))} | "
                  f"{f(med(rs, side + '_cpu'))} | {ratio(med(rs, side + '_cpu'), med(r0, side + '_cpu'))} | "
                  f"{f(med(rs, side + '_rss'), 1)} ({f(med(rs, side + '_anon'), 1)}) | {f(med(rs, 'other'), 0)} | {len(rs)} |")
    print()
print("Medians over the rounds. MB/s: the file's bytes (10^6) over the client process's wall time, start-up")
print("and login included. CPU: user+system seconds per GiB moved, the client's from wait4, the server's from /proc")
print("(vsftpd's per-session processes included). Peak RSS: the client's ru_maxrss (GNU time); the server's, VmRSS of")
print("its processes sampled every 20 ms; (private): RssAnon, sampled alike: the part that is not shared library pages.")
print(f"other CPU %: the rest of the machine, in % of one core (rerun above {max_other:g}).")
print("pyftpdlib has no FTPS rows: curl starts each data connection's TLS handshake before the 1yz reply, and")
print("pyftpdlib resets such a connection (curl: 'Bad PASV/EPSV response').")
print("Targets: wire's client >= 1.0x curl, CPU/GiB <= curl's; wire's server >= 1.0x vsftpd downloading, CPU/GiB <=")
print("vsftpd's; peak RSS <= 8 MiB on either side.")
EOF
exit "$FAILED"
