#!/usr/bin/env bash
# Issue 9.7: security. Only bound parameters reach SQL (a source audit, which must also catch a
# planted interpolation); store files are created 0600 by every command that creates one, even
# under umask 000; no secret (a PostgreSQL password given in the URL, as password=, or in
# PGPASSWORD) shows in messages, output, the server's statement log, the store, or any argv
# leadboard runs. The hostile names half of the SQL check is step 93.
source "$(dirname "$0")/../lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${LEADBOARD_RELEASE_BIN:-$LEADBOARD_BIN}
cd "$work"
NOW=2026-11-02T12:00:00Z

# 1. SQL text is never built from values.
check "source audit: no value interpolated into SQL (Sources)" python3 "$root/.ci/sql-audit.py" "$root"
mkdir -p planted/Sources/Bad planted/.ci
cat > planted/Sources/Bad/Bad.swift <<'SWIFT'
func bad(db: Connection, id: String, name: String) throws {
  try db.run("DELETE FROM leads WHERE id = '\(id)'")
  let sql = "SELECT * FROM leads WHERE name = '" + name + "'"
  try db.run("SELECT * FROM leads WHERE id = ?", [.text(id)])
}
SWIFT
check "... the audit catches a planted interpolation and a concatenation" bash -c "
  ! python3 '$root/.ci/sql-audit.py' planted > audit.out && grep -q 'Bad.swift:2: ..id.' audit.out && grep -q 'Bad.swift:3:.*concatenated' audit.out &&
  [ \$(grep -c 'Bad.swift' audit.out) = 2 ]"

# 2. Store files are private (0600), the WAL and shared-memory files too, whatever the umask.
printf '%s\n' '{"id":"e1","type":"form_submit","at":"2026-11-02T09:00:00Z","lead":"L1","email":"a@example.com"}' > e.jsonl
printf 'id,name\nC1,Ann\n' > c.csv
modes() { # the modes of a store and its companions that exist, "file=mode" each
  for f in "$1" "$1-wal" "$1-shm"; do [ -e "$f" ] && printf '%s=%s ' "${f##*/}" "$(stat -c %a "$f")"; done; echo
}
for mask in 022 000; do
  ( umask $mask
    "$BIN" init --db "init-$mask.db" >/dev/null
    "$BIN" ingest e.jsonl --db "ingest-$mask.db" >/dev/null
    "$BIN" import c.csv --db "import-$mask.db" --now $NOW >/dev/null
    "$BIN" demo --no-tui --leads 50 --db "demo-$mask.db" --now $NOW >/dev/null
    "$BIN" migrate --from "ingest-$mask.db" --to "migrate-$mask.db" >/dev/null
    mkdir -p "xdg-$mask" && XDG_DATA_HOME="$work/xdg-$mask" "$BIN" init >/dev/null
    # a reader and a writer keep the WAL and -shm files around while they are looked at
  )
  for cmd in init ingest import demo migrate; do
    check "umask $mask: '$cmd' creates its store 0600 ($(modes "$cmd-$mask.db"))" bash -c "
      for f in '$cmd-$mask.db' '$cmd-$mask.db-wal' '$cmd-$mask.db-shm'; do
        [ ! -e \"\$f\" ] || [ \$(stat -c %a \"\$f\") = 600 ] || exit 1; done; [ -e '$cmd-$mask.db' ]"
  done
  check "umask $mask: the default store is 0600" test "$(stat -c %a "xdg-$mask/leadboard/leadboard.db")" = 600
done
# Files leadboard writes that hold lead data: an export and the refused rows of an import.
printf 'id,name,created_at\nC2,Bob,not-a-date\n' > bad.csv
( umask 000
  "$BIN" export --db import-000.db --output export-000.csv --now $NOW >/dev/null
  "$BIN" import bad.csv --db import-000.db --rejects rejects-000.csv --now $NOW >/dev/null 2>&1 || true )
check "umask 000: export --output and import --rejects files are 0600" bash -c "
  [ \$(stat -c %a export-000.csv) = 600 ] && [ \$(stat -c %a rejects-000.csv) = 600 ] && grep -q C2 rejects-000.csv"
# The WAL and -shm files of a store in use (a watcher holds it open while an ingest writes).
"$BIN" watch --db ingest-000.db --timeout 3 >/dev/null 2>&1 & watcher=$!
sleep 0.5
( umask 000; printf '%s\n' '{"id":"e2","type":"note","at":"2026-11-02T09:01:00Z","lead":"L1","text":"x"}' | "$BIN" ingest - --db ingest-000.db >/dev/null )
check "a store in use: its -wal and -shm files are 0600 too ($(modes ingest-000.db))" bash -c "
  [ -e ingest-000.db-wal ] && [ \$(stat -c %a ingest-000.db-wal) = 600 ] && [ \$(stat -c %a ingest-000.db-shm) = 600 ]"
wait $watcher 2>/dev/null || true

# 3. Secrets. The password is a word that appears nowhere else.
SECRET=Zq7-hunter2-secret
leaks() { grep -rl -- "$SECRET" "$@" 2>/dev/null | head -3; }
no_leak() { [ -z "$(leaks "$@")" ] || { echo "    the secret is in: $(leaks "$@")"; return 1; }; }
# Unreachable servers: the message names the store without the password.
for url in "postgresql://sato:$SECRET@127.0.0.1:1/sales" "postgres://sato@127.0.0.1:1/sales?sslmode=disable&password=$SECRET"; do
  case $url in *password=*) label="password= parameter" ;; *) label="URL with a password" ;; esac
  check "$label, server unreachable: exit 7, message without the password" bash -c "
    set +e; '$BIN' pipeline --db '$url' > s.out 2> s.err; rc=\$?; set -e
    [ \$rc = 7 ] && grep -q 'cannot connect' s.err && ! grep -q -- '$SECRET' s.out s.err"
  check "... and migrate's message too" bash -c "
    set +e; '$BIN' migrate --from ingest-022.db --to '$url' > m.out 2> m.err; rc=\$?; set -e
    [ \$rc = 7 ] && ! grep -q -- '$SECRET' m.out m.err"
