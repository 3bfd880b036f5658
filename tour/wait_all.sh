#!/bin/sh
# tour/wait_all.sh PROGRAM [ARGS...] — run BUILD/PROGRAM and show its
# output only when every process writing to it is done. A shell (and the
# tour's timeout) waits for the program alone, so the lines of a child it
# left running (day5/orphan, day6/child) would land in the next step.
# Reading the output to its end waits for all of them. The exit status is
# the program's own.
BUILD=${BUILD:-build}
program=$1
shift
out=$("$BUILD/$program" "$@")
status=$?
printf '%s\n' "$out"
exit $status
