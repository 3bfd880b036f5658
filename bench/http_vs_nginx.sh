#!/bin/sh
# bench/http_vs_nginx.sh — HTTPServer v2.0 (day10/http/http_server) against
# nginx and lighttpd, side by side, in one run on one machine.
#
#   sh bench/http_vs_nginx.sh [BUILD]          (after make; BUILD default build)
#
# Needs wrk, and nginx and/or lighttpd to compare with; strace for the
# syscall counts (Debian: apt-get install wrk nginx-light lighttpd strace).
# None of them is a project dependency: what is missing is skipped, with
# a message saying so. Every server gets one process and one core, no
# access log, sendfile on; the load generator runs on the other core.
#
# Measures, ROUNDS times DURATION seconds, the servers taking turns:
#   ka50      small file (index.html), keep-alive, 50 connections
#   ka200     the same with 200 connections
#   close50   a new connection per request (Connection: close), 50 at once
#   big10     a 1 MiB file, keep-alive, 10 connections
#   idle10k   IDLE idle keep-alive connections held open while 50 others
#             are served (the req/s of the 50), and the server's RSS then
#   syscalls  system calls per request (strace -c), keep-alive and close
# Each req/s figure comes with the server's CPU time per request (us/req,
# from /proc/PID/stat), and each figure with the 1-minute load average
# when it was taken: on a busy machine req/s is noise (us/req much less
# so); re-run it on a quiet one.
#
# Knobs: DURATION=5 ROUNDS=3 IDLE=10000 SERVER_CPU=0 CLIENT_CPU=1 PORT_BASE=18080
# Output: a table on stdout, BUILD/bench/http_vs_nginx.csv (the table) and
# BUILD/bench/http_vs_nginx-rounds.csv (every round).
set -u
BUILD=${1:-build}
DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
IDLE=${IDLE:-10000}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
PORT_BASE=${PORT_BASE:-18080}

have() { command -v "$1" >/dev/null 2>&1; }
PATH=$PATH:/usr/sbin:/sbin

if ! have wrk; then
    echo "http_vs_nginx: skipped: wrk is not installed (Debian: apt-get install wrk)"
    exit 0
fi
if [ ! -x "$BUILD/day10/http/http_server" ] || [ ! -x "$BUILD/day10/http/http_get" ]; then
    echo "http_vs_nginx: build the server first: make"
    exit 1
fi
servers=conclab
if have nginx; then servers="$servers nginx"; else
    echo "http_vs_nginx: nginx is not installed (apt-get install nginx-light): not compared"; fi
if have lighttpd; then servers="$servers lighttpd"; else
    echo "http_vs_nginx: lighttpd is not installed (apt-get install lighttpd): not compared"; fi
pin_server="" pin_client=""
if have taskset; then
    pin_server="taskset -c $SERVER_CPU"
    pin_client="taskset -c $CLIENT_CPU"
fi

# Descriptors for IDLE connections, in the servers and in the holder.
ulimit -n "$(ulimit -Hn)" 2>/dev/null
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((IDLE + 200)) ]; then
    IDLE=$(($(ulimit -n) - 200))
    echo "http_vs_nginx: the descriptor limit allows only IDLE=$IDLE idle connections"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/http-bench.XXXXXX") || exit 1
pids=""
cleanup() {
    for p in $pids; do kill -TERM "$p" 2>/dev/null; done
    for p in $pids; do wait "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# The docroot every server serves: the shipped index.html and 1 MiB of noise.
www=$tmp/www
mkdir -p "$www" "$tmp/ngx/logs" "$BUILD/bench"
cp day10/http/site/index.html "$www/index.html"
head -c 1048576 /dev/urandom >"$www/big.bin"
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -I. bench/http_idle.c "$BUILD/libcommon.a" \
    -o "$BUILD/bench/http_idle" || exit 1

port_of() {
    case $1 in conclab) echo "$PORT_BASE" ;; nginx) echo $((PORT_BASE + 1)) ;;
        lighttpd) echo $((PORT_BASE + 2)) ;; esac
}

start() {
    port=$(port_of "$1")
    case $1 in
    conclab)
        $pin_server "$BUILD/day10/http/http_server" -p "$port" -d "$www" -k 300 \
            >"$tmp/conclab.log" 2>&1 &
        ;;
    nginx)
        cat >"$tmp/nginx.conf" <<EOF
