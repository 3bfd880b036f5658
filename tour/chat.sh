#!/bin/sh
# tour/chat.sh — the group chat room (群聊聊天室), scripted: start
# day6/chat/chat_server, log bob and alice in with day6/chat/chat_client,
# let them talk, type an announcement on the server's stdin, let them leave (quit,
# then Ctrl-D), stop the server. Each step waits for the line it expects
# (at most 5 s), so the tour never hangs and the order is always the same.
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tour-chat.XXXXXX") || exit 1
ALICE_PID="" BOB_PID=""
# On the way out, also after a failed step: end whatever still runs.
cleanup() {
    for pid in $ALICE_PID $BOB_PID $SERVER_PID; do
        kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
mkfifo "$tmp/admin" "$tmp/alice" "$tmp/bob" || exit 1

# wait_for FILE TEXT: wait (at most 5 s) until FILE has a line containing TEXT.
wait_for() {
    tries=0
    until grep -qF -- "$2" "$1" 2>/dev/null; do
        tries=$((tries + 1))
        if [ $tries -gt 100 ]; then
            echo "tour: no '$2' in $1 after 5 s"
            return 1
        fi
        sleep 0.05
    done
}

# The server's stdin is a FIFO we keep open (read-write, so opening it
# never blocks): whatever we write to fd 3 is typed at the server.
exec 3<>"$tmp/admin"
SERVER_STDIN=$tmp/admin start_server day6/chat/chat_server || exit 1

# start_user NAME FD: run chat_client -n NAME, its stdin a FIFO held on FD.
start_user() {
    "$BUILD/day6/chat/chat_client" -p "$PORT" -n "$1" <"$tmp/$1" >"$tmp/$1.out" 2>&1 3>&- 4>&- 5>&- &
}
exec 5<>"$tmp/bob"
start_user bob
BOB_PID=$!
wait_for "$tmp/bob.out" "you are in the room" || exit 1
echo "bob is in the room"
exec 4<>"$tmp/alice"
start_user alice
ALICE_PID=$!
wait_for "$tmp/bob.out" "alice joined" || exit 1
echo "alice is in the room; bob was told 'alice joined'"

echo "alice types: hello bob" && echo "hello bob" >&4
wait_for "$tmp/bob.out" "alice: hello bob" || exit 1
echo "bob types: hi alice, 你好" && echo "hi alice, 你好" >&5
wait_for "$tmp/alice.out" "bob: hi alice" || exit 1
echo "the server's operator types: class starts in 5 minutes"
echo "class starts in 5 minutes" >&3
wait_for "$tmp/alice.out" "admin: class starts" && wait_for "$tmp/bob.out" "admin: class starts" || exit 1

echo "alice types: quit" && echo "quit" >&4
wait "$ALICE_PID"
alice_status=$?
ALICE_PID=""
wait_for "$tmp/bob.out" "alice left" || exit 1
echo "bob presses Ctrl-D (end of input)" && exec 5>&-
wait "$BOB_PID"
bob_status=$?
BOB_PID=""

echo "(alice's client exited with status $alice_status; it printed:)"
sed 's/^/  alice| /' "$tmp/alice.out"
echo "(bob's client exited with status $bob_status; it printed:)"
sed 's/^/  bob| /' "$tmp/bob.out"
stop_server
server_status=$?
SERVER_PID=""
[ "$server_status" -eq 0 ] && [ "$alice_status" -eq 0 ] && [ "$bob_status" -eq 0 ]
