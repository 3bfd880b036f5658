#!/bin/sh
# tour/echo.sh PROGRAM [FLAGS...] — show one echo server at work: start it,
# talk to it with echo_client (a few lines by hand, then a scripted run of
# several clients at once), stop it and show what it printed.
#   sh tour/echo.sh day9/fork_server
#   sh tour/echo.sh day10/epoll_server -e
#   sh tour/echo.sh day9/udp_server          (UDP: echo_client -u)
. "$(dirname "$0")/lib.sh"

program=$1
start_server "$@" || exit 1
client="$BUILD/day9/echo_client"
status=0

if [ "$program" = day9/udp_server ]; then
    echo "\$ printf 'hello\\\\nworld\\\\n' | echo_client -u -p $PORT"
    printf 'hello\nworld\n' | "$client" -u -p "$PORT" || status=1
else
    echo "\$ printf 'hello\\\\nworld\\\\n' | echo_client -p $PORT"
    printf 'hello\nworld\n' | "$client" -p "$PORT" || status=1
    echo "\$ echo_client -p $PORT -c 4 -n 500 -s 1000      # 4 clients at once"
    "$client" -p "$PORT" -c 4 -n 500 -s 1000 || status=1
fi

stop_server || status=1
exit $status
