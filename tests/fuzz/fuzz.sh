#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make fuzz`: every fuzz target for longer than `make test` does, then the source coverage
# its corpus reaches.
#   FUZZ_SECONDS=600 FUZZ_JOBS=2 bash tests/fuzz/fuzz.sh [TARGET...]
# 1. Each target fuzzes for FUZZ_SECONDS (default 300) from tests/fuzz/corpus/<name>/, FUZZ_JOBS
#    at a time (default 2); new inputs go to build-fuzz/tests/fuzz/work/<name>/new/, a crash to
#    .../artifacts/ (and the script fails, saying so). To keep new inputs, merge them into the
#    repository's corpus, minimised:  fuzz_<name> -merge=1 tests/fuzz/corpus/<name> <work>/new
# 2. The corpus and the new inputs run once through the same targets built with clang's source
#    coverage (preset fuzz-coverage, build-fuzz-coverage/); llvm-cov reports the lines and
#    branches of src/ they reach, per file, in build-fuzz-coverage/coverage.txt.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top"
seconds=${FUZZ_SECONDS:-300}
jobs=${FUZZ_JOBS:-2}
all=(url request response chunked headers cookies range http_date address)
targets=("${@:-${all[@]}}")
fuzz_dir=build-fuzz/tests/fuzz
cov_build=build-fuzz-coverage

tool() {  # llvm-cov / llvm-profdata: the unversioned name, or Debian's -14
  command -v "$1" || command -v "$1-14" || { echo "fuzz.sh: $1 not found (bash scripts/install-deps.sh)" >&2; exit 1; }
}
profdata=$(tool llvm-profdata)
llvm_cov=$(tool llvm-cov)

echo "== fuzzing ${#targets[@]} target(s), ${seconds} s each, ${jobs} at a time"
failed=0
printf '%s\n' "${targets[@]}" |
  xargs -P "$jobs" -I{} bash tests/fuzz/run.sh "$fuzz_dir/fuzz_{}" "tests/fuzz/corpus/{}" "$fuzz_dir/work/{}" "$seconds" ||
  failed=1

echo "== coverage of the corpus and the new inputs ($cov_build)"
cmake --preset fuzz-coverage >/dev/null
cmake --build --preset fuzz-coverage
rm -rf "$cov_build/profiles"
mkdir -p "$cov_build/profiles"
objects=()
for t in "${targets[@]}"; do
  exe="$cov_build/tests/fuzz/fuzz_$t"
  inputs=("tests/fuzz/corpus/$t")
  [ -d "$fuzz_dir/work/$t/new" ] && inputs+=("$fuzz_dir/work/$t/new")
  # -runs=0: run what is in the directories once, fuzz nothing.
  LLVM_PROFILE_FILE="$cov_build/profiles/$t.profraw" "$exe" -runs=0 "${inputs[@]}" >"$cov_build/profiles/$t.log" 2>&1
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
