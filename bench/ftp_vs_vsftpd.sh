#!/bin/sh
# bench/ftp_vs_vsftpd.sh [BUILD] — day9's ftp_server measured against vsftpd,
# on this machine, in one run, with a standard client (curl):
#
#   1. download of a 1 GiB file over loopback (median of RUNS)
#   2. upload of a 256 MiB file (median of RUNS)
#      (the servers take turns: round 1 gives each server one download and
#      one upload, then round 2...; so a busy moment of the machine falls
#      on all of them, not on whichever server was measured then)
#   3. 100 simultaneous sessions, each uploading 2 MiB at 256 KiB/s (8 s,
#      so they overlap; curl paces uploads, not loopback downloads): how
#      many succeed, and the most ftp_server saw running at once
#
# for ftp_server -m fork, ftp_server -m thread and vsftpd. curl and vsftpd
# are only for measuring: make and make test never need them. Without curl
# the benchmark is skipped; without vsftpd (or without root, which vsftpd
# needs to run its sessions as the "ftp" user) only ftp_server is measured.
# Install them with: apt-get install curl vsftpd
#
# Settings (environment): SIZE_MB (download, default 1024), UP_MB (upload,
# 256), RUNS (3), SESSIONS (100; 0: none),
# VSFTPD_PORT (2221). Results: a table, BUILD/bench/ftp.csv (the medians)
# and BUILD/bench/ftp-rounds.csv (every round, to see the spread). Other work
# on the machine skews the figures: the load is printed next to them.
# The files live under TMPDIR (default /tmp): on a disk, upload figures
# swing with the writeback of the previous run's gigabyte; with
# TMPDIR=/dev/shm (in memory) they measure the servers, not the disk.
BUILD=${1:-build}
SIZE_MB=${SIZE_MB:-1024}
UP_MB=${UP_MB:-256}
RUNS=${RUNS:-3}
SESSIONS=${SESSIONS:-100}
VSFTPD_PORT=${VSFTPD_PORT:-2221}
SERVER="$BUILD/day9/ftp/ftp_server"
# Pinned where there are two CPUs or more, as make bench pins its servers
# and as issue 13's goals were set: the servers (and every session they
# fork or start) on CPU 0, the timed curl transfers on the last CPU, so
# the server's core is its own and curl never shares it.
ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
client_cpu=$((ncpu - 1))
pin_server="" pin_client=""
if command -v taskset >/dev/null 2>&1 && [ "$ncpu" -ge 2 ]; then
    pin_server="taskset -c 0"
    pin_client="taskset -c $client_cpu"
fi

if ! command -v curl >/dev/null 2>&1; then
    echo "bench ftp: skipped, curl is not installed (only for measuring: apt-get install curl)"
    exit 0
fi
if [ ! -x "$SERVER" ]; then
    echo "bench ftp: $SERVER is missing: run make first"
    exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-ftp.XXXXXX") || exit 1
