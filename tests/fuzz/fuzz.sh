#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make fuzz`: every fuzz target for longer than `make test` does, then the source coverage
# its corpus reaches.
#   FUZZ_SECONDS=600 FUZZ_JOBS=2 bash tests/fuzz/fuzz.sh [NAME...]   (NAME: fuzz_NAME; default: all)
# 1. Each target fuzzes for FUZZ_SECONDS (default 300) from tests/fuzz/corpus/<short>/, FUZZ_JOBS
#    at a time (default 2); new inputs go to build-fuzz/tests/fuzz/work/<short>/new/, a crash to
#    .../artifacts/ (and the script fails, saying so). To keep new inputs, merge them into the
#    repository's corpus, minimised:  fuzz_<name> -merge=1 tests/fuzz/corpus/<short> <work>/new
# 2. The corpus and the new inputs run once through the same targets built with clang's source
#    coverage (preset fuzz-coverage, build-fuzz-coverage/); llvm-cov reports the lines and
#    branches of src/ they reach, per file, in build-fuzz-coverage/coverage.txt.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top"
seconds=${FUZZ_SECONDS:-300}
jobs=${FUZZ_JOBS:-2}
fuzz_dir=build-fuzz/tests/fuzz
cov_build=build-fuzz-coverage

# Every libFuzzer program the fuzz build made, or those named: fuzz_<name> with its corpus in
# tests/fuzz/corpus/<short> (the name without a trailing "_parser", as CMakeLists.txt says).
if [ $# -gt 0 ]; then
  names=("$@")
else
  names=()
  for exe in "$fuzz_dir"/fuzz_*; do
    [ -x "$exe" ] && [ -f "$exe" ] && names+=("${exe##*/fuzz_}")
  done
fi
[ ${#names[@]} -gt 0 ] || { echo "fuzz.sh: no fuzz targets in $fuzz_dir (make build-fuzz)" >&2; exit 1; }
short() { echo "${1%_parser}"; }

tool() {  # llvm-cov / llvm-profdata: the unversioned name, or Debian's -14
  command -v "$1" || command -v "$1-14" || { echo "fuzz.sh: $1 not found (bash scripts/install-deps.sh)" >&2; exit 1; }
}
profdata=$(tool llvm-profdata)
llvm_cov=$(tool llvm-cov)

echo "== fuzzing ${#names[@]} target(s), ${seconds} s each, ${jobs} at a time: ${names[*]}"
failed=0
for n in "${names[@]}"; do
  s=$(short "$n")
  printf '%s\0' "$fuzz_dir/fuzz_$n" "tests/fuzz/corpus/$s" "$fuzz_dir/work/$s" "$seconds"
done | xargs -0 -n 4 -P "$jobs" bash tests/fuzz/run.sh || failed=1

echo "== coverage of the corpus and the new inputs ($cov_build)"
cmake --preset fuzz-coverage >/dev/null
cmake --build --preset fuzz-coverage
rm -rf "$cov_build/profiles"
mkdir -p "$cov_build/profiles"
objects=()
for n in "${names[@]}"; do
  s=$(short "$n")
  exe="$cov_build/tests/fuzz/fuzz_$n"
  inputs=()
  for d in "tests/fuzz/corpus/$s" "$fuzz_dir/work/$s/new"; do
    [ -d "$d" ] && inputs+=("$d")
  done
  # -runs=0: run what is in the directories once, fuzz nothing.
  LLVM_PROFILE_FILE="$cov_build/profiles/$s.profraw" "$exe" -runs=0 "${inputs[@]}" >"$cov_build/profiles/$s.log" 2>&1
  objects+=(-object "$exe")
done
"$profdata" merge -sparse -o "$cov_build/coverage.profdata" "$cov_build"/profiles/*.profraw
# The parsers' files and what they call; llhttp's generated sources and the tests are left out.
"$llvm_cov" report "${objects[@]:1}" -instr-profile="$cov_build/coverage.profdata" \
  -ignore-filename-regex='(^/usr/|/tests/)' | tee "$cov_build/coverage.txt"
echo "fuzz.sh: coverage report in $cov_build/coverage.txt"
if [ "$failed" -ne 0 ]; then
  echo "fuzz.sh: a target failed: see its artifacts in $fuzz_dir/work/<name>/artifacts/" >&2
  exit 1
fi
