#!/usr/bin/env bash
# Issue 5: the real binary in tmux: views, a lead, accept and recycle from the queue, a board
# and a queue side by side, SIGTERM restoring the terminal, resizes, NO_COLOR, inert names.
source "$(dirname "$0")/../lib.sh"
cd "$work"
export LC_ALL=C.UTF-8 TERM=xterm-256color
NOW=2026-12-01T09:00:00Z
BIN=$LEADBOARD_BIN
"$BIN" demo --leads 400 --seed 5 --no-tui --db d.db --now $NOW >/dev/null
# A lead whose name carries an escape sequence (clear screen) and a Japanese one.
printf '%s\n' \
  '{"id":"evil1","type":"form_submit","at":"2026-12-01T08:00:00Z","lead":"EVIL","email":"e@example.com","name":"Evil\u001b[2JName","company":"株式会社テスト"}' \
  '{"id":"evil2","type":"demo_request","at":"2026-12-01T08:00:01Z","lead":"EVIL"}' | "$BIN" ingest --db d.db >/dev/null

source "$CI_DIR/tmux.sh"

# The SDR with the most MQLs in the demo acts in the queue.
rep=$("$BIN" leads --db d.db --stage mql --json --now $NOW | python3 -c '
import json, sys, collections
owners = collections.Counter(r["owner"] for r in json.load(sys.stdin) if r["owner"])
print(owners.most_common(1)[0][0])')
echo "    acting as $rep"
tmux new-session -d -s lb -x 120 -y 40 "$BIN board --db d.db --now $NOW --as $rep"
check "the board opens with its columns" wait_for lb "Marketing-qualified"
check "the status line lists keys" wait_for lb "? every key"
tmux send-keys -t lb 2
check "2 shows the queue" wait_for lb "MQLs for $rep"
tmux send-keys -t lb 3
check "3 shows the alerts" wait_for lb "MQL → SAL: handed over"
check "the escape sequence in a name is shown inert" wait_for lb "Evil␛[2JName"
tmux send-keys -t lb 5
check "5 shows the reports: funnel against the seed's ranges" wait_for lb "Funnel: entries per stage"
check "and velocity against the benchmarks" wait_for lb "Velocity: median days in stage"
tmux send-keys -t lb b
check "b splits the reports by source" wait_for lb "by source"
tmux send-keys -t lb 1 Enter
check "Enter opens a lead" wait_for lb "Score ledger"
tmux send-keys -t lb Escape '?'
check "? shows every key" wait_for lb "Keys (esc)"
tmux send-keys -t lb Escape 2
wait_for lb "MQLs for $rep" >/dev/null
tmux send-keys -t lb a
check "a accepts: the status line says so" wait_for lb "accept done"
accepted=$("$BIN" leads --db d.db --stage sal --owner $rep --json --now $NOW | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
check "the store has the rep's new SAL" test "$accepted" -ge 1
tmux send-keys -t lb r
check "r asks for a recycle reason" wait_for lb "Recycle: reason"
tmux send-keys -t lb j Enter
check "the recycle is confirmed" wait_for lb "recycle done"
check "show --json confirms a recycled lead with reason not_ready" bash -c "
  '$BIN' leads --db d.db --stage known --json --now $NOW | python3 -c '
import json, sys, subprocess
ids = [r[\"id\"] for r in json.load(sys.stdin)]
found = False
for i in ids:
    d = json.loads(subprocess.check_output([\"$BIN\", \"show\", i, \"--db\", \"d.db\", \"--json\", \"--now\", \"$NOW\"]))
    if any(e.get(\"type\") == \"recycled\" and e.get(\"reason\") == \"not_ready\" and str(e.get(\"id\", \"\")).startswith(\"tui-\") for e in d[\"timeline\"]):
        found = True
        break
assert found, \"no lead recycled from the TUI\"
'"
tmux send-keys -t lb q
sleep 0.3
check "q quits" bash -c "! tmux has-session -t lb 2>/dev/null || ! pgrep -f 'board --db d.db' >/dev/null"

# A manager's board and an SDR's queue side by side: an accept shows on the board within 1 s.
tmux new-session -d -s two -x 170 -y 40 "$BIN board --db d.db --now $NOW"
tmux split-window -h -t two "$BIN board --db d.db --now $NOW --as $rep --view queue"
check "board pane ready" wait_for two.0 "Marketing-qualified"
check "queue pane ready" wait_for two.1 "MQLs for $rep"
before=$(column_count two.0 Marketing-qualified)
tmux send-keys -t two.1 a
t0=$(date +%s%N)
after=$before
while [ "$after" = "$before" ] && [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 3000 ]; do
  sleep 0.05
  after=$(column_count two.0 Marketing-qualified)
done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "    MQL column $before → $after after ${ms} ms"
check "the accept shows on the other board within 1 s" test "$after" = "$((before - 1))" -a "$ms" -le 1000
tmux kill-session -t two

# SIGTERM restores the terminal exactly (stty -g before and after).
tmux new-session -d -s sig -x 120 -y 40 "bash -c 'stty -g > before.stty; $BIN board --db d.db --now $NOW --view alerts; stty -g > after.stty; sleep 5'"
check "board under a shell" wait_for sig "MQL → SAL"
pkill -TERM -f -- "^$BIN board" || true
for i in $(seq 1 50); do [ -s after.stty ] && break; sleep 0.1; done
check "SIGTERM leaves the terminal as it was" bash -c "test -s after.stty && cmp -s before.stty after.stty"
tmux kill-session -t sig 2>/dev/null || true

# Resize to 30×10 and back: no crash, no stale cells (the screen equals a fresh one).
tmux new-session -d -s rs -x 120 -y 40 "$BIN board --db d.db --now $NOW --as sato"
tmux new-session -d -s fresh -x 120 -y 40 "$BIN board --db d.db --now $NOW --as sato"
check "resize pane ready" wait_for rs "Marketing-qualified"
tmux resize-window -t rs -x 30 -y 10
check "30×10 asks for a bigger terminal" wait_for rs "60×16"
tmux resize-window -t rs -x 120 -y 40
check "back at 120×40" wait_for rs "Marketing-qualified"
sleep 0.5
check "no stale cells: equal to a fresh screen" bash -c "diff <(tmux -L $SOCK capture-pane -p -t rs) <(tmux -L $SOCK capture-pane -p -t fresh)"
check "still running" tmux has-session -t rs
tmux kill-session -t rs; tmux kill-session -t fresh

# NO_COLOR: no colour escapes at all.
tmux new-session -d -s nc -x 120 -y 40 "NO_COLOR=1 $BIN board --db d.db --now $NOW"
check "NO_COLOR board ready" wait_for nc "Marketing-qualified"
tmux capture-pane -e -p -t nc > nocolor.txt
tmux new-session -d -s co -x 120 -y 40 "$BIN board --db d.db --now $NOW"
wait_for co "Marketing-qualified" >/dev/null
tmux capture-pane -e -p -t co > color.txt
colour='\[([0-9;]*;)?(3[0-7]|38|4[0-7]|48|9[0-7]|10[0-7])(;[0-9]+)*m'
check "with colour, the capture does have colour escapes (the probe works)" grep -qE "$colour" color.txt
check "NO_COLOR output has no colour escapes" bash -c "! grep -qE '$colour' nocolor.txt"
tmux kill-session -t nc
check "TERM=dumb gives a clear message and exit 2" bash -c "TERM=dumb script -qc '$BIN board --db d.db' /dev/null | grep -q 'cannot show the board'"
finish
