#!/usr/bin/env bash
# Issue 7: team roles with row-level security on a throwaway PostgreSQL cluster. After
# `team init` and `team add`, the database itself holds an SDR login to their own leads and the
# open queue: a raw psql session under the SDR role cannot change another rep's lead or rewrite
# the log, and leadboard under that login gets exit 8 naming why; a manager changes any lead.
source "$(dirname "$0")/../lib.sh"
source "$CI_DIR/pg.sh"
cd "$work"
pg_step team
admin=$DB_URL
as_login() { echo "postgresql://$1@/team?host=$PG_DIR"; } # the cluster trusts the socket
export LEADBOARD_DB=$admin
NOW=2026-11-02T10:00:00Z
q() { psql -qtAX "$admin" -c "$1"; }
owner() { q "select coalesce(owner, '-') from leads where id = '$1'"; }

"$BIN" init >/dev/null
python3 - > mqls.jsonl <<'PY'
import json
for i in range(1, 7):
    print(json.dumps({"id": f"f{i}", "type": "form_submit", "at": "2026-11-02T09:00:00Z", "lead": f"M{i}", "email": f"m{i}@example.com", "name": f"Lead {i}"}))
    print(json.dumps({"id": f"d{i}", "type": "demo_request", "at": "2026-11-02T09:00:00Z", "lead": f"M{i}"}))
PY
"$BIN" ingest mqls.jsonl --quiet >/dev/null
"$BIN" accept M1 --as sato --now $NOW >/dev/null # sato's lead
"$BIN" accept M2 --as tanaka --now $NOW >/dev/null # tanaka's lead
"$BIN" assign M3 --to tanaka --now $NOW >/dev/null # in tanaka's queue
"$BIN" assign M4 M5 --to carol --now $NOW >/dev/null # in carol's queue
check "team init creates the roles" expect_exit 0 "$BIN" team init --prefix sales
check "team init again changes nothing and succeeds" expect_exit 0 "$BIN" team init --prefix sales
check "team add: two SDRs and a manager" bash -c "'$BIN' team add sdr_sato --rep sato >/dev/null &&
  '$BIN' team add sdr_tanaka --rep tanaka >/dev/null && '$BIN' team add mgr_kim --manager >/dev/null"
