#!/usr/bin/env bash
# Issue 4: importing real CRM data: the Olist files with their presets (both file orders),
# re-import adds nothing, CP932, the malformed-CSV corpus, and a 1,000,000-row file in flat memory.
source "$(dirname "$0")/../lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
corpus="$root/Tests/LeadImportTests/Fixtures/malformed"
BIN=${LEADBOARD_RELEASE_BIN:-$LEADBOARD_BIN}
cd "$work"
NOW=2026-01-01T00:00:00Z
olist="${SHARED_DIR:-$root/../shared}/data/olist"
mql="$olist/olist_marketing_qualified_leads_dataset.csv"
deals="$olist/olist_closed_deals_dataset.csv"

if [ ! -f "$mql" ] || [ ! -f "$deals" ]; then
  echo "  SKIP the Olist checks: $olist is absent (set SHARED_DIR to the folder holding data/olist)"
else
  check "import MQLs then deals (presets) exits 0" expect_exit 0 lb import "$mql" "$deals" --preset olist-mql --preset olist-deals --db a.db --now $NOW --json
  cp out a.json
  check "8,842 rows read, none refused" python3 -c "
import json; d = json.load(open('a.json')); assert (d['rows'], d['rejected']) == (8842, 0), (d['rows'], d['rejected'])"
  check "the early-won deal is listed as a warning" python3 -c "
import json; d = json.load(open('a.json'))
w = [x for x in d['warnings'] if x['lead'] == 'b91cf8812365f50ff4bda4bcd6206b05' and 'before the lead' in x['message']]
print('    ', w[0]['file'].rsplit('/', 1)[-1] + ':' + str(w[0]['line']) + ':', w[0]['message']); assert w"
  lb export --format jsonl --db a.db --now $NOW > a.jsonl
  check "8,000 leads, 842 customers" python3 -c "
import json; rows = [json.loads(l) for l in open('a.jsonl')]
c = sum(1 for r in rows if r['stage'] == 'customer'); print('    leads', len(rows), 'customers', c); assert (len(rows), c) == (8000, 842)"
  check "22 sales reps as owners, 32 SDRs as attributes" python3 -c "
import json; rows = [json.loads(l) for l in open('a.jsonl')]
owners = {r['owner'] for r in rows if r['owner']}; sdrs = {r['extra'].get('sdr_id') for r in rows} - {None}
print('    owners', len(owners), 'sdrs', len(sdrs)); assert (len(owners), len(sdrs)) == (22, 32)"
  check "the other file order gives the same leads" bash -c "
    '$LEADBOARD_BIN' import '$deals' '$mql' --preset olist-deals --preset olist-mql --db b.db --now $NOW >/dev/null 2>&1 &&
    '$LEADBOARD_BIN' export --format jsonl --db b.db --now $NOW > b.jsonl &&
    python3 -c \"
import json
def key(f): return sorted((r['id'], r['stage'], r['owner'], r['created_at'], json.dumps(r['history'])) for r in map(json.loads, open(f)))
assert key('a.jsonl') == key('b.jsonl')\""
  check "presets are detected from the headers too" bash -c "
    '$LEADBOARD_BIN' import '$deals' '$mql' --db c.db --now $NOW 2>/dev/null | grep -q 'olist-deals (detected)'"
  check "importing the deals again exits 0" expect_exit 0 lb import "$deals" --preset olist-deals --db a.db --now $NOW
  check "... adds 0 and says so" grep -q "added 0 events: nothing new" out
  check "exported log replays into an empty store: same pipeline" bash -c "
    '$LEADBOARD_BIN' export --events --db a.db > log.jsonl &&
    '$LEADBOARD_BIN' ingest --replay log.jsonl --db r.db >/dev/null &&
    test \"\$('$LEADBOARD_BIN' pipeline --json --db r.db --now $NOW)\" = \"\$('$LEADBOARD_BIN' pipeline --json --db a.db --now $NOW)\" &&
    '$LEADBOARD_BIN' export --format jsonl --db r.db --now $NOW | cmp -s - a.jsonl"
  check "export CSV neutralises formulas, --excel writes a BOM" bash -c "
    '$LEADBOARD_BIN' export --excel --db a.db --now $NOW --output x.csv &&
    head -c 3 x.csv | od -An -tx1 | grep -q 'ef bb bf' && test \$(wc -l < x.csv) -eq 8001"
fi

# CP932 with Japanese names and ①髙﨑.
printf 'id,name,company,title\r\njp1,①髙﨑 山田太郎,株式会社サンプル,営業部長\r\njp2,佐藤 花子,"テスト, 有限会社",\r\n' | iconv -f UTF-8 -t CP932 > sjis.csv
check "a CP932 file imports (encoding detected)" expect_exit 0 lb import sjis.csv --db j.db --now $NOW
check "... as cp932" grep -q "cp932" out
check "every character intact" bash -c "
  '$LEADBOARD_BIN' export --format jsonl --db j.db --now $NOW | python3 -c \"
import json, sys; rows = {r['id']: r for r in map(json.loads, sys.stdin)}
assert rows['jp1']['name'] == '①髙﨑 山田太郎' and rows['jp1']['company'] == '株式会社サンプル' and rows['jp1']['title'] == '営業部長', rows
assert rows['jp2']['company'] == 'テスト, 有限会社'\""

# The malformed corpus: each file's documented outcome (Fixtures/malformed/EXPECTED).
while IFS='|' read -r file code text; do
  case "$file" in '#'* | '') continue ;; esac
  check "corpus $file: exit $code, '$text'" bash -c "
    set +e; '$LEADBOARD_BIN' import '$corpus/$file' --db 'corpus-$file.db' --now $NOW > c.out 2>&1; rc=\$?; set -e
    [ \$rc = $code ] || { echo \"    exit \$rc\"; sed 's/^/    | /' c.out | head -5; exit 1; }
    grep -qF -- \"$text\" c.out || { sed 's/^/    | /' c.out | head -5; exit 1; }"
done < "$corpus/EXPECTED"
check "a rejects file holds the refused rows with an error column" bash -c "
  '$LEADBOARD_BIN' import '$corpus/ragged-long.csv' --db rj.db --now $NOW --rejects rejects.csv >/dev/null 2>&1
  head -1 rejects.csv | grep -q '^id,name,error,file,line' && grep -q '^l2,Bo,.row has 3 fields' rejects.csv"
check "--dry-run writes nothing" bash -c "
  '$LEADBOARD_BIN' import '$corpus/bom-crlf.csv' --db dry.db --dry-run --now $NOW | grep -q 'dry run' && test ! -e dry.db"

# 1,000,000 generated rows (each a new lead), release build, peak memory under 100 MB.
python3 - <<'PY'
with open('million.csv', 'w') as f:
    f.write('id,name,email,company,created_at\n')
    for i in range(1_000_000):
        f.write(f'G{i:07d},Lead {i},lead{i}@example{i % 997}.com,"Company {i % 5000}, Inc.",2025-{1 + i % 12:02d}-{1 + i % 28:02d}\n')
PY
start=$(date +%s)
check "1,000,000-row import exits 0" /usr/bin/time -v -o million.time "$BIN" import million.csv --db m.db --now $NOW --quiet
secs=$(( $(date +%s) - start ))
rss=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' million.time)
echo "    1,000,000 rows ($(du -m million.csv | cut -f1) MB) in ${secs} s, peak RSS $((rss / 1024)) MB"
check "peak RSS under 100 MB" test "$rss" -lt 102400
check "1,000,000 leads stored" test "$(sqlite3 m.db 'select count(*) from leads')" = 1000000
finish
