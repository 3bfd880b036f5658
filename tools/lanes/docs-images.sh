#!/bin/sh
# tools/lanes/docs-images.sh [BUILD] — redraw the charts the docs embed
# (docs/img/lanes-*.svg) from real runs of the lessons under lanes.
#   make && sh tools/lanes/docs-images.sh
# The servers each serve the same three clients (echo_client -c 3), then
# get SIGTERM through lanes.
BUILD=${1:-build}
LANES="$BUILD/tools/lanes"
OUT=docs/img
mkdir -p "$OUT"
status=0

draw() { # draw NAME PROGRAM [ARGS...]
    name=$1
    shift
    prog=$1
    shift
    "$LANES" -q -s "$OUT/lanes-$name.svg" -- "$BUILD/$prog" "$@" >/dev/null </dev/null ||
        { echo "docs-images: $prog $* failed"; status=1; }
}

serve() { # serve NAME SERVER: three clients, then SIGTERM
    name=$1
    log=$(mktemp "${TMPDIR:-/tmp}/lanes-img.XXXXXX")
    "$LANES" -q -s "$OUT/lanes-$name.svg" -- "$BUILD/$2" -p 0 >"$log" </dev/null &
    pid=$!
    tries=0
    until grep -q '^listening on ' "$log"; do
        tries=$((tries + 1))
        [ $tries -gt 200 ] && { echo "docs-images: $2 did not start"; kill "$pid"; return 1; }
        sleep 0.05
    done
    port=$(sed -n 's/^listening on .*://p' "$log")
    "$BUILD/day9/echo_client" -p "$port" -c 3 -n 300 -s 1000 >/dev/null || status=1
    sleep 0.1
    kill -TERM "$pid"
    wait "$pid" || status=1
    rm -f "$log"
}

draw fork day5/fork
draw orphan day5/orphan
draw zombie day5/zombie
draw wait day6/wait
draw child day6/child
draw sigchld day6/sigchld -n 3
draw pool day7/pool
draw queue_0 day7/queue_0 -p v1 -n 6
draw thread_lock day8/thread_lock -n 20000
draw dead_lock day8/dead_lock --deadlock
serve fork_server day9/fork_server
serve thread_server day9/thread_server
serve epoll_server day10/epoll_server
exit $status