worker_processes 1;
master_process off;
daemon off;
error_log $tmp/ngx/logs/error.log;
pid $tmp/ngx/nginx.pid;
worker_rlimit_nofile $((IDLE + 1000));
events { worker_connections $((IDLE + 1000)); }
http {
    access_log off;
    sendfile on;
    keepalive_timeout 300s;
    keepalive_requests 1000000;
    types { text/html html; application/octet-stream bin; }
    server { listen 127.0.0.1:$port; root $www; }
}
EOF
        $pin_server nginx -c "$tmp/nginx.conf" -p "$tmp/ngx" >"$tmp/nginx.log" 2>&1 &
        ;;
    lighttpd)
        cat >"$tmp/lighttpd.conf" <<EOF
server.document-root = "$www"
server.bind = "127.0.0.1"
server.port = $port
server.max-fds = $((3 * IDLE + 1000))
server.max-connections = $((IDLE + 500))
server.max-keep-alive-requests = 1000000
server.max-keep-alive-idle = 300
server.errorlog = "$tmp/lighttpd.err"
mimetype.assign = (".html" => "text/html", ".bin" => "application/octet-stream")
EOF
        $pin_server lighttpd -D -f "$tmp/lighttpd.conf" >"$tmp/lighttpd.log" 2>&1 &
        ;;
    esac
    pid=$!
    pids="$pids $pid"
    eval "pid_$1=$pid"
    tries=0
    until "$BUILD/day10/http/http_get" -p "$port" /index.html >/dev/null 2>&1; do
        tries=$((tries + 1))
        if [ $tries -gt 100 ]; then
            echo "http_vs_nginx: $1 did not start:"
            cat "$tmp/$1.log" "$tmp/lighttpd.err" "$tmp/ngx/logs/error.log" 2>/dev/null
            exit 1
        fi
        sleep 0.1
    done
}

load() { cut -d' ' -f1 /proc/loadavg; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # utime + stime

# wrk_rate SERVER CONNECTIONS PATH [wrk args]: "REQ/S CPU" — requests per
# second, and the server's CPU time per request in microseconds (user and
# system time from /proc, which other programs on the machine disturb much
# less than they disturb req/s).
wrk_rate() {
    server=$1 conns=$2 path=$3
    shift 3
    eval "spid=\$pid_$server"
    t0=$(cpu_ticks "$spid")
    $pin_client wrk -t1 -c"$conns" -d"${DURATION}s" "$@" \
        "http://127.0.0.1:$(port_of "$server")$path" >"$tmp/wrk.out" 2>&1
    t1=$(cpu_ticks "$spid")
    if grep -q "Non-2xx\|Socket errors" "$tmp/wrk.out"; then
        grep "Non-2xx\|Socket errors" "$tmp/wrk.out" | sed "s/^/  ($server: /; s/$/)/" >&2
    fi
    awk -v t0="$t0" -v t1="$t1" -v hz="$(getconf CLK_TCK)" '
        /requests in/ { n = $1 }
        /^Requests\/sec/ { rps = $2 }
        END { if (n > 0) printf "%.0f %.1f", rps, (t1 - t0) * 1e6 / hz / n; else print "0 -" }' \
        "$tmp/wrk.out"
}

csv=$BUILD/bench/http_vs_nginx.csv
rounds_csv=$BUILD/bench/http_vs_nginx-rounds.csv
echo "scenario,server,value,unit,load" >"$csv"
echo "scenario,server,round,req_per_s,cpu_us_per_req,load" >"$rounds_csv"
row() { # SCENARIO UNIT value-per-server...: print a row, append to the CSV
    scenario=$1 unit=$2
    shift 2
    line=$(printf "%-9s %-7s" "$scenario" "$unit")
    for s in $servers; do
        v=$1 l=$2
        shift 2
        line="$line$(printf " %16s" "$v (${l})")"
        echo "$scenario,$s,$v,$unit,$l" >>"$csv"
    done
    echo "$line"
}

for s in $servers; do start "$s"; done
echo "HTTPServer v2.0 against $(echo "$servers" | cut -d' ' -f2-): $ROUNDS rounds of ${DURATION}s," \
    "server on cpu $SERVER_CPU, wrk on cpu $CLIENT_CPU, $(nproc) cpus"
echo "each figure: the median of the rounds (the median 1-minute load average then);"
echo "us/req: the server's CPU time per request (user + system), less disturbed by load"
header=$(printf "%-9s %-7s" scenario unit)
for s in $servers; do header="$header$(printf " %16s" "$s")"; done
echo "$header"

# The middle one of the numbers on stdin.
median() {
    tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ v[NR] = $1 }
        END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2];
              else printf "%.1f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# measure SCENARIO CONNECTIONS PATH [wrk args]: ROUNDS rounds, the servers
