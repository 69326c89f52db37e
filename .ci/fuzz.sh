#!/usr/bin/env bash
# Fuzzing with libFuzzer: builds one instrumented binary per target (swiftc -sanitize=fuzzer,address,
# straight from the parsing modules' sources, no C shims) and runs each for a bounded time from
# its seed corpus in Fuzz/corpus/<target>. Exits non-zero on any crash, hang, leak or ASan report,
# printing the input that did it (add it to the corpus and a regression test, then fix).
#
#   .ci/fuzz.sh [seconds-per-target] [target...]      targets: csv playbook event theme
#
# Builds and new corpus entries go to a temp folder, never into the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(csv playbook event theme)

swiftc=${SWIFTC:-$(command -v swiftc || true)}
[ -n "$swiftc" ] || { echo "fuzz: swiftc not found on PATH"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/leadboard-fuzz.XXXXXX")
[ -n "${FUZZ_KEEP:-}" ] || trap 'rm -rf "$work"' EXIT

# The Swift runtime's backtracer hangs when a fuzzed process traps; libFuzzer and ASan report.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
flags=(-sanitize=fuzzer,address -O -parse-as-library -I "$work" -suppress-warnings)

# Builds module $1 from the Swift files under Sources/$1 into $work/$1.o and its .swiftmodule.
module() {
  local name=$1
  [ -f "$work/$name.o" ] && return 0
  local files=()
  while IFS= read -r f; do files+=("$f"); done < <(find "Sources/$name" -name '*.swift' | sort)
  "$swiftc" "${flags[@]}" -enable-testing -wmo -module-name "$name" -c "${files[@]}" \
    -emit-module -emit-module-path "$work/$name.swiftmodule" -o "$work/$name.o"
}

declare -A needs=(
  [csv]="LeadLifecycle LeadImport" [playbook]="LeadLifecycle" [event]="LeadLifecycle"
  [theme]="LeadLifecycle TerminalKit LeadboardApp"
)
declare -A max_len=([csv]=4096 [playbook]=16384 [event]=2048 [theme]=4096)

status=0
total=0
for t in "${targets[@]}"; do
  [ -n "${needs[$t]:-}" ] || { echo "fuzz: unknown target '$t'"; exit 2; }
  build_start=$(date +%s)
  objects=()
  for m in ${needs[$t]}; do
    module "$m"
    objects+=("$work/$m.o")
  done
  # ld.gold warns about every ASan symbol it cannot export; nothing to act on.
  "$swiftc" "${flags[@]}" -module-name "fuzz_$t" "Fuzz/$t.swift" "${objects[@]}" -o "$work/fuzz-$t" \
    2>&1 | grep -v 'Cannot export local symbol' || true
  [ -x "$work/fuzz-$t" ] || { echo "fuzz: could not build target $t"; exit 1; }
  mkdir -p "$work/corpus-$t" "$work/crash-$t"
  run_start=$(date +%s)
  log="$work/$t.log"
  set +e
  "$work/fuzz-$t" -max_total_time="$seconds" -max_len="${max_len[$t]}" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/crash-$t/" \
    "$work/corpus-$t" "Fuzz/corpus/$t" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[^ ]+' "$log" | tail -1 || true)
  total=$((total + ${execs:-0}))
  printf 'fuzz %-8s build %3d s, run %3d s: %s executions, %s, exit %d\n' "$t" \
    $((run_start - build_start)) $(($(date +%s) - run_start)) "${execs:-?}" "${cov:-no coverage line}" "$rc"
  if [ "$rc" -ne 0 ]; then
    status=1
    echo "---- $t: libFuzzer output (tail)"
    grep -vE '^(#[0-9]+|INFO:)' "$log" | tail -60
    for f in "$work/crash-$t"/*; do
      [ -f "$f" ] || continue
      echo "---- $t: input $(basename "$f") ($(wc -c <"$f") bytes), base64:"
      base64 -w 0 "$f"
      echo
    done
  fi
done
echo "fuzz: $total executions in all; $([ $status -eq 0 ] && echo 'no crash' || echo 'CRASH FOUND')"
exit $status
