#!/usr/bin/env bash
# Issue 9.3: 2, 4, 8 and 16 processes claiming and recycling the same 48 MQLs (release build),
# while a killer watches /proc/locks and SIGKILLs claimers caught holding the store's write lock
# (the WAL write lock, byte 120 of the -shm file: inside their transaction), stopping them first
# so the catch is certain. Each worker walks the leads in a seeded order: accept; when it won,
# recycle half of them; when it lost, try to recycle a third of those too (racing the owner).
# A final sweep accepts what is left. Then: every lead has exactly one accept; its owner is that
# accept's rep, or nobody once recycled (back in nurture, as the playbook says); at most one
# recycle; every exit code is one the README documents; every
# success a worker saw is in the log and every loser named the winner; the log is consistent
# (stage changes chain, projections and totals agree, an exported log replays to the same
# leads); integrity_check ok. LEADBOARD_CONTENTION_SEED replays a run's choices.
source "$(dirname "$0")/../lib.sh"
BIN=${LEADBOARD_RELEASE_BIN:-$LEADBOARD_BIN}
SEED=${LEADBOARD_CONTENTION_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
echo "  seed $SEED (LEADBOARD_CONTENTION_SEED=$SEED replays it)"
cd "$work"

check "the contention driver's verdict" python3 - "$BIN" "$SEED" <<'PY'
import json, os, random, re, signal, sqlite3, subprocess, sys, threading, time
BIN, SEED = sys.argv[1], int(sys.argv[2])
NOW = "2026-11-02T10:00:00Z"
LEADS = 48
REPS = ["sato", "tanaka", "suzuki", "takahashi", "alice", "bob", "carol", "dave"]
failures = []
totals = dict(attempts=0, killed_in_tx=0, killed=0)

with open("mqls.jsonl", "w") as f:
    for i in range(1, LEADS + 1):
        t = "2026-11-02T09:%02d:00Z" % i
        f.write(json.dumps({"id": f"f{i}", "type": "form_submit", "at": t, "lead": f"M{i}", "email": f"m{i}@example.com", "name": f"Lead {i}"}) + "\n")
        f.write(json.dumps({"id": f"d{i}", "type": "demo_request", "at": t, "lead": f"M{i}"}) + "\n")

def lb(*args, db):
    return subprocess.run([BIN, *args, "--db", db], capture_output=True, text=True)

def write_lock_holders(shm):
    """pids holding the WAL write lock (byte 120 of the -shm file) of this store."""
    try:
        st = os.stat(shm)
    except FileNotFoundError:
        return set()
    dev = "%02x:%02x:%d" % (os.major(st.st_dev), os.minor(st.st_dev), st.st_ino)
    pids = set()
    for line in open("/proc/locks"):
        parts = line.split()
        if "->" in parts: continue            # a waiter, not a holder
        if len(parts) >= 8 and parts[1] == "POSIX" and parts[3] == "WRITE" and parts[5] == dev and parts[6] == "120":
            pids.add(int(parts[4]))
    return pids

for procs in (2, 4, 8, 16):
    db = f"c{procs}.db"
    rng = random.Random(SEED * 100 + procs)
    p = lb("ingest", "mqls.jsonl", db=db)
    assert p.returncode == 0, p.stderr
    children = set()
    lock = threading.Lock()
    logs = []
    done = threading.Event()
    kills = dict(in_tx=0, other=0)

    def worker(n):
        wr = random.Random(SEED * 1000 + procs * 100 + n)
        rep = REPS[n % len(REPS)]
        order = list(range(1, LEADS + 1)); wr.shuffle(order)
        for i in order:
            plan = [("accept", [])]
            while plan:
                action, extra = plan.pop(0)
                proc = subprocess.Popen([BIN, action, f"M{i}", "--as", rep, "--db", db, "--now", NOW] + extra,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                with lock: children.add(proc.pid)
                out, err = proc.communicate()
                with lock:
                    children.discard(proc.pid)
                    logs.append((i, rep, action, proc.returncode, err.strip(), "already recorded" in out))
                if action == "accept" and proc.returncode == 0 and wr.random() < 0.5:
                    plan.append(("recycle", ["--reason", "not_ready"]))
                elif action == "accept" and proc.returncode == 5 and wr.random() < 0.33:
                    plan.append(("recycle", ["--reason", "not_ready"]))

    def killer():
        kr = random.Random(SEED * 7 + procs)
        shm = db + "-shm"
        budget = 3 + procs // 4
        while not done.is_set() and kills["in_tx"] < budget:
            for pid in write_lock_holders(shm):
                with lock:
                    ours = pid in children
                if not ours: continue
                try:
                    os.kill(pid, signal.SIGSTOP)
                except ProcessLookupError:
                    continue
                # Stopped, it cannot let go: if it still holds the lock it is inside its transaction.
                if pid in write_lock_holders(shm):
                    os.kill(pid, signal.SIGKILL); kills["in_tx"] += 1
                else:
                    os.kill(pid, signal.SIGCONT)
                time.sleep(kr.uniform(0.05, 0.4))
                break
            time.sleep(0.001)

    start = time.monotonic()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(procs)]
    k = threading.Thread(target=killer)
    for t in threads: t.start()
    k.start()
    for t in threads: t.join()
    done.set(); k.join()
    secs = time.monotonic() - start
    where = f"{procs} processes"

    # The sweep: one process accepts whatever MQL is left.
    left = [r["id"] for r in json.loads(lb("leads", "--stage", "mql", "--json", "--limit", "1000", db=db).stdout)]
    for lead in left:
        p = lb("accept", lead, "--as", "sato", "--now", NOW, db=db)
        if p.returncode != 0:
            failures.append(f"{where}: sweep accept of {lead} exited {p.returncode}: {p.stderr.strip()}")

    codes = {}
    for i, rep, action, rc, err, dup in logs:
        codes[(action, rc)] = codes.get((action, rc), 0) + 1
    killed = sum(n for (a, rc), n in codes.items() if rc == -9)
    allowed = {("accept", 0), ("accept", 5), ("accept", 6), ("recycle", 0), ("recycle", 6)}
    for (action, rc), n in codes.items():
        if rc != -9 and (action, rc) not in allowed:
            sample = next(l for l in logs if (l[2], l[3]) == (action, rc))[:5]
            failures.append(f"{where}: {n} × {action} exited {rc}, e.g. {sample}")

    c = sqlite3.connect(db)
    if c.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
        failures.append(f"{where}: integrity_check not ok")
    accepted = {}
    recycled = {}
    for lead, actor in c.execute("SELECT lead, actor FROM events WHERE type = 'accepted'"):
        accepted.setdefault(lead, []).append(actor)
    for lead, actor in c.execute("SELECT lead, actor FROM events WHERE type = 'recycled'"):
        recycled.setdefault(lead, []).append(actor)
    owners = dict(c.execute("SELECT id, owner FROM leads"))
    stages = dict(c.execute("SELECT id, stage FROM leads"))
    for n in range(1, LEADS + 1):
        lead = f"M{n}"
        acc = accepted.get(lead, [])
        if len(acc) != 1:
            failures.append(f"{where}: {lead} accepted {len(acc)} times: {acc}"); continue
        # A claimed lead is its acceptor's; a recycled one is back in nurture with no owner.
        want_owner = None if lead in recycled else acc[0]
        if owners.get(lead) != want_owner:
            failures.append(f"{where}: {lead} is owned by {owners.get(lead)}, expected {want_owner} (accepted by {acc[0]}, recycled by {recycled.get(lead)})")
        if len(recycled.get(lead, [])) > 1:
            failures.append(f"{where}: {lead} recycled {len(recycled[lead])} times")
        want = "known" if lead in recycled else "sal"
        if stages.get(lead) != want:
            failures.append(f"{where}: {lead} is {stages.get(lead)}, expected {want}")
    for i, rep, action, rc, err, dup in logs:
        lead = f"M{i}"
        if action == "accept" and rc == 0 and accepted.get(lead) != [rep]:
            failures.append(f"{where}: {rep} was told it accepted {lead}, the log says {accepted.get(lead)}")
        if action == "accept" and rc == 5:
            m = re.search(r"already accepted by (\S+)", err)
            if not m or [m.group(1)] != accepted.get(lead):
                failures.append(f"{where}: {rep}'s conflict on {lead} named {m and m.group(1)}, the winner is {accepted.get(lead)}")
        if action == "recycle" and rc == 0 and recycled.get(lead) != [rep]:
            failures.append(f"{where}: {rep} was told it recycled {lead}, the log says {recycled.get(lead)}")
    c.close()
    totals["attempts"] += len(logs); totals["killed_in_tx"] += kills["in_tx"]; totals["killed"] += killed
    won = len({l[0] for l in logs if l[2] == "accept" and l[3] == 0})
    dups = sum(1 for l in logs if l[3] == 0 and l[5])
    print(f"    {procs:2d} processes: {len(logs)} attempts in {secs:.1f} s "
          f"({won} leads won, {dups} repeats by the same rep answered 'already recorded', {codes.get(('accept', 5), 0)} conflicts, "
          f"{codes.get(('recycle', 0), 0)} recycles, {codes.get(('recycle', 6), 0) + codes.get(('accept', 6), 0)} refused as already recycled), "
          f"{kills['in_tx']} killed inside their transaction, {len(left)} left for the sweep")
    if kills["in_tx"] == 0:
        failures.append(f"{where}: no claimer was caught inside its transaction")

json.dump(dict(totals, seed=SEED, failures=failures), open("contention.json", "w"))
print(f"    {totals['attempts']} attempts, {totals['killed_in_tx']} claimers killed inside their transaction; {len(failures)} failures")
for f in failures[:20]: print("    " + f)
sys.exit(1 if failures else 0)
PY

# The log is consistent: for each store, the stage changes chain and end at the projected stage,
# stage_totals agree with the leads, and the exported log replays into an identical pipeline.
for n in 2 4 8 16; do
  check "$n processes: stage changes chain, totals agree" python3 - "c$n.db" <<'PY'
import json, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
stage = {}
for lead, text in c.execute("SELECT lead, body FROM events WHERE type = 'stage_changed' ORDER BY seq"):
    e = json.loads(text)
    frm, to = e.get("from"), e.get("to")
    assert stage.get(lead, frm) == frm, (lead, stage.get(lead), frm, to)
    stage[lead] = to
for lead, s in c.execute("SELECT id, stage FROM leads"):
    assert stage.get(lead) == s, (lead, stage.get(lead), s)
totals = {s: n for s, n in c.execute("SELECT stage, count FROM stage_totals") if n}
by = dict(c.execute("SELECT stage, count(*) FROM leads WHERE closed IS NULL GROUP BY stage"))
assert totals == by, (totals, by)
PY
  check "$n processes: the exported log replays to the same leads" bash -c "
    '$BIN' export --events --db c$n.db > log$n.jsonl && '$BIN' ingest --replay log$n.jsonl --db r$n.db >/dev/null &&
    '$BIN' export --format jsonl --db c$n.db --now 2026-11-02T10:00:00Z > a$n.jsonl &&
    '$BIN' export --format jsonl --db r$n.db --now 2026-11-02T10:00:00Z | cmp -s - a$n.jsonl"
done
check "claimers were killed inside their transaction in every round (>= 4 in all)" python3 -c "
import json; d = json.load(open('contention.json')); assert d['killed_in_tx'] >= 4, d"
finish