done
kv="host=127.0.0.1 port=1 user=sato password=$SECRET dbname=sales"
check "a libpq keyword/value string: refused (exit 2) without the password, no file made of it" bash -c "
  set +e; '$BIN' pipeline --db '$kv' > k.out 2> k.err; rc=\$?; '$BIN' migrate --from ingest-022.db --to '$kv' > k2.out 2> k2.err; rc2=\$?; set -e
  [ \$rc = 2 ] && [ \$rc2 = 2 ] && grep -q 'keyword/value connection string is not taken' k.err && ! grep -q -- '$SECRET' k.out k.err k2.out k2.err &&
  [ -z \"\$(ls | grep -F 'host=')\" ]"
check "PGPASSWORD, server unreachable: message without the password" bash -c "
  set +e; PGPASSWORD='$SECRET' '$BIN' pipeline --db postgresql://sato@127.0.0.1:1/sales > p.out 2> p.err; rc=\$?; set -e
  [ \$rc = 7 ] && ! grep -q -- '$SECRET' p.out p.err"
check "no store file mentions the password" no_leak ./*.db

# A real server with password authentication (scram-sha-256) and every statement logged.
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -n "$pgbin" ]; then
  PATH="$pgbin:$PATH"
  pgdir=$(mktemp -d -t leadboard-pg-sec.XXXXXX)
  run=()
  if [ "$(id -u)" = 0 ]; then run=(runuser -u "$(id postgres >/dev/null 2>&1 && echo postgres || echo nobody)" --); chown "${run[2]}" "$pgdir"; fi
  chmod 755 "$pgdir"
  printf '%s\n' "$SECRET" > "$pgdir/pw" && chmod 644 "$pgdir/pw"
  trap '(cd / && "${run[@]}" pg_ctl -D "$pgdir/data" -m immediate -w stop >/dev/null 2>&1); rm -rf "$pgdir" "$work"' EXIT
  (cd / && "${run[@]}" initdb -D "$pgdir/data" -U postgres -A scram-sha-256 --pwfile="$pgdir/pw" -E UTF8 --no-sync > "$pgdir/initdb.log" 2>&1)
  rm -f "$pgdir/pw"
  (cd / && "${run[@]}" pg_ctl -D "$pgdir/data" -l "$pgdir/server.log" -w -t 30 \
    -o "-k $pgdir -c listen_addresses='' -c log_statement=all -c log_connections=on" start > /dev/null)
  URL="postgresql://postgres@/postgres?host=$pgdir"
  check "PGPASSWORD: init on a password-protected server works" bash -c "PGPASSWORD='$SECRET' '$BIN' init --db '$URL' > i.out 2> i.err"
  check "... an ingest and a watcher work; neither's argv (/proc/PID/cmdline) holds the password" bash -c "
    PGPASSWORD='$SECRET' '$BIN' watch --db '$URL' --timeout 5 > w.out 2> w.err & w=\$!
    sleep 1
    PGPASSWORD='$SECRET' '$BIN' ingest e.jsonl --db '$URL' > g.out 2> g.err
    tr '\0' ' ' < /proc/\$w/cmdline > w.cmdline
    for c in \$(cat /proc/\$w/task/*/children 2>/dev/null); do tr '\0' ' ' < /proc/\$c/cmdline >> w.cmdline; done
    wait \$w; ! grep -q -- '$SECRET' w.cmdline"
  check "a wrong PGPASSWORD: exit 7, 'password authentication failed', the wrong password not shown" bash -c "
    set +e; PGPASSWORD='wrong-$SECRET' '$BIN' pipeline --db '$URL' > x.out 2> x.err; rc=\$?; set -e
    [ \$rc = 7 ] && grep -q 'password authentication failed' x.err && ! grep -q -- '$SECRET' x.out x.err"
  check "the password in the URL (discouraged, works): messages without it" bash -c "
    set +e; '$BIN' leads --db 'postgresql://postgres:$SECRET@/postgres?host=$pgdir' --stage nope > u.out 2> u.err; set -e
    '$BIN' pipeline --db 'postgresql://postgres:$SECRET@/postgres?host=$pgdir' > u2.out 2> u2.err &&
    ! grep -q -- '$SECRET' u.out u.err u2.out u2.err"
  check "the server's statement log (log_statement=all) never saw the password" no_leak "$pgdir/server.log"
  check "... though it logged our statements" grep -q "statement:" "$pgdir/server.log"
  check "no output or message file of these runs holds the password" no_leak ./*.out ./*.err
else
  echo "  SKIP the password-authentication checks: PostgreSQL is not installed"
fi
finish
