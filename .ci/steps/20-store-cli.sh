#!/usr/bin/env bash
# Issue 3: the store through the CLI: init, ingest, pipeline, leads, show, actions, tick, reps.
source "$(dirname "$0")/../lib.sh"
cd "$work"
export LEADBOARD_DB="$work/s.db"
T0=2026-11-02T09:00:00Z

check "init creates the store" expect_exit 0 lb init
check "store file is private (0600)" test "$(stat -c %a s.db)" = 600
cat > ev.jsonl <<'JSONL'
{"id":"p1","type":"page_view","at":"2026-11-02T08:00:00Z","visitor":"v-9","path":"/pricing"}
{"id":"e1","type":"form_submit","at":"2026-11-02T09:00:00Z","lead":"L1","visitor":"v-9","email":"taro@example.jp","name":"山田太郎","company":"株式会社サンプル","title":"営業部長","country":"JP","employees":300,"industry":"製造業"}
{"id":"e2","type":"form_submit","at":"2026-11-02T09:01:00Z","lead":"L2","email":"jane@acme.com","name":"Jane Roe","company":"Acme","country":"US"}
{"id":"e3","type":"demo_request","at":"2026-11-02T09:02:00Z","lead":"L2"}
{"id":"e4","type":"form_submit","at":"2026-11-02T09:03:00Z","lead":"L3","email":"evil@example.com","name":"\u001b[31mRED\u001b[0m'); DROP TABLE leads;--"}
this is not json
{"id":"e5","type":"email_open","at":"2026-11-02T09:04:00Z","lead":"L404"}
{"id":"e6","type":"form_submit","at":"not a date","lead":"L5"}
JSONL
check "ingest with bad lines exits 3" expect_exit 3 lb ingest ev.jsonl
check "ingest counts" grep -q "read 8, added 5, duplicate 0, rejected 3" out
check "rejected line 6 named" grep -q "ev.jsonl:6:" err
check "unknown lead on line 7 named" grep -q "ev.jsonl:7: unknown lead 'L404'" err
check "bad date on line 8 named" grep -q "ev.jsonl:8: at: expected an ISO-8601 time" err
check "re-ingest adds nothing" expect_exit 3 lb ingest ev.jsonl --json
check "re-ingest: 0 added, 5 duplicates" python3 -c "
import json; d = json.load(open('out')); assert (d['added'], d['duplicate'], d['rejected']) == (0, 5, 3), d"
check "ingest from stdin" bash -c "echo '{\"id\":\"e9\",\"type\":\"note\",\"at\":\"2026-11-02T09:05:00Z\",\"lead\":\"L1\",\"text\":\"hi\"}' | '$LEADBOARD_BIN' ingest - >/dev/null"

check "pipeline --json" expect_exit 0 lb pipeline --json --now $T0
check "pipeline has 2 MQLs and 1 known" python3 -c "
import json; d = {s['stage']: s['count'] for s in json.load(open('out'))['stages']}
assert d['mql'] == 2 and d['known'] == 1, d"
check "leads --limit 50 --json" expect_exit 0 lb leads --limit 50 --json --now $T0
check "leads rows carry the documented fields" python3 -c "
import json; rows = json.load(open('out')); assert len(rows) == 3
for k in ['id','name','company','stage','owner','score','days_in_stage','stalled']: assert k in rows[0], k"
check "search finds the Japanese company" bash -c "'$LEADBOARD_BIN' leads --search サンプル --json --now $T0 | grep -q '\"L1\"'"
check "show --json has timeline, ledger and SLA" expect_exit 0 lb show L1 --json --now 2026-11-02T09:02:00Z
check "show: stitched page view scored, SLA running" python3 -c "
import json; d = json.load(open('out'))
assert any(l['source'] == 'p1' for l in d['ledger']), d['ledger']
assert d['sla']['stage'] == 'mql' and d['visitors'] == ['v-9'] and len(d['timeline']) > 3"
check "escape sequences stay inert in text output" bash -c "! '$LEADBOARD_BIN' leads --now $T0 | grep -q \$'\x1b'"
check "show of an unknown lead exits 4" expect_exit 4 lb show L404

