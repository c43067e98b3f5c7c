# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# What bench/*.sh share, sourced from the repository's root after BUILD_DIR
# and WIRE are set: a work directory, the processes started (stopped by PID on
# any exit), and the build.

# bench_init NAME: $WORK (removed on exit), $RESULTS, the STARTED list and the traps.
bench_init() {
  BENCH_NAME=$1
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/wire-$BENCH_NAME-bench.XXXXXX")
  RESULTS=$WORK/results.tsv
  : >"$RESULTS"
  STARTED=()
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

# stop_pid PID: SIGTERM, up to 5 s to go, then SIGKILL; only our own children.
stop_pid() {
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do  # up to 5 s for a graceful shutdown
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$BENCH_NAME.sh: PID $pid still running after SIGTERM, sending SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

# shellcheck disable=SC2317  # run by the EXIT trap
bench_cleanup() {
  local pid
  for pid in "${STARTED[@]}"; do stop_pid "$pid"; done
  rm -rf "$WORK"
}

# bench_build [TARGET...]: configures $BUILD_DIR (Release, -O2) and builds the
# targets (the client and the peers: a failure stops the run; none: configure
# only), then the wire tool if $WIRE is this build's (a failure only skips wire:
# it may be mid-edit).
bench_build() {
  echo "== building ($BUILD_DIR, Release, -O2)"
  cmake -S . -B "$BUILD_DIR" -G Ninja -DWIRE_BUILD_BENCH=ON -DCMAKE_BUILD_TYPE=Release \
    -DWIRE_BUILD_TESTS=OFF -DWIRE_BUILD_EXAMPLES=OFF \
    "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" "-DCMAKE_C_FLAGS_RELEASE=-O2 -DNDEBUG" \
    >"$WORK/cmake.log" 2>&1 || { cat "$WORK/cmake.log" >&2; exit 1; }
  if [ $# -gt 0 ]; then
    ninja -C "$BUILD_DIR" "$@" >"$WORK/ninja.log" 2>&1 || { cat "$WORK/ninja.log" >&2; exit 1; }
  fi
  if [ "$WIRE" = "$BUILD_DIR/tools/wire/wire" ] &&
    ! ninja -C "$BUILD_DIR" wire_cli >"$WORK/ninja-wire.log" 2>&1; then
    echo "$BENCH_NAME.sh: the wire tool does not build; wire is skipped. Last lines:" >&2
    tail -n 15 "$WORK/ninja-wire.log" >&2
    rm -f "$WIRE"
  fi
}

# wait_quiet: polls the machine's busy CPU (our servers are all stopped, so any
# is someone else's) in 0.5 s samples until it falls under MAX_OTHER % of a
# core; at most 10 s each time, and QUIET_BUDGET seconds in all.
wait_quiet() {
  local waited=0 b0 b1 pct hz
  hz=$(getconf CLK_TCK)
  while [ "$waited" -lt 20 ] && [ "$QUIET_BUDGET" -gt 0 ]; do
    b0=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat)
    sleep 0.5
    b1=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat)
    pct=$(( (b1 - b0) * 200 / hz ))
    [ "$pct" -le "${MAX_OTHER%.*}" ] && return 0
    waited=$((waited + 1))
    [ $((waited % 2)) -eq 0 ] && QUIET_BUDGET=$((QUIET_BUDGET - 1))
  done
  return 0
}

# The value of KEY in a client's "key=value key=value" report line, or NA.
field() {  # field LINE KEY: the value of KEY=value in LINE, or NA
  local v
  v=$(tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p" | head -n1)
  echo "${v:-NA}"
}

# free_port: a TCP port free on 127.0.0.1 just now (racy: bind may still lose it).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_port PID PORT NAME [SECONDS]: until PORT on 127.0.0.1 accepts (at most
# SECONDS, default 10); 1 with a message if PID exits first or time runs out.
wait_port() {
  local pid=$1 port=$2 name=$3 limit=${4:-10} i
  for ((i = 0; i < limit * 20; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$BENCH_NAME.sh: $name exited before accepting" >&2
      return 1
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  echo "$BENCH_NAME.sh: $name does not accept on port $port after $limit s" >&2
  return 1
}

# stop_started PID: stop_pid, and drop PID from STARTED (its number may be reused later).
stop_started() {
  local pid=$1 p rest=()
  stop_pid "$pid"
  for p in "${STARTED[@]}"; do [ "$p" = "$pid" ] || rest+=("$p"); done
  STARTED=("${rest[@]}")
}

# machine_report [EXTRA]: on a single core, server and client share core 0 (SERVER_CPU and
# CLIENT_CPU become 0, with a message); then the "== machine" line, EXTRA (a version, say)
# before the load average.
# shellcheck disable=SC2120  # EXTRA is optional
machine_report() {
  local cores
  cores=$(nproc)
  if [ "$cores" -lt 2 ]; then
    echo "$BENCH_NAME.sh: only $cores core: server and client share core 0" >&2
    # shellcheck disable=SC2034  # the calling script's settings
    SERVER_CPU=0 CLIENT_CPU=0
  fi
  echo "== machine: $cores cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)),"\
    "kernel $(uname -r), ${1:+$1, }load average $(cut -d' ' -f1-3 /proc/loadavg)"
}

# nginx_conf_head DIR CONNECTIONS: the start of a generated nginx.conf, to the `http` block's
# common settings: one process in the foreground, its files in DIR and its temporary
# directories in DIR/tmp (made by the caller), CONNECTIONS per worker, no access log. The
# caller writes the rest of the block and closes it.
nginx_conf_head() {
  local dir=$1 conns=$2
  cat <<EOF
# Generated by bench/$BENCH_NAME.sh
daemon off;
master_process off;
worker_processes 1;
pid $dir/nginx.pid;
lock_file $dir/nginx.lock;
error_log $dir/error.log warn;
events { worker_connections $conns; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  default_type application/octet-stream;
EOF
}
