#!/bin/sh
# bench/run.sh [BUILD] — what `make bench` runs: the concurrency-models
# shoot-out (build/bench/shootout, from bench/shootout.c) and the FTP
# comparison (bench/ftp_vs_vsftpd.sh, needs curl; vsftpd only
# where installed).
#
#   make bench            the full run (at most about 10 minutes)
#   make bench QUICK=1    about a minute, for a class
#   SECTIONS=echo,c10k make bench      only some sections (and ftp)
#   SMALL=1 make bench    the smallest run (what the smoke test runs)
#
# Results: tables on the terminal, BUILD/bench/*.csv, *.svg, index.html.
# Ctrl-C stops the run; every server it started is stopped.
set -u
BUILD=${1:-build}
QUICK=${QUICK:-}
SMALL=${SMALL:-}
SECTIONS=${SECTIONS:-}
[ "$QUICK" = 0 ] && QUICK=
[ "$SMALL" = 0 ] && SMALL=
set -- -b "$BUILD"
[ -n "$QUICK" ] && set -- "$@" -q
[ -n "$SMALL" ] && set -- "$@" -z
mkdir -p "$BUILD/bench" || exit 1
rm -f "$BUILD/bench/ftp.csv" "$BUILD/bench/ftp-rounds.csv"
# FTP: ftp_server against vsftpd (where installed), measured with curl by
# bench/ftp_vs_vsftpd.sh; files in memory (/dev/shm) so the disk does not
# decide. The full run: a 1 GiB download and a 256 MiB upload, median of 5
# rounds in which the servers take turns;
# QUICK=1: 64 MiB and 32 MiB, one run each, no paced sessions.
shm=/dev/shm
[ -d "$shm" ] && [ -w "$shm" ] || shm=${TMPDIR:-/tmp}
if [ -n "$SMALL" ] || { [ -n "$SECTIONS" ] && ! echo "$SECTIONS" | grep -q ftp; }; then
    echo "bench ftp: not in this run (make bench, or: sh bench/ftp_vs_vsftpd.sh)"
elif [ -n "$QUICK" ]; then
    echo "bench ftp: QUICK: a 64 MiB download and a 32 MiB upload, one run each"
    TMPDIR=$shm SIZE_MB=64 UP_MB=32 RUNS=1 SESSIONS=0 \
        sh bench/ftp_vs_vsftpd.sh "$BUILD" || echo "bench ftp: failed (status $?)"
else
    TMPDIR=$shm SIZE_MB=${SIZE_MB:-1024} UP_MB=${UP_MB:-256} RUNS=${RUNS:-5} \
        SESSIONS=${SESSIONS_FTP:-20} \
        sh bench/ftp_vs_vsftpd.sh "$BUILD" || echo "bench ftp: failed (status $?)"
fi
if [ -n "$SECTIONS" ]; then
    [ "$SECTIONS" = ftp ] && exit 0
    set -- "$@" -w "$(echo "$SECTIONS" | sed 's/,*ftp//; s/^,//')"
fi
exec "$BUILD/bench/shootout" "$@"