check "accept needs --as" expect_exit 2 lb accept L1
check "accept by an unknown rep exits 3" expect_exit 3 lb accept L1 --as zed --now $T0
check "accept L1 by sato" expect_exit 0 lb accept L1 --as sato --now 2026-11-02T09:04:00Z
check "second accept conflicts (5)" expect_exit 5 lb accept L1 --as bob --now 2026-11-02T09:04:12Z
check "conflict names winner and age" grep -q "already accepted by sato 12 s ago" err
check "qualify with missing BANT refused (6)" expect_exit 6 lb qualify L1 --budget 5M --as sato --now 2026-11-03T09:00:00Z
check "refusal names every missing criterion" grep -q "sal → sql needs: authority, need, timeline" err
check "qualify with full BANT" expect_exit 0 lb qualify L1 --budget 5M --authority 部長 --need CRM --timeline Q1 --as sato --now 2026-11-03T09:00:00Z
check "opportunity without close date refused" expect_exit 6 lb opportunity L1 --value 1200000 --stakeholders 山田 --now 2026-11-04T09:00:00Z
check "opportunity names missing criteria" grep -q "sql → opportunity needs: expected close date, stakeholders ≥ 2" err
check "opportunity created" expect_exit 0 lb opportunity L1 --value 1200000 --close-date 2027-01-31 --stakeholders 山田,佐藤 --now 2026-11-04T09:00:00Z
check "won without contract refused" expect_exit 6 lb won L1 --now 2026-11-20T09:00:00Z
check "contract" expect_exit 0 lb contract L1 --payment-terms "net 30" --onboarding-date 2026-12-01 --now 2026-11-20T09:00:00Z
check "won" expect_exit 0 lb won L1 --now 2026-11-20T10:00:00Z
check "L1 is a customer" bash -c "'$LEADBOARD_BIN' show L1 --json | python3 -c 'import json,sys; assert json.load(sys.stdin)[\"stage\"] == \"customer\"'"
check "recycle with unknown reason exits 3" expect_exit 3 lb recycle L2 --reason nope --as carol --now $T0
check "recycle L2" expect_exit 0 lb recycle L2 --reason not_ready --as carol --now 2026-11-02T10:00:00Z
check "disqualify L3" expect_exit 0 lb disqualify L3 --reason spam --now 2026-11-02T10:00:00Z
check "tick runs" expect_exit 0 lb tick --now 2026-12-20T09:00:00Z --json
check "reps --json lists 8 reps" bash -c "'$LEADBOARD_BIN' reps --json --now $T0 | python3 -c 'import json,sys; assert len(json.load(sys.stdin)) == 8'"
check "pipeline --as-of before the first event is empty" bash -c "'$LEADBOARD_BIN' pipeline --as-of 2026-11-01T00:00:00Z --json | python3 -c 'import json,sys; assert sum(s[\"count\"] for s in json.load(sys.stdin)[\"stages\"]) == 0'"
check "pipeline --as-of mid-morning shows 2 MQLs" bash -c "'$LEADBOARD_BIN' pipeline --as-of 2026-11-02T09:03:30Z --json | python3 -c 'import json,sys; d={s[\"stage\"]: s[\"count\"] for s in json.load(sys.stdin)[\"stages\"]}; assert d[\"mql\"] == 2, d'"
check "missing store exits 7" expect_exit 7 lb pipeline --db "$work/none.db"
echo "hello" > notadb.db
check "a non-store file exits 7" expect_exit 7 lb pipeline --db "$work/notadb.db"
check "board queries use indexes, never the log" bash -c "
  sqlite3 s.db 'EXPLAIN QUERY PLAN SELECT state FROM leads WHERE closed IS NULL ORDER BY stage_rank, score DESC, id LIMIT 50' | grep -q 'USING INDEX leads_board' &&
  ! sqlite3 s.db 'EXPLAIN QUERY PLAN SELECT stage, count, value FROM stage_totals' | grep -q events"
check "integrity ok" test "$(sqlite3 s.db 'PRAGMA integrity_check')" = ok
finish