chmod 755 "$work"
pids=""
cleanup() {
    for p in $pids; do kill -TERM "$p" 2>/dev/null; done
    for p in $pids; do wait "$p" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# The library: big.bin (SIZE_MB), small.bin (2 MiB), and up/ for uploads
# (vsftpd refuses a writable anonymous root, so uploads go one level down).
root="$work/root"
mkdir -p "$root/up"
chmod 755 "$root"
chmod 777 "$root/up"
echo "preparing a ${SIZE_MB} MiB file..."
dd if=/dev/zero of="$root/big.bin" bs=1048576 count="$SIZE_MB" 2>/dev/null || exit 1
dd if=/dev/zero of="$work/up.bin" bs=1048576 count="$UP_MB" 2>/dev/null || exit 1
dd if=/dev/urandom of="$root/small.bin" bs=1048576 count=2 2>/dev/null || exit 1
cat "$root/big.bin" >/dev/null # in the page cache, for every server alike

# start_ours MODE: ftp_server -m MODE on a free port; sets PORT and LOG.
start_ours() {
    LOG="$work/ftp_server-$1.log"
    $pin_server "$SERVER" -p 0 -d "$root" -m "$1" -c $((SESSIONS > 10 ? SESSIONS : 10)) >"$LOG" 2>&1 &
    pids="$pids $!"
    PORT=""
    for _ in $(seq 100); do
        PORT=$(sed -n '1s/^listening on .*://p' "$LOG")
        [ -n "$PORT" ] && return 0
        sleep 0.05
    done
    echo "bench ftp: ftp_server -m $1 did not start:"
    cat "$LOG"
    return 1
}

# start_vsftpd: vsftpd on VSFTPD_PORT, anonymous, serving the same folder.
start_vsftpd() {
    VSFTPD=$(command -v vsftpd || ls /usr/sbin/vsftpd 2>/dev/null)
    if [ -z "$VSFTPD" ]; then
        echo "bench ftp: vsftpd is not installed: measuring ftp_server only (apt-get install vsftpd)"
        return 1
    fi
    if [ "$(id -u)" -ne 0 ] || ! id ftp >/dev/null 2>&1; then
        echo "bench ftp: vsftpd needs root and an 'ftp' user: measuring ftp_server only"
        return 1
    fi
    mkdir -p /var/run/vsftpd/empty
    # a free port: VSFTPD_PORT or the next one nobody listens on
    while ss -ltn 2>/dev/null | grep -q "[:.]$VSFTPD_PORT "; do
        VSFTPD_PORT=$((VSFTPD_PORT + 1))
    done
    cat >"$work/vsftpd.conf" <<EOF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$VSFTPD_PORT
background=NO
anonymous_enable=YES
local_enable=NO
anon_root=$root
no_anon_password=YES
write_enable=YES
anon_upload_enable=YES
anon_umask=022
pasv_enable=YES
seccomp_sandbox=NO
secure_chroot_dir=/var/run/vsftpd/empty
xferlog_enable=NO
max_clients=0
max_per_ip=0
EOF
    $pin_server "$VSFTPD" "$work/vsftpd.conf" >"$work/vsftpd.log" 2>&1 &
    pids="$pids $!"
    for _ in $(seq 100); do
        curl -s --max-time 2 "ftp://127.0.0.1:$VSFTPD_PORT/" >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    echo "bench ftp: vsftpd did not start on port $VSFTPD_PORT (set VSFTPD_PORT):"
    cat "$work/vsftpd.log"
    return 1
}

# speed SPEED_VAR CURL-ARGS...: one curl transfer's speed, in MiB/s.
speed() {
    var=$1
    shift
    $pin_client curl -s --max-time 300 -w "%{$var}\n" "$@" |
        awk '{ printf "%.0f\n", $1 / 1048576 }' | grep . || echo 0
}

# median FILE: the median of the numbers in FILE, one per line.
median() {
    sort -n "$1" | awk '{ s[NR] = $1 }
        END { printf "%.0f", NR % 2 ? s[(NR + 1) / 2] : (s[NR / 2] + s[NR / 2 + 1]) / 2 }'
}

# sessions PORT: SESSIONS curl downloads at once; prints "OK SECONDS".
sessions() {
    start=$(date +%s.%N)
    clients=""
    i=0
    while [ $i -lt "$SESSIONS" ]; do
        curl -s --max-time 120 --limit-rate 256K -T "$root/small.bin" -w '%{size_upload}\n' \
            "ftp://127.0.0.1:$1/up/session-$i.bin" >"$work/s.$i" 2>&1 &
        clients="$clients $!"
        i=$((i + 1))
    done
    for p in $clients; do wait "$p"; done
    end=$(date +%s.%N)
    ok=$(cat "$work"/s.* | grep -c '^2097152$')
    rm -f "$work"/s.* "$root"/up/session-*.bin
    echo "$ok $(echo "$start $end" | awk '{ printf "%.1f", $2 - $1 }')"
}

# port_of N, log_of N: server N's port, and its log ("" for vsftpd).
port_of() {
    case $1 in fork) echo "$PORT_fork" ;; thread) echo "$PORT_thread" ;; *) echo "$VSFTPD_PORT" ;; esac
}
log_of() {
    case $1 in fork) echo "$LOG_fork" ;; thread) echo "$LOG_thread" ;; *) echo "" ;; esac
}

