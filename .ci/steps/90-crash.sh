#!/usr/bin/env bash
# Issue 9.1: kill -9 at seeded random moments during 30 runs of `ingest` and `import` (release
# build). After each kill: `PRAGMA integrity_check` is ok; what is stored is exactly the first k
# batches of an uninterrupted reference run (ingest: k × 2,000 lines with their rule outcomes;
# import: whole leads only); the projections agree with the log; and re-running the same command
# exits 0 with exact counts (added + duplicate = all) and leaves the same log and pipeline as the
# reference run. Set LEADBOARD_CRASH_SEED to replay a run's choices (kill times are wall-clock,
# so a replay picks the same moments, not necessarily the same instructions).
source "$(dirname "$0")/../lib.sh"
BIN=${LEADBOARD_RELEASE_BIN:-$LEADBOARD_BIN}
SEED=${LEADBOARD_CRASH_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
RUNS=${LEADBOARD_CRASH_RUNS:-30}
echo "  seed $SEED (LEADBOARD_CRASH_SEED=$SEED replays it), $RUNS runs"
cd "$work"
# The importer's temporary buckets go here, so leftovers of killed runs can be counted.
export TMPDIR="$work/tmp"
mkdir -p "$TMPDIR"

check "the crash driver's verdict" python3 - "$BIN" "$SEED" "$RUNS" <<'PY'
import json, os, random, signal, sqlite3, subprocess, sys, time
BIN, SEED, RUNS = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
NOW = "2026-11-02T12:00:00Z"
rng = random.Random(SEED)
failures = []

# Inputs: 10,000 JSONL events (5 ingest batches of 2,000 lines) and a 6,000-row CSV.
with open("events.jsonl", "w") as f:
    for i in range(2500):
        t = "2026-11-01T%02d:%02d:%02dZ" % (i // 3600 % 24, i // 60 % 60, i % 60)
        f.write(json.dumps({"id": f"v{i}", "type": "page_view", "at": t, "visitor": f"cookie{i}", "path": "/pricing"}) + "\n")
        f.write(json.dumps({"id": f"f{i}", "type": "form_submit", "at": t, "lead": f"L{i}", "visitor": f"cookie{i}",
                            "email": f"l{i}@example.com", "name": f"Lead {i}", "company": f"Co {i % 300}", "employees": 10 + i % 900}) + "\n")
        f.write(json.dumps({"id": f"o{i}", "type": "email_open", "at": t, "lead": f"L{i}", "campaign": "nov"}) + "\n")
        f.write(json.dumps({"id": f"d{i}", "type": "demo_request" if i % 3 == 0 else "content_download", "at": t, "lead": f"L{i}",
                            **({} if i % 3 == 0 else {"asset": "guide.pdf"})}) + "\n")
input_batch = {}
for n, line in enumerate(open("events.jsonl")):
    input_batch[json.loads(line)["id"]] = n // 2000
with open("leads.csv", "w") as f:
    f.write("id,name,email,company,owner,stage,created_at,value\n")
    stages = ["Lead", "MQL", "SQL", "Opportunity", "Customer"]
    for i in range(6000):
        f.write(f"C{i},Name {i},c{i}@example.com,\"Company {i % 700}, Inc.\",{['sato','tanaka','bob'][i % 3]},"
                f"{stages[i % 5]},2025-{1 + i % 12:02d}-{1 + i % 28:02d},{(i % 50) * 1000}\n")

COMMANDS = {
    "ingest": [BIN, "ingest", "events.jsonl", "--json", "--quiet"],
    "import": [BIN, "import", "leads.csv", "--map", "id=id", "--map", "owner=owner", "--map", "stage=stage",
               "--stage-map", "Lead=known", "--stage-map", "MQL=mql", "--stage-map", "SQL=sql",
               "--stage-map", "Opportunity=opportunity", "--stage-map", "Customer=customer",
               "--now", NOW, "--json", "--quiet"],
}

def run(kind, db):
    return subprocess.run(COMMANDS[kind] + ["--db", db], capture_output=True, text=True)

def snapshot(db):
    c = sqlite3.connect(db)
    try:
        events = [r for r in c.execute("SELECT id, lead, type FROM events ORDER BY seq")]
        leads = dict(c.execute("SELECT id, stage FROM leads"))
        totals = {s: n for s, n in c.execute("SELECT stage, count FROM stage_totals") if n}
        by_stage = dict(c.execute("SELECT stage, count(*) FROM leads WHERE closed IS NULL GROUP BY stage"))
        return events, leads, totals, by_stage
    finally:
        c.close()

def integrity(db):
    out = subprocess.run(["sqlite3", db, "PRAGMA integrity_check"], capture_output=True, text=True)
    return out.stdout.strip()

def pipeline(db):
    return subprocess.run([BIN, "pipeline", "--json", "--db", db, "--now", NOW], capture_output=True, text=True).stdout

# Reference runs, uninterrupted, timed (the kill moments are drawn over their length).
ref = {}
for kind in COMMANDS:
    start = time.monotonic()
    p = run(kind, f"ref-{kind}.db")
    secs = time.monotonic() - start
    if p.returncode != 0:
        print(f"    reference {kind} exited {p.returncode}: {p.stderr[:300]}"); sys.exit(1)
    events, leads, totals, _ = snapshot(f"ref-{kind}.db")
    ref[kind] = dict(secs=secs, events=events, ids=[e[0] for e in events], leads=leads,
                     pipeline=pipeline(f"ref-{kind}.db"), out=json.loads(p.stdout))
    print(f"    reference {kind}: {len(events)} events, {len(leads)} leads in {secs:.2f} s")

ingest_ref = ref["ingest"]
# Ingest: the events of the first k batches (inputs and the rule outcomes they caused).
def batch_of(event_id):
    return input_batch[event_id.split("#")[0]]
ingest_prefixes = {k: {e for e in ingest_ref["ids"] if batch_of(e) < k} for k in range(6)}
import_ref = ref["import"]
import_by_lead = {}
for eid, lead, _ in import_ref["events"]:
    import_by_lead.setdefault(lead, set()).add(eid)

stats = dict(runs=0, killed=0, finished_first=0, partial=0, empty=0, leftovers=0)
for n in range(RUNS):
    kind = "ingest" if n % 2 == 0 else "import"
    db = f"run{n}-{kind}.db"
    # Half the runs start from an initialised store, half let the command create it.
    if n % 4 >= 2:
        subprocess.run([BIN, "init", "--db", db], capture_output=True, check=True)
    delay = rng.uniform(0.0, ref[kind]["secs"] * 1.1)
    proc = subprocess.Popen(COMMANDS[kind] + ["--db", db], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    killed = proc.poll() is None
    if killed:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    stats["runs"] += 1
    stats["killed" if killed else "finished_first"] += 1
    where = f"run {n} ({kind}, kill at {delay:.3f} s{'' if killed else ', finished first'})"
    if not os.path.exists(db):
        stored = set(); stats["empty"] += 1
    else:
        ok = integrity(db)
        if ok != "ok":
            failures.append(f"{where}: integrity_check says {ok[:200]}"); continue
        try:
            events, leads, totals, by_stage = snapshot(db)
        except sqlite3.Error as e:   # killed before the schema was committed: an empty database
            events, leads, totals, by_stage = [], {}, {}, {}
        stored = {e[0] for e in events}
        if len(stored) != len(events):
            failures.append(f"{where}: an event id stored twice")
        if totals != by_stage:
            failures.append(f"{where}: stage_totals {totals} disagree with the leads {by_stage}")
        if set(leads) != {e[1] for e in events if e[1]}:
            failures.append(f"{where}: the leads table and the log name different leads")
        if kind == "ingest":
            if stored not in ingest_prefixes.values():
                failures.append(f"{where}: {len(stored)} events stored, not a whole number of batches")
        else:
            if not stored <= set(import_ref["ids"]):
                failures.append(f"{where}: events the reference run does not have")
            for lead in {e[1] for e in events}:
                if not import_by_lead[lead] <= stored:
                    failures.append(f"{where}: lead {lead} stored in part"); break
        if 0 < len(stored) < len(ref[kind]["ids"]):
            stats["partial"] += 1
        elif not stored:
            stats["empty"] += 1
    # The same command again finishes the job, with exact counts.
    p = run(kind, db)
    if p.returncode != 0:
        failures.append(f"{where}: the re-run exited {p.returncode}: {p.stderr[:300]}"); continue
    out = json.loads(p.stdout)
    if kind == "ingest":
        want_added = len(ingest_prefixes[5] & {i for i in input_batch}) - len(stored & set(input_batch))
        if (out["added"], out["duplicate"], out["rejected"]) != (want_added, 10000 - want_added, 0):
            failures.append(f"{where}: re-run counted {out['added']} added, {out['duplicate']} duplicate, {out['rejected']} rejected; wanted {want_added} added")
    else:
        want_added = len(import_ref["ids"]) - len(stored)
        if out["events_added"] != want_added or out["rejected"] != 0:
            failures.append(f"{where}: re-run added {out['events_added']} events, wanted {want_added}")
    events, leads, _, _ = snapshot(db)
    if sorted(e[0] for e in events) != sorted(ref[kind]["ids"]):
        failures.append(f"{where}: after the re-run the log differs from the reference ({len(events)} vs {len(ref[kind]['ids'])} events)")
    if leads != ref[kind]["leads"]:
        failures.append(f"{where}: after the re-run the leads differ from the reference")
    if pipeline(db) != ref[kind]["pipeline"]:
        failures.append(f"{where}: after the re-run the pipeline differs from the reference")
    if integrity(db) != "ok":
        failures.append(f"{where}: integrity_check after the re-run is not ok")
    for f in (db, db + "-wal", db + "-shm"):
        if os.path.exists(f): os.remove(f)

left = [d for d in os.listdir(os.environ["TMPDIR"]) if d.startswith("leadboard-import-")]
stats["leftovers"] = len(left)
json.dump(dict(stats, seed=SEED, failures=failures), open("crash.json", "w"))
print(f"    {stats['runs']} runs: {stats['killed']} killed ({stats['partial']} with some batches stored, "
      f"{stats['empty']} with none), {stats['finished_first']} finished before the kill; "
      f"{len(failures)} failures; {len(left)} import temporary folders left behind")
for f in failures[:20]: print("    " + f)
sys.exit(1 if failures else 0)
PY
check "most runs were really interrupted (>= 20 of $RUNS killed)" python3 -c "
import json; d = json.load(open('crash.json')); assert d['killed'] >= min(20, $RUNS * 2 // 3), d"
check "killed imports left no temporary bucket folder behind (the next import removes them)" python3 -c "
import json; d = json.load(open('crash.json')); assert d['leftovers'] == 0, d"
check "some kills landed mid-run with batches already committed (>= 5)" python3 -c "
import json; d = json.load(open('crash.json')); assert d['partial'] >= min(5, $RUNS // 6), d"
finish
