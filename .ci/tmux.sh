# tmux helpers for the terminal steps (sourced after lib.sh): a tmux server of the step's own
# (nobody else's sessions are touched), kept alive by one session for the whole step so a new
# session never races a server shutting down ("server exited unexpectedly"); killed on exit.
SOCK="leadboard-ci-$$"
tmux() { command tmux -L "$SOCK" "$@"; }
tmux_stop() { command tmux -L "$SOCK" kill-server 2>/dev/null || true; }
trap 'tmux_stop; rm -rf "$work"' EXIT
tmux new-session -d -s keepalive "sleep 3600"
# wait_for PANE TEXT [SECONDS]: poll the pane until TEXT shows (bounded).
wait_for() {
  local pane=$1 text=$2 limit=${3:-10} i=0
  while [ $i -lt $((limit * 10)) ]; do
    tmux capture-pane -p -t "$pane" 2>/dev/null | grep -qF -- "$text" && return 0
    sleep 0.1; i=$((i + 1))
  done
  echo "    '$text' did not appear in $pane; screen was:"; tmux capture-pane -p -t "$pane" 2>/dev/null | sed 's/^/    | /' | head -45
  return 1
}
# wait_gone PANE TEXT [SECONDS]: poll the pane until TEXT is no longer shown (bounded).
wait_gone() {
  local pane=$1 text=$2 limit=${3:-10} i=0
  while [ $i -lt $((limit * 10)) ]; do
    tmux capture-pane -p -t "$pane" 2>/dev/null | grep -qF -- "$text" || return 0
    sleep 0.1; i=$((i + 1))
  done
  echo "    '$text' still shows in $pane"; return 1
}
screen() { tmux capture-pane -p -t "$1"; }
# column_count PANE STAGE_TITLE: the count in a board column's header ("Marketing-qualified… 3│").
column_count() {
  screen "$1" | grep -o "$2[^│]*│" | head -1 | grep -oE '[0-9]+│' | tr -d '│'
}
