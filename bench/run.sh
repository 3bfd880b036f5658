#!/bin/sh
# bench/run.sh [BUILD] — what `make bench` runs: the concurrency-models
# shoot-out (build/bench/shootout, from bench/shootout.c) and, in a full
# run, the FTP comparison (bench/ftp_vs_vsftpd.sh, needs curl; vsftpd only
# where installed).
#
#   make bench            the full run (at most about 10 minutes)
#   make bench QUICK=1    about a minute, for a class
#   SECTIONS=echo,c10k make bench      only some sections
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
[ -n "$SECTIONS" ] && set -- "$@" -w "$SECTIONS"
mkdir -p "$BUILD/bench" || exit 1
rm -f "$BUILD/bench/ftp.csv"
if [ -z "$QUICK$SMALL$SECTIONS" ]; then
    # ftp_vs_vsftpd.sh measures with curl (and vsftpd, if installed); files
    # in memory (/dev/shm) so the disk does not decide.
    shm=/dev/shm
    [ -d "$shm" ] && [ -w "$shm" ] || shm=${TMPDIR:-/tmp}
    TMPDIR=$shm SIZE_MB=${SIZE_MB:-256} RUNS=${RUNS:-1} SESSIONS=${SESSIONS_FTP:-20} \
        sh bench/ftp_vs_vsftpd.sh "$BUILD" || echo "bench ftp: failed (status $?)"
else
    echo "bench ftp: only in the full run (make bench), or: sh bench/ftp_vs_vsftpd.sh"
fi
exec "$BUILD/bench/shootout" "$@"