# taking turns within each round (so each sees the same noise); prints the
# median req/s and the median CPU per request.
measure() {
    scenario=$1
    shift
    for s in $servers; do eval "r_$s='' c_$s='' l_$s=''"; done
    round=1
    while [ $round -le "$ROUNDS" ]; do
        for s in $servers; do
            l=$(load)
            # shellcheck disable=SC2046
            set -- $(wrk_rate "$s" "$@") "$@"
            echo "$scenario,$s,$round,$1,$2,$l" >>"$rounds_csv"
            eval "r_$s=\"\$r_$s $1\" c_$s=\"\$c_$s $2\" l_$s=\"\$l_$s $l\""
            shift 2
        done
        round=$((round + 1))
    done
    rates="" cpus=""
    for s in $servers; do
        eval "rv=\$(echo \$r_$s | median) cv=\$(echo \$c_$s | median) lv=\$(echo \$l_$s | median)"
        rates="$rates $rv $lv"
        cpus="$cpus $cv $lv"
    done
    # shellcheck disable=SC2086
    row "$scenario" req/s $rates
    # shellcheck disable=SC2086
    row "$scenario" us/req $cpus
}
measure ka50 50 /index.html
measure ka200 200 /index.html
measure close50 50 /index.html -H "Connection: close"
measure big10 10 /big.bin

# Many idle keep-alive connections held while 50 others are served (one
# round). lighttpd needs two descriptors per connection.
rates="" rss=""
for s in $servers; do
    l=$(load)
    limit=$(ulimit -n)
    if [ "$s" = lighttpd ] && [ "$limit" != unlimited ] && [ "$limit" -lt $((2 * IDLE + 200)) ]; then
        echo "  (lighttpd: skipped, it needs 2 descriptors a connection: ulimit -n $limit)" >&2
        rates="$rates - $l"
        rss="$rss - $l"
        continue
    fi
    mkfifo "$tmp/hold"
    "$BUILD/bench/http_idle" -p "$(port_of "$s")" -n "$IDLE" <"$tmp/hold" >"$tmp/hold.out" 2>&1 &
    holder=$!
    exec 3>"$tmp/hold" # keeps the holder's stdin open: closing it ends the holder
    tries=0
    while ! grep -q holding "$tmp/hold.out" && kill -0 $holder 2>/dev/null && [ $tries -lt 600 ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
    l=$(load)
    if grep -q holding "$tmp/hold.out"; then
        v=$(wrk_rate "$s" 50 /index.html)
        eval "r=\$(rss_kb \$pid_$s)"
        rates="$rates ${v%% *} $l"
        rss="$rss $((r / 1024))MB $l"
    else
        echo "  ($s: could not hold $IDLE connections: $(cat "$tmp/hold.out"))" >&2
        rates="$rates failed $l"
        rss="$rss - $l"
    fi
    exec 3>&-
    wait $holder 2>/dev/null
    rm -f "$tmp/hold"
done
# shellcheck disable=SC2086
row "idle${IDLE}" req/s $rates
# shellcheck disable=SC2086
row "idle${IDLE}" RSS $rss

# System calls per request, counted by strace (which slows the server
# down a lot: only the counts mean something here, not the speed).
if have strace; then
    for mode in keep-alive close; do
        args=""
        for s in $servers; do
            eval "p=\$pid_$s"
            strace -f -c -p "$p" -o "$tmp/strace.out" 2>/dev/null &
            tracer=$!
            sleep 0.5
            extra=""
            [ $mode = close ] && extra="Connection: close"
            $pin_client wrk -t1 -c50 -d3s ${extra:+-H "$extra"} \
                "http://127.0.0.1:$(port_of "$s")/index.html" >"$tmp/wrk.out" 2>&1
            kill -INT $tracer
            wait $tracer 2>/dev/null
            requests=$(awk '/requests in/ {print $1}' "$tmp/wrk.out")
            calls=$(awk '/total$/ {print $4}' "$tmp/strace.out")
            per=$(awk -v c="${calls:-0}" -v r="${requests:-0}" 'BEGIN {if (r > 0) printf "%.2f", c / r; else print "-"}')
            args="$args $per $(load)"
            cp "$tmp/strace.out" "$BUILD/bench/strace-$s-$mode.txt"
        done
        # shellcheck disable=SC2086
        row "sys-$mode" calls/rq $args
    done
    echo "(strace -c tables: $BUILD/bench/strace-SERVER-MODE.txt)"
else
    echo "http_vs_nginx: strace is not installed: no syscall counts (apt-get install strace)"
fi
echo "CSV: $csv"