# one_round ROUND: each server started (NAMES) downloads and uploads once;
# the speeds go to $work/down.N and $work/up.N.
one_round() {
    for n in $NAMES; do
        port=$(port_of "$n")
        down=$(speed speed_download -o /dev/null "ftp://127.0.0.1:$port/big.bin")
        up=$(speed speed_upload -T "$work/up.bin" "ftp://127.0.0.1:$port/up/$1.bin")
        rm -f "$root/up/$1.bin" # (vsftpd does not overwrite for anonymous)
        echo "$down" >>"$work/down.$n"
        echo "$up" >>"$work/up.$n"
        echo "$n,$1,$down,$up" >>"$rounds_csv" # every round: the spread
    done
}

# report N NAME: server N's row: the medians, then its sessions test.
report() {
    port=$(port_of "$1") log=$(log_of "$1")
    down=$(median "$work/down.$1")
    up=$(median "$work/up.$1")
    down_best=$(sort -n "$work/down.$1" | tail -1)
    up_best=$(sort -n "$work/up.$1" | tail -1)
    set -- "$2" 0 0
    # shellcheck disable=SC2046 # (two words: how many succeeded, seconds)
    [ "$SESSIONS" -gt 0 ] && set -- "$1" $(sessions "$port")
    peak="-"
    [ -n "$log" ] && peak=$(sed -n 's/.*(\([0-9]*\) running)$/\1/p' "$log" | sort -n | tail -1)
    printf '%-22s %12s %12s %14s %8s %6s\n' "$1" "$down ($down_best)" "$up ($up_best)" \
        "$2/$SESSIONS" "$3 s" "$peak"
    echo "$1,$down,$up,$2,$SESSIONS,$3,$peak,$down_best,$up_best" >>"$csv"
}

mkdir -p "$BUILD/bench"
csv="$BUILD/bench/ftp.csv"
echo "server,download_MiBps,upload_MiBps,sessions_ok,sessions,sessions_seconds,peak_running,download_best_MiBps,upload_best_MiBps" >"$csv"
rounds_csv="$BUILD/bench/ftp-rounds.csv"
echo "server,round,download_MiBps,upload_MiBps" >"$rounds_csv"
echo "load before: $(uptime)"
echo "download ${SIZE_MB} MiB, upload ${UP_MB} MiB (files in $work), with curl, median of $RUNS; sessions: $SESSIONS x 2 MiB uploads at 256 KiB/s"
if [ -n "$pin_server" ]; then
    echo "servers pinned to CPU 0, curl to CPU $client_cpu"
else
    echo "not pinned (one CPU, or no taskset)"
fi
start_ours fork || exit 1
PORT_fork=$PORT LOG_fork=$LOG
start_ours thread || exit 1
PORT_thread=$PORT LOG_thread=$LOG
NAMES="fork thread"
start_vsftpd && NAMES="$NAMES vsftpd"
for round in $(seq "$RUNS"); do
    echo "round $round of $RUNS: a download and an upload each, for$(echo " $NAMES" | sed 's/ /, /g; s/^,//')"
    one_round "$round"
done
echo "MiB/s: the median of the rounds, (the best round)"
printf '%-22s %12s %12s %14s %8s %6s\n' server "down MiB/s" "up MiB/s" "sessions ok" time peak
report fork "ftp_server -m fork"
report thread "ftp_server -m thread"
echo "$NAMES" | grep -q vsftpd && report vsftpd vsftpd &&
    awk -F, '$1 == "vsftpd" { vd = $2; vu = $3; bd = $8; bu = $9 }
        NR > 1 { d[$1] = $2; u[$1] = $3; b[$1] = $8; c[$1] = $9 }
        END { for (n in d) if (n != "vsftpd" && vd > 0 && vu > 0 && bd > 0 && bu > 0)
            printf "%s to vsftpd: download %.2fx, upload %.2fx (best rounds: %.2fx, %.2fx)\n",
                   n, d[n] / vd, u[n] / vu, b[n] / bd, c[n] / bu }' "$csv" | sort
echo "load after: $(uptime)"
echo "results: $csv (medians), $rounds_csv (every round)"
