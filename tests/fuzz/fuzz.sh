#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make fuzz`: every fuzz target for longer than `make test` does, then the source coverage
# its corpus reaches.
#   FUZZ_SECONDS=600 FUZZ_JOBS=2 bash tests/fuzz/fuzz.sh [SHORT...]   (default: every target)
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

tool() {  # llvm-cov / llvm-profdata: the unversioned name, or Debian's -14
  command -v "$1" || command -v "$1-14" || { echo "fuzz.sh: $1 not found (bash scripts/install-deps.sh)" >&2; exit 1; }
}
profdata=$(tool llvm-profdata)
llvm_cov=$(tool llvm-cov)

# The libFuzzer programs the fuzz build makes (targets.txt, written by CMakeLists.txt: "NAME
# SHORT" per line, the corpus being tests/fuzz/corpus/SHORT), or those of them named.
[ -f "$fuzz_dir/targets.txt" ] || { echo "fuzz.sh: no $fuzz_dir/targets.txt (make build-fuzz)" >&2; exit 1; }
names=() shorts=()
while read -r name short; do
  if [ $# -eq 0 ] || printf '%s\n' "$@" | grep -qxF -e "${name#fuzz_}" -e "$short"; then
    names+=("$name") shorts+=("$short")
  fi
done <"$fuzz_dir/targets.txt"
[ ${#names[@]} -gt 0 ] || { echo "fuzz.sh: none of the fuzz targets in $fuzz_dir/targets.txt match: $*" >&2; exit 1; }

echo "== fuzzing ${#names[@]} target(s), ${seconds} s each, ${jobs} at a time: ${shorts[*]}"
failed=0
for i in "${!names[@]}"; do
  s=${shorts[$i]}
  printf '%s\0' "$fuzz_dir/${names[$i]}" "tests/fuzz/corpus/$s" "$fuzz_dir/work/$s" "$seconds"
done | xargs -0 -n 4 -P "$jobs" bash tests/fuzz/run.sh || failed=1

echo "== coverage of the corpus and the new inputs ($cov_build)"
cmake --preset fuzz-coverage >/dev/null
cmake --build --preset fuzz-coverage
rm -rf "$cov_build/profiles"
mkdir -p "$cov_build/profiles"
objects=()
for i in "${!names[@]}"; do
  s=${shorts[$i]}
  exe="$cov_build/tests/fuzz/${names[$i]}"
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
