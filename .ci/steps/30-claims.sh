#!/usr/bin/env bash
# Issue 3: 8 processes accept the same 200 MQLs at the same time: each is accepted exactly once.
source "$(dirname "$0")/../lib.sh"
cd "$work"
export LEADBOARD_DB="$work/c.db"
lb init >/dev/null
python3 - > mqls.jsonl <<'PY'
import json
for i in range(1, 201):
    t = "2026-11-02T09:%02d:%02dZ" % (i // 60, i % 60)
    print(json.dumps({"id": f"f{i}", "type": "form_submit", "at": t, "lead": f"M{i}", "email": f"m{i}@example.com", "name": f"Lead {i}"}))
    print(json.dumps({"id": f"d{i}", "type": "demo_request", "at": t, "lead": f"M{i}"}))
PY
lb ingest mqls.jsonl --quiet >/dev/null
check "200 MQLs ready" bash -c "'$LEADBOARD_BIN' pipeline --json | python3 -c 'import json,sys; d={s[\"stage\"]: s[\"count\"] for s in json.load(sys.stdin)[\"stages\"]}; assert d[\"mql\"] == 200, d'"
reps=(sato tanaka suzuki takahashi alice bob carol dave)
start=$(date +%s.%N)
for n in "${!reps[@]}"; do
  rep=${reps[$n]}
  ( for i in $(seq 1 200 | shuf --random-source=<(yes "$n")); do
      set +e
      msg=$("$LEADBOARD_BIN" accept "M$i" --as "$rep" --now 2026-11-02T10:00:00Z 2>&1)
      echo "$i $rep $? $msg"
    done > "claims-$rep.log" ) &
done
wait
elapsed=$(python3 -c "import time; print(round(time.time() - $start, 1))")
cat claims-*.log > all.log
echo "  1600 accept processes in ${elapsed}s"
claims_verdict 200 "$LEADBOARD_BIN"
check "exactly one accepted event per lead in the log" test "$(sqlite3 c.db "select count(*) from events where type = 'accepted'")" = 200
check "integrity ok" test "$(sqlite3 c.db 'PRAGMA integrity_check')" = ok
finish
