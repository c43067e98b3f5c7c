#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs one libFuzzer target for a bounded time from its corpus (the fuzz.run.<name> tests):
#   run.sh FUZZER CORPUS_DIR WORK_DIR SECONDS
# New inputs go to WORK_DIR/new (the repository's corpus is only read); a crash, leak,
# timeout or out-of-memory leaves its input in WORK_DIR/artifacts and fails the test, saying
# how to keep it as a regression test.
set -euo pipefail
fuzzer=$1 corpus=$2 work=$3 seconds=$4
name=$(basename "$corpus")

mkdir -p "$work/new" "$work/artifacts"
dirs=("$work/new")
[ -d "$corpus" ] && dirs+=("$corpus")  # a target without seeds starts from nothing
# -timeout: one input taking this long is a hang. -rss_limit_mb: a runaway allocation is a
# finding, not a machine out of memory. -max_len: parsers see heads of a few KiB; longer
# inputs only slow the search down. -print_final_stats: the exec count and coverage in the log.
status=0
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
  -print_final_stats=1 -artifact_prefix="$work/artifacts/" "${dirs[@]}" \
  >"$work/log" 2>&1 || status=$?
grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)|cov: ' "$work/log" | tail -n 4
if [ "$status" -ne 0 ]; then
  tail -n 60 "$work/log"
  echo "fuzz.run.$name: $fuzzer failed (exit status $status); the input is in $work/artifacts/." >&2
  echo "Keep it: copy it into tests/fuzz/corpus/$name/ and add a test to tests/fuzz/regressions_test.cpp." >&2
  exit 1
fi
