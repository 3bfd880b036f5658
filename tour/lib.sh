# tour/lib.sh — helpers for tour scripts that show a server at work.
# Source it from a tour script:
#
#     . tour/lib.sh
#     start_server day9/loop_server          # sets SERVER_PID and PORT
#     "$BUILD/day9/echo_client" -p "$PORT" -n 3
#     stop_server                            # SIGTERM, then shows its output
#
# BUILD is set by tour/run.sh (default build).
BUILD=${BUILD:-build}
SERVER_LOG=""
SERVER_PID=""
PORT=""

# start_server PROGRAM [ARGS...]: run BUILD/PROGRAM -p 0 ARGS in the
# background, wait (at most 5 s) for its "listening on ADDR:PORT" line.
# Its stdin is /dev/null, or the file named by SERVER_STDIN (e.g. a FIFO
# the script writes to, for a server that reads its stdin).
start_server() {
    program=$1
    shift
    SERVER_LOG=$(mktemp "${TMPDIR:-/tmp}/tour-server.XXXXXX")
    "$BUILD/$program" -p 0 "$@" >"$SERVER_LOG" 2>&1 <"${SERVER_STDIN:-/dev/null}" &
    SERVER_PID=$!
    tries=0
    while :; do
        line=$(grep -m1 '^listening on ' "$SERVER_LOG")
        [ -n "$line" ] && break
        tries=$((tries + 1))
        if [ $tries -gt 100 ] || ! kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "tour: $program did not start:"
            cat "$SERVER_LOG"
            return 1
        fi
        sleep 0.05
    done
    PORT=${line##*:}
    echo "(started $program: $line)"
}

# stop_server: SIGTERM, wait at most 5 s (then SIGKILL), print what the
# server wrote, and fail unless it exited with status 0.
stop_server() {
    kill -TERM "$SERVER_PID" 2>/dev/null
    tries=0
    while kill -0 "$SERVER_PID" 2>/dev/null && [ $tries -lt 100 ]; do
        sleep 0.05
        tries=$((tries + 1))
    done
    kill -KILL "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID"
    status=$?
    echo "(stopped the server: exit status $status; it printed:)"
    sed 's/^/  server| /' "$SERVER_LOG"
    rm -f "$SERVER_LOG"
    return $status
}
