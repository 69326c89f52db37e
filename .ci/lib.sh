# Shared helpers for CI steps: a scratch folder, assertions that print what they compared.
set -euo pipefail
CI_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd) # .ci, for the other helpers
: "${LEADBOARD_BIN:?set by .ci/run}"
lb() { "$LEADBOARD_BIN" "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data"
pass=0
fail=0
check() { # check NAME CONDITION...
  local name=$1; shift
  if "$@"; then pass=$((pass + 1)); echo "  ok   $name"; else fail=$((fail + 1)); echo "  FAIL $name"; fi
}
expect_exit() { # expect_exit CODE CMD... : runs CMD, compares its exit status
  local want=$1; shift
  set +e; "$@" >"$work/out" 2>"$work/err"; local got=$?; set -e
  if [ "$got" != "$want" ]; then echo "    exit $got, wanted $want: $*"; sed 's/^/    | /' "$work/err" | head -20; return 1; fi
}
finish() {
  echo "  $pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
# claims_verdict N BIN: the checks of a claims race whose attempts are in all.log, one line per
# attempt "LEAD_NUMBER REP EXIT_CODE MESSAGE", against the store LEADBOARD_DB names: N winners,
# every other attempt a conflict naming the winner, each lead owned by its winner.
claims_verdict() {
  local n=$1 bin=$2 attempts
  attempts=$(wc -l < all.log)
  check "exactly $n accepts succeeded" test "$(awk '$3 == 0' all.log | wc -l)" = "$n"
  check "every other attempt exited 5 (conflict)" test "$(awk '$3 == 5' all.log | wc -l)" = "$((attempts - n))"
  check "no other exit code" test "$(awk '$3 != 0 && $3 != 5' all.log | wc -l)" = 0
  check "each lead won exactly once" test "$(awk '$3 == 0 {print $1}' all.log | sort -u | wc -l)" = "$n"
  "$bin" leads --stage sal --json > sal.json
  check "the store agrees: $n SALs, each owned by its winner, each loser named the winner" python3 - "$n" <<'PY'
import json, re, sys
owners = {row["id"]: row["owner"] for row in json.load(open("sal.json"))}
assert len(owners) == int(sys.argv[1]), len(owners)
for line in open("all.log"):
    i, rep, code, *msg = line.split(" ", 3)
    lead = "M" + i
    if code == "0":
        assert owners[lead] == rep, (lead, owners[lead], rep)
    else:
        m = re.search(r"already accepted by (\S+)", line)
        assert m and m.group(1) == owners[lead], line
PY
}