check "team list shows them" bash -c "'$BIN' team list --json | python3 -c '
import json, sys; m = {r[\"login\"]: (r[\"role\"], r[\"rep\"]) for r in json.load(sys.stdin)}
assert m == {\"sdr_sato\": (\"sdr\", \"sato\"), \"sdr_tanaka\": (\"sdr\", \"tanaka\"), \"mgr_kim\": (\"manager\", None)}, m'"
check "an SDR needs --rep" expect_exit 2 "$BIN" team add sdr_x
check "an unknown rep is refused" expect_exit 3 "$BIN" team add sdr_x --rep nobody
check "an unusable login name is refused, nothing run" bash -c "! '$BIN' team add 'x\"; DROP TABLE leads;--' --rep sato 2>/dev/null && test \$(psql -qtAX '$admin' -c 'select count(*) from leads') = 6"
check "team commands on a SQLite store say where roles live" expect_exit 2 "$BIN" team init --db local.db

# A raw psql session as tanaka's SDR login.
tanaka=$(as_login sdr_tanaka)
tq() { psql -qtAX -v ON_ERROR_STOP=1 "$tanaka" -c "$1" 2>&1; }
out=$(tq "UPDATE leads SET owner = 'tanaka' WHERE id = 'M1' RETURNING id") || true
check "psql as an SDR: updating another rep's lead changes no row" test -z "$out" -a "$(owner M1)" = sato
out=$(tq "INSERT INTO events(id, lead, type, at, body) VALUES ('forged', 'M1', 'note', 0, '{}')") || true
echo "    $out"
check "psql as an SDR: an event on another rep's lead is refused by row-level security" \
  bash -c "grep -q 'row-level security' <<<\"\$0\" && test \$(psql -qtAX '$admin' -c \"select count(*) from events where id = 'forged'\") = 0" "$out"
out=$(tq "UPDATE events SET actor = 'tanaka'") || true
check "psql as an SDR: the log cannot be rewritten" grep -q "permission denied" <<<"$out"
out=$(tq "DELETE FROM leads WHERE id = 'M1'") || true
check "psql as an SDR: leads cannot be deleted" grep -q "permission denied" <<<"$out"
check "psql as an SDR: every lead can be read" test "$(tq "select count(*) from leads")" = 6
check "psql as an SDR: their own lead can be changed" test "$(tq "UPDATE leads SET score = score WHERE id = 'M2' RETURNING id")" = M2

# leadboard itself under the SDR logins: the login's rep acts unless --as says otherwise.
export LEADBOARD_DB=$tanaka
check "leadboard as tanaka: recycling sato's lead exits 8 (not permitted)" \
  expect_exit 8 "$BIN" recycle M1 --reason timing --now $NOW
grep -q "row-level security" "$work/err" && sed 's/^/    | /' "$work/err"
check "… and the lead is unchanged" test "$(owner M1)" = sato -a "$(q "select stage from leads where id = 'M1'")" = sal
check "leadboard as tanaka: accepting an MQL in their queue works, acting as tanaka" \
  bash -c "'$BIN' accept M3 --now $NOW >/dev/null && test \"\$(psql -qtAX '$admin' -c \"select owner from leads where id = 'M3'\")\" = tanaka"
check "leadboard as tanaka: accepting an MQL in carol's queue exits 8" \
  expect_exit 8 "$BIN" accept M4 --now $NOW
check "leadboard as tanaka: acting as someone else (--as carol) exits 8" \
  expect_exit 8 "$BIN" accept M5 --as carol --now $NOW
check "leadboard as tanaka: a note on their own lead works" expect_exit 0 "$BIN" note M2 --text "called back" --now $NOW
export LEADBOARD_DB=$(as_login mgr_kim)
check "leadboard as a manager: reassigning sato's lead to tanaka works" \
  bash -c "'$BIN' assign M1 --to tanaka --as kim --now $NOW >/dev/null && test \"\$(psql -qtAX '$admin' -c \"select owner from leads where id = 'M1'\")\" = tanaka"
check "the log holds no forged or refused event" test "$(q "select count(*) from events where lead in ('M4', 'M5') and type = 'accepted'")" = 0
check "stage totals agree with the rows" test "$(q "select count from stage_totals where stage = 'sal'")" = "$(q "select count(*) from leads where stage = 'sal' and closed is null")"
export LEADBOARD_DB=$admin
check "team remove" bash -c "'$BIN' team remove sdr_sato >/dev/null && test \$('$BIN' team list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))') = 2"
check "removing a non-member exits 4" expect_exit 4 "$BIN" team remove sdr_sato

# Moving a local store to the team: the log copied exactly, reports rebuilt on the server equal.
export LEADBOARD_DB=$admin
psql -q "$PG_URL" -c "CREATE DATABASE moved" >/dev/null
moved=$(pg_url moved)
"$BIN" demo --leads 300 --seed 4 --no-tui --db local.db --now $NOW >/dev/null
check "migrate a demo store into PostgreSQL" bash -c "'$BIN' migrate --from local.db --to '$moved' --json > mig.json && grep -q '\"identical\":true' mig.json"
check "migrate again copies nothing" bash -c "'$BIN' migrate --from local.db --to '$moved' --json | grep -q '\"added\":0'"
for r in funnel velocity stalls sla reps sources forecast; do
  "$BIN" report $r --json --db local.db --now $NOW > "local-$r.json"
  "$BIN" report $r --json --db "$moved" --now $NOW > "team-$r.json"
done
check "all seven reports equal on the server and locally" bash -c 'for r in funnel velocity stalls sla reps sources forecast; do cmp -s local-$r.json team-$r.json || { echo "    $r differs"; exit 1; }; done'
check "the pipelines equal" bash -c "diff <('$BIN' pipeline --json --db local.db --now $NOW) <('$BIN' pipeline --json --db '$moved' --now $NOW)"
finish
