# A throwaway PostgreSQL cluster for CI (sourced). pg_start: initdb into a temp folder as a
# non-root user (CI runs as root), listen on a Unix socket in that folder only, trust auth
# (nobody else can reach the socket folder's cluster from the network); sets PG_DIR, PG_URL
# (superuser, database "postgres"). pg_stop: stops it and removes the folder. pg_url DB: the URL
# of database DB.
pg_start() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$bin" ] && PATH="$bin:$PATH"
  PG_DIR=$(mktemp -d -t leadboard-pg.XXXXXX)
  chmod 755 "$PG_DIR"
  PG_RUN=()
  if [ "$(id -u)" = 0 ]; then
    local user=postgres
    id "$user" >/dev/null 2>&1 || user=nobody
    chown "$user" "$PG_DIR"
    PG_RUN=(runuser -u "$user" --)
  fi
  (cd / && "${PG_RUN[@]}" initdb -D "$PG_DIR/data" -A trust -U postgres -E UTF8 --no-sync >"$PG_DIR/initdb.log" 2>&1) ||
    { cat "$PG_DIR/initdb.log"; return 1; }
  pg_ctl_start
  PG_URL="postgresql://postgres@/postgres?host=$PG_DIR"
}
pg_ctl_start() {
  (cd / && "${PG_RUN[@]}" pg_ctl -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 \
    -o "-k $PG_DIR -c listen_addresses='' -c max_connections=200" start >/dev/null)
}
pg_ctl_stop() { (cd / && "${PG_RUN[@]}" pg_ctl -D "$PG_DIR/data" -m fast -w stop >/dev/null); }
pg_stop() {
  [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR" ] || return 0
  pg_ctl_stop 2>/dev/null || true
  rm -rf "$PG_DIR"
  PG_DIR=
}
pg_url() { echo "postgresql://postgres@/$1?host=$PG_DIR"; }
# pg_step DB: what a team-mode step starts with: a cluster of its own (stopped when the step
# exits, with the tmux server if there is one), database DB in it, BIN the release binary
# where built, and DB_URL its URL as the superuser.
pg_step() {
  trap 'declare -F tmux_stop >/dev/null && tmux_stop; pg_stop; rm -rf "$work"' EXIT
  BIN=${LEADBOARD_RELEASE_BIN:-$LEADBOARD_BIN}
  [ -x "$BIN" ] || BIN=$LEADBOARD_BIN
  pg_start
  psql -q "$PG_URL" -c "CREATE DATABASE $1" >/dev/null
  DB_URL=$(pg_url "$1")
}
