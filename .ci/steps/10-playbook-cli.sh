#!/usr/bin/env bash
# Issue 2: playbook init / check / show from the command line.
source "$(dirname "$0")/../lib.sh"
cd "$work"

check "init writes a playbook" expect_exit 0 lb playbook init p.json5
check "the written playbook checks clean" expect_exit 0 lb playbook check p.json5
check "init refuses to overwrite" expect_exit 3 lb playbook init p.json5

cat > bad.json5 <<'JSON5'
{
  name: 42,
  stages: { lead: { label: "Lead" } },
  routing: {
    reps: [
      { id: "a", team: "t" },
      { id: "b", team: "t" },
      { id: "c", team: "t", weight: -2 },
    ],
  },
}
JSON5
check "a broken playbook exits 3" expect_exit 3 lb playbook check bad.json5
check "wrong type reported with location" grep -q '^bad.json5:2:9: name: expected a string' err
check "unknown stage id reported" grep -q "bad.json5:3:13: stages.lead: unknown stage id 'lead'" err
check "negative weight reported" grep -q '^bad.json5:8:37: routing.reps\[2\].weight: must be greater than 0' err
printf '{\n  name: "x",\n  stages: { mql: { label: "MQL" } \n  scoring: {}\n}\n' > syntax.json5
check "syntax error exits 3" expect_exit 3 lb playbook check syntax.json5
check "syntax error has line and column" grep -qE '^syntax.json5:4:3: ' err

check "show --json exits 0" expect_exit 0 lb playbook show --json
cp out show.json
check "show --json is JSON with the seven stages and benchmarks" python3 - <<'PY'
import json
d = json.load(open("show.json"))
stages = d["stages"]
assert list(stages) == ["visitor", "known", "mql", "sal", "sql", "opportunity", "customer"], list(stages)
assert stages["mql"]["benchmark"]["conversion"] == [15, 30]
assert stages["sal"]["benchmark"]["averageDays"] == [7, 14]
assert stages["known"]["stallAfter"] == "30d"
PY
check "show --json output is itself a valid playbook" expect_exit 0 lb playbook check show.json
check "unknown command is a usage error" expect_exit 2 lb playbok
finish
