#!/usr/bin/env bash
# Issue 8: the benchmarks at 1/10 size as a regression guard (not a timing test): each scenario
# beside its same-run baseline; fails when a ratio is more than twice its target, or, for a
# known gap (.ci/bench-gaps), more than its recorded limit.
source "$(dirname "$0")/../lib.sh"
bench=$(dirname "${LEADBOARD_RELEASE_BIN:-$LEADBOARD_BIN}")/leadboard-bench
cd "$work"
set +e
"$bench" --quick --gaps "$CI_DIR/bench-gaps" > bench.json 2> bench.err
rc=$?
set -e
python3 - <<'PY'
import json
for line in open("bench.json"):
    d = json.loads(line)
    ratio = f"ratio {d['ratio']:>7}" if "ratio" in d else " " * 13
    print(f"    {d['scenario']:<15} {d['value']:>12} {d['unit']:<9} {ratio}  {'met' if d.get('met') else 'MISSED'}  ({d['target']})")
PY
grep -A20 '^regressions' bench.err | sed 's/^/    /' || true
check "leadboard-bench --quick: no scenario regressed" test "$rc" = 0
check "every scenario reported" test "$(wc -l < bench.json)" -ge 13
finish
