#!/usr/bin/env bash
# Issue 9 (terminal part): signals leave the terminal as it was, a resize storm ends in a
# screen equal to a fresh one, and tiny, dumb, unknown and non-UTF-8 terminals get a usable
# screen or a clear message.
source "$(dirname "$0")/../lib.sh"
cd "$work"
export LC_ALL=C.UTF-8 TERM=xterm-256color
NOW=2026-12-01T09:00:00Z
BIN=$LEADBOARD_BIN
"$BIN" demo --leads 200 --seed 3 --no-tui --db d.db --now $NOW >/dev/null
source "$CI_DIR/tmux.sh"

# SIGINT, SIGHUP, SIGTERM: the board dies of the signal and the terminal is as before.
for sig in INT HUP TERM; do
  rm -f before.stty after.stty
  tmux new-session -d -s "s$sig" -x 120 -y 40 \
    "bash -c 'stty -g > before.stty; $BIN board --db d.db --now $NOW --view alerts; echo \$? > rc.$sig; stty -g > after.stty; sleep 5'"
  wait_for "s$sig" "2 Queue" >/dev/null || true
  pkill "-$sig" -f -- "^$BIN board" || true
  for i in $(seq 1 50); do [ -s after.stty ] && break; sleep 0.1; done
  check "SIG$sig leaves the terminal as it was" bash -c "test -s after.stty && cmp -s before.stty after.stty"
  tmux kill-session -t "s$sig" 2>/dev/null || true
done

# SIGTSTP then SIGCONT, as a user does it (ctrl-z, then fg in an interactive shell with job
# control): curses leaves while stopped, comes back on fg, and quitting restores the terminal.
rm -f before.stty after.stty
tmux new-session -d -s tstp -x 120 -y 40 "bash --norc --noprofile -i"
sleep 0.5
tmux send-keys -t tstp "stty -g > before.stty; $BIN board --db d.db --now $NOW --view alerts; stty -g > after.stty" Enter
wait_for tstp "2 Queue" >/dev/null || true
tmux send-keys -t tstp C-z
check "ctrl-z suspends the board (the shell reports it stopped)" wait_for tstp "Stopped"
tmux send-keys -t tstp "fg" Enter
check "fg brings the board back" wait_for tstp "2 Queue"
tmux send-keys -t tstp 1
check "and it answers keys again" wait_for tstp "Marketing-qualified"
tmux send-keys -t tstp q
for i in $(seq 1 50); do [ -s after.stty ] && break; sleep 0.1; done
check "quitting after suspend and resume restores the terminal" bash -c "test -s after.stty && cmp -s before.stty after.stty"
tmux kill-session -t tstp 2>/dev/null || true

# A storm of 500 resizes between 1x1 and 300x100 ends in a screen equal to a fresh render.
tmux new-session -d -s storm -x 120 -y 40 "$BIN board --db d.db --now $NOW --as sato"
tmux new-session -d -s fresh -x 120 -y 40 "$BIN board --db d.db --now $NOW --as sato"
wait_for storm "Marketing-qualified" >/dev/null
python3 - "$SOCK" <<'PY'
import random, subprocess, sys
random.seed(42)
sock = sys.argv[1]
for _ in range(500):
    w, h = random.randint(1, 300), random.randint(1, 100)
    subprocess.run(["tmux", "-L", sock, "resize-window", "-t", "storm", "-x", str(w), "-y", str(h)], check=False)
PY
tmux resize-window -t storm -x 120 -y 40
sleep 1
check "the board survived 500 resizes" tmux has-session -t storm
check "and its screen equals a fresh one" bash -c "diff <(tmux -L $SOCK capture-pane -p -t storm) <(tmux -L $SOCK capture-pane -p -t fresh)"
tmux kill-session -t storm; tmux kill-session -t fresh

# Tiny terminals: a usable screen or a clear message, never a crash.
for size in "1 1" "20 5"; do
  set -- $size
  tmux new-session -d -s tiny -x "$1" -y "$2" "$BIN board --db d.db --now $NOW; sleep 3"
  sleep 1
  check "a $1x$2 terminal: still running" bash -c "pgrep -f -- '^$BIN board' >/dev/null"
  tmux kill-session -t tiny 2>/dev/null || true
done
tmux new-session -d -s tiny -x 30 -y 10 "$BIN board --db d.db --now $NOW"
check "30x10 says how big it must be" wait_for tiny "60×16"
tmux kill-session -t tiny

# Unknown TERM and TERM=dumb: a clear message and a usage exit code; nothing drawn.
check "an unknown TERM gets a clear message" bash -c "TERM=no-such-term script -qec '$BIN board --db d.db' /dev/null | grep -q 'unknown terminal type'"
check "TERM=dumb gets a clear message" bash -c "TERM=dumb script -qec '$BIN board --db d.db' /dev/null | grep -q 'cannot show the board'"

# A non-UTF-8 locale: ASCII borders instead of box drawing.
tmux new-session -d -s c -x 120 -y 40 "LC_ALL=C $BIN board --db d.db --now $NOW"
check "LC_ALL=C board opens" wait_for c "Marketing-qualified"
check "with ASCII borders" bash -c "tmux -L $SOCK capture-pane -p -t c | grep -q -- '---|' && ! tmux -L $SOCK capture-pane -p -t c | grep -q '│'"
tmux kill-session -t c
finish
