#!/bin/sh
# bench/ftp_vs_vsftpd.sh [BUILD] — day9's ftp_server measured against vsftpd,
# on this machine, in one run, with a standard client (curl):
#
#   1. download of a 1 GiB file over loopback (median of RUNS)
#   2. upload of a 256 MiB file (median of RUNS)
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
# VSFTPD_PORT (2221). Results: a table, and BUILD/bench/ftp.csv. Other work
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
    "$SERVER" -p 0 -d "$root" -m "$1" -c $((SESSIONS > 10 ? SESSIONS : 10)) >"$LOG" 2>&1 &
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
    "$VSFTPD" "$work/vsftpd.conf" >"$work/vsftpd.log" 2>&1 &
    pids="$pids $!"
    for _ in $(seq 100); do
        curl -s --max-time 2 "ftp://127.0.0.1:$VSFTPD_PORT/" >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    echo "bench ftp: vsftpd did not start on port $VSFTPD_PORT (set VSFTPD_PORT):"
    cat "$work/vsftpd.log"
    return 1
}

# median SPEED_VAR CURL-ARGS...: the median of RUNS curl speeds, in MiB/s.
median() {
    var=$1
    shift
    for i in $(seq "$RUNS"); do # RUN in a name: a new file each run
        # shellcheck disable=SC2001 # (vsftpd does not overwrite for anon)
        curl -s --max-time 300 -w "%{$var}\n" $(echo "$@" | sed "s/RUN/$i/") ||
            echo 0
    done | sort -n | awk '{ s[NR] = $1 / 1048576 }
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

# measure NAME PORT [LOG]: one row of results.
measure() {
    name=$1 port=$2 log=$3
    down=$(median speed_download -o /dev/null "ftp://127.0.0.1:$port/big.bin")
    up=$(median speed_upload -T "$work/up.bin" "ftp://127.0.0.1:$port/up/RUN.bin")
    rm -f "$root"/up/[0-9]*.bin
    set -- 0 0
    [ "$SESSIONS" -gt 0 ] && set -- $(sessions "$port")
    peak="-"
    [ -n "$log" ] && peak=$(sed -n 's/.*(\([0-9]*\) running)$/\1/p' "$log" | sort -n | tail -1)
    printf '%-22s %12s %12s %14s %8s %6s\n' "$name" "$down" "$up" "$1/$SESSIONS" "$2 s" "$peak"
    echo "$name,$down,$up,$1,$SESSIONS,$2,$peak" >>"$csv"
}

mkdir -p "$BUILD/bench"
csv="$BUILD/bench/ftp.csv"
echo "server,download_MiBps,upload_MiBps,sessions_ok,sessions,sessions_seconds,peak_running" >"$csv"
echo "load before: $(uptime)"
echo "download ${SIZE_MB} MiB, upload ${UP_MB} MiB (files in $work), with curl, median of $RUNS; sessions: $SESSIONS x 2 MiB uploads at 256 KiB/s"
printf '%-22s %12s %12s %14s %8s %6s\n' server "down MiB/s" "up MiB/s" "sessions ok" time peak
start_ours fork && measure "ftp_server -m fork" "$PORT" "$LOG"
start_ours thread && measure "ftp_server -m thread" "$PORT" "$LOG"
start_vsftpd && measure vsftpd "$VSFTPD_PORT" "" &&
    awk -F, '$1 == "vsftpd" { vd = $2; vu = $3 } NR > 1 { d[$1] = $2; u[$1] = $3 }
        END { for (n in d) if (n != "vsftpd" && vd > 0 && vu > 0)
            printf "%s to vsftpd: download %.2fx, upload %.2fx\n",
                   n, d[n] / vd, u[n] / vu }' "$csv" | sort
echo "load after: $(uptime)"
echo "results: $csv"
