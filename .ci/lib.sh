# Shared helpers for CI steps: a scratch folder, assertions that print what they compared.
set -euo pipefail
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
