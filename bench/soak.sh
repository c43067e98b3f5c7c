#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Soak test of the HTTP server: `wire http serve` under wrk plus slow, malformed and
# abandoned clients, then a graceful stop under load (bench/soak.py says what each phase
# checks). It stops by itself; exit status 0 when every check held.
#
#   bench/soak.sh [--seconds N] [--wire PATH] [--connections N] [--rss-slack-mib N] [--seed N]
#
# --seconds: the load phase (default 300; `make test` runs the soak.short test with 30, about
# 50 s in all). WIRE or --wire: the wire tool (default build/tools/wire/wire). Needs wrk and
# Debian's /usr/bin/python3 (scripts/install-deps.sh). Every process it starts is its child,
# on 127.0.0.1, stopped by its PID, and dies with it (PR_SET_PDEATHSIG).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec /usr/bin/python3 bench/soak.py "$@"
