#!/usr/bin/env bash
# Issue 9.2: resources run out. A file-size limit (ulimit -f), a small filesystem (a 2 MiB
# tmpfs, when this machine lets us mount one), a full output device, a read-only store file, a
# read-only folder and a read-only filesystem: each write is refused with a message naming the
# cause and exit 7 (README, exit codes), nothing crashes, the store is unchanged (same
# `.dump`, integrity ok), and once the cause is gone the same command finishes with exact counts.
source "$(dirname "$0")/../lib.sh"
BIN=${LEADBOARD_RELEASE_BIN:-$LEADBOARD_BIN}
cd "$work"
NOW=2026-11-02T12:00:00Z
mounted=()
cleanup() {
  for m in "${mounted[@]}"; do umount "$m" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

python3 - <<'PY'
import json
with open("seed.jsonl", "w") as f:
    for i in range(400):
        f.write(json.dumps({"id": f"s{i}", "type": "form_submit", "at": "2026-11-01T09:00:00Z", "lead": f"S{i}",
                            "email": f"s{i}@example.com", "name": f"Seed {i}", "company": "Acme"}) + "\n")
with open("big.jsonl", "w") as f:
    for i in range(3000):
        f.write(json.dumps({"id": f"b{i}", "type": "form_submit", "at": "2026-11-02T09:00:00Z", "lead": f"B{i}",
                            "email": f"b{i}@example.com", "name": f"Big {i} " + "x" * 300, "company": "Initech"}) + "\n")
with open("big.csv", "w") as f:
    f.write("id,name,email,company\n")
    for i in range(3000):
        f.write(f"C{i},Row {i} {'y' * 300},c{i}@example.com,Globex\n")
with open("more.jsonl", "w") as f:
    for i in range(100):
        f.write(json.dumps({"id": f"m{i}", "type": "note", "at": "2026-11-02T10:00:00Z", "lead": f"S{i}", "text": "hello"}) + "\n")
PY
# fingerprint DB: the store's whole content (schema and rows), independent of WAL state.
fingerprint() { sqlite3 "$1" .dump | sha256sum | cut -c1-16; }
# crashed: the command died of a signal or a Swift runtime trap (exit >= 128, a backtrace).
not_crashed() { ! grep -qE "Fatal error|Backtrac|Program crashed" err; }

# 1. A file-size limit a little above the store's size: the store's file and its WAL cannot grow.
"$BIN" ingest seed.jsonl --db f.db --quiet >/dev/null
before=$(fingerprint f.db)
limit=$(( $(stat -c %s f.db) / 1024 + 64 ))
check "ulimit -f $limit: ingest of 3,000 events exits 7" expect_exit 7 bash -c "ulimit -f $limit; exec '$BIN' ingest big.jsonl --db f.db"
check "... says the disk or the file-size limit is full" grep -q "file-size limit is full" err
check "... without a crash or SIGXFSZ" not_crashed
check "... the store is unchanged" test "$(fingerprint f.db)" = "$before"
check "ulimit -f $limit: import of 3,000 rows exits 7" expect_exit 7 bash -c "ulimit -f $limit; exec '$BIN' import big.csv --db f.db --now $NOW"
check "... says full" grep -q "full" err
check "... the store is unchanged" test "$(fingerprint f.db)" = "$before"
check "... reads still work under the limit" expect_exit 0 bash -c "ulimit -f $limit; exec '$BIN' pipeline --db f.db --json"
check "... integrity ok" test "$(sqlite3 f.db 'PRAGMA integrity_check')" = ok
check "without the limit the same ingest adds all 3,000" expect_exit 0 "$BIN" ingest big.jsonl --db f.db --json
check "... exactly" python3 -c "import json; d = json.load(open('out')); assert (d['added'], d['duplicate']) == (3000, 0), d"

# 2. The output device is full.
check "pipeline > /dev/full exits 7 with the reason" expect_exit 7 bash -c "exec '$BIN' pipeline --db f.db > /dev/full"
check "... 'No space left on device', no crash" bash -c "grep -q 'standard output: cannot write the output (No space left on device)' err && ! grep -q Backtrac err"
check "export --events > /dev/full exits 7" expect_exit 7 bash -c "exec '$BIN' export --events --db f.db > /dev/full"

# 3. A small filesystem: a 32 MiB tmpfs (needs the right to mount; skipped, and said so, without).
mkdir small
if mount -t tmpfs -o size=32m,mode=0700 leadboard-ci small 2>/dev/null; then
  mounted+=("$work/small")
  "$BIN" ingest seed.jsonl --db small/s.db --quiet >/dev/null
  head -c $(( $(df -B1 --output=avail small | tail -1) - 300000 )) /dev/zero > small/filler
  before=$(fingerprint small/s.db)
  check "32 MiB filesystem with 300 kB left: ingest exits 7" expect_exit 7 "$BIN" ingest big.jsonl --db small/s.db
  check "... says the disk is full" grep -q "disk or the file-size limit is full" err
  check "... the store is unchanged" test "$(fingerprint small/s.db)" = "$before"
  check "... integrity ok" test "$(sqlite3 small/s.db 'PRAGMA integrity_check')" = ok
  check "... import exits 7, store unchanged" bash -c "
    set +e; '$BIN' import big.csv --db small/s.db --now $NOW >/dev/null 2>&1; rc=\$?; set -e
    [ \$rc = 7 ] && [ \"\$(sqlite3 small/s.db .dump | sha256sum | cut -c1-16)\" = '$before' ]"
  check "... export --output of another store onto it exits 7 and leaves no file" bash -c "
    set +e; '$BIN' export --db f.db --output small/x.csv 2>x.err; rc=\$?; set -e
    [ \$rc = 7 ] && grep -q 'small/x.csv: cannot write the output (No space left on device); nothing written' x.err &&
    [ -z \"\$(ls -A small | grep -v -e '^s\\.db' -e '^filler\$')\" ]"
  rm small/filler
  check "space freed: the same ingest adds all 3,000" expect_exit 0 "$BIN" ingest big.jsonl --db small/s.db --json
  check "... exactly" python3 -c "import json; d = json.load(open('out')); assert (d['added'], d['duplicate']) == (3000, 0), d"

  # A read-only filesystem (the same tmpfs remounted read-only).
  before=$(fingerprint small/s.db)
  if mount -o remount,ro "$work/small" 2>/dev/null; then
    check "read-only filesystem: ingest of 100 new events exits 7" expect_exit 7 "$BIN" ingest more.jsonl --db small/s.db
    check "... says read-only" grep -q "the store.s folder or filesystem is read-only" err
    check "... not a crash" not_crashed
    mount -o remount,rw "$work/small"
    check "... the store is unchanged" test "$(fingerprint small/s.db)" = "$before"
  fi
else
  echo "  SKIP the small-filesystem and read-only-filesystem checks: cannot mount a tmpfs here"
fi

# 4. A read-only store file, and a read-only folder. Root ignores file modes, so as root the
# commands run as nobody (setpriv) on files nobody owns.
as_user() { "$@"; }
mkdir ro && "$BIN" ingest seed.jsonl --db ro/r.db --quiet >/dev/null && chmod 0400 ro/r.db
rm -f ro/r.db-wal ro/r.db-shm
if [ "$(id -u)" = 0 ]; then
  chown -R nobody ro && chmod 0755 "$work" && chmod o+r seed.jsonl big.jsonl big.csv
  # nobody may not reach the build folder: a copy of the binary it can run.
  cp "$BIN" "$work/leadboard-bin" && chmod 0755 "$work/leadboard-bin" && BIN="$work/leadboard-bin"
  as_user() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
fi
before=$(fingerprint ro/r.db); sum=$(sha256sum < ro/r.db)
check "read-only store file: ingest exits 7" expect_exit 7 as_user "$BIN" ingest big.jsonl --db ro/r.db
check "... says the store is read-only" grep -q "the store is read-only" err
check "read-only store file: note exits 7" expect_exit 7 as_user "$BIN" note S1 --text hi --as sato --db ro/r.db --now $NOW
check "read-only store file: import exits 7" expect_exit 7 as_user "$BIN" import big.csv --db ro/r.db --now $NOW
check "read-only store file: reads work (pipeline, leads, show)" bash -c "
  $(declare -f as_user); as_user '$BIN' pipeline --db ro/r.db --json >/dev/null && as_user '$BIN' leads --db ro/r.db --json >/dev/null && as_user '$BIN' show S1 --db ro/r.db >/dev/null"
check "... the file is byte for byte unchanged" test "$(sha256sum < ro/r.db)" = "$sum"
chmod 0600 ro/r.db; rm -f ro/r.db-wal ro/r.db-shm; chmod 0555 ro
check "read-only folder (no room for the WAL): ingest exits 7" expect_exit 7 as_user "$BIN" ingest big.jsonl --db ro/r.db
check "... with a message naming the store" grep -q "ro/r.db" err
check "... not a crash" not_crashed
chmod 0755 ro
check "... the store is unchanged" test "$(fingerprint ro/r.db)" = "$before"
check "read-only folder for a new store: init exits 7" bash -c "
  mkdir -p ro2 && chmod 0555 ro2 && $( [ "$(id -u)" = 0 ] && echo "chown nobody ro2 &&" ) set +e
  $(declare -f as_user); as_user '$BIN' init --db ro2/n.db 2> ro2.err; rc=\$?; set -e
  [ \$rc = 7 ] && grep -q 'cannot create the store' ro2.err"
finish
