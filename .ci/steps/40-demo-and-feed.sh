#!/usr/bin/env bash
# Issue 3: the demo pipeline (20,000 leads), determinism, and the change feed across processes.
source "$(dirname "$0")/../lib.sh"
cd "$work"
BIN=${LEADBOARD_RELEASE_BIN:-$LEADBOARD_BIN}
NOW=2026-12-01T09:00:00Z
start=$(date +%s)
check "demo --leads 20000 --seed 7" bash -c "'$BIN' demo --leads 20000 --seed 7 --no-tui --db d.db --now $NOW --json > demo.json"
echo "  demo of 20000 leads took $(( $(date +%s) - start )) s: $(cat demo.json)"
check "demo refused nothing and repeated no event id" python3 -c "import json; d = json.load(open('demo.json')); assert d['refused'] == {} and d['duplicates'] == 0, d"
"$BIN" pipeline --json --db d.db --now $NOW > pipeline.json
check "all seven stages non-empty" python3 -c "
import json; d = {s['stage']: s['count'] for s in json.load(open('pipeline.json'))['stages']}
print('   ', d); assert len(d) == 7 and all(v > 0 for v in d.values()), d"
check "same seed gives the same store" bash -c "
  '$BIN' demo --leads 1500 --seed 3 --no-tui --db a.db --now $NOW >/dev/null &&
  '$BIN' demo --leads 1500 --seed 3 --no-tui --db b.db --now $NOW >/dev/null &&
  test \"\$(sqlite3 a.db 'select id, body from events order by seq' | sha256sum)\" = \"\$(sqlite3 b.db 'select id, body from events order by seq' | sha256sum)\" &&
  test \"\$(sqlite3 a.db 'select id, stage, owner, score from leads order by id' | sha256sum)\" = \"\$(sqlite3 b.db 'select id, stage, owner, score from leads order by id' | sha256sum)\""
check "another seed gives another store" bash -c "
  '$BIN' demo --leads 1500 --seed 4 --no-tui --db c.db --now $NOW >/dev/null &&
  test \"\$(sqlite3 a.db 'select id, body from events order by seq' | sha256sum)\" != \"\$(sqlite3 c.db 'select id, body from events order by seq' | sha256sum)\""

# The change feed: a watcher in one process sees another process's accept.
lead=$("$BIN" leads --db d.db --stage mql --limit 1 --json --now $NOW | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
"$BIN" watch --db d.db --once --json --timeout 10 --interval 50 > watch.out 2>&1 &
watcher=$!
sleep 1
t0=$(python3 -c 'import time; print(int(time.time() * 1000))')
"$BIN" accept "$lead" --as sato --db d.db --now $NOW >/dev/null
wait $watcher || true
check "watcher saw the accept within 500 ms" python3 -c "
import json; d = json.loads(open('watch.out').read().strip().splitlines()[-1])
ms = d['seen_at_ms'] - $t0; print('    seen after', ms, 'ms'); assert 0 <= ms <= 500, ms"
finish
