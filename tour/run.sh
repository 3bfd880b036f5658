#!/bin/sh
# tour/run.sh BUILD — the guided tour: run each lesson listed in
# tour/tour.txt, in course order, with a header before each. Every step is
# bounded by a timeout; a failing step is reported and the tour goes on;
# the exit status says whether every step passed.
#
# A line of tour.txt is:  PROGRAM [ARGS...] | CAPTION
#   PROGRAM is a built program (day5/fork, run as BUILD/day5/fork) or a
#   tour script (tour/NAME.sh, run with sh; see tour/lib.sh for servers).
BUILD=${1:-build}
export BUILD
list=$(dirname "$0")/tour.txt
step_limit=${TOUR_STEP_TIMEOUT:-30}

total=$(grep -cv -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$list")
if [ "$total" -eq 0 ]; then
    echo "tour: the tour list is empty (tour/tour.txt) — nothing to show yet"
    exit 0
fi

n=0
failed=""
# read from fd 3, so the lessons get /dev/null as stdin, not the list
while IFS= read -r line <&3; do
    case "$line" in '' | '#'*) continue ;; esac
    n=$((n + 1))
    command=${line%% | *}
    caption=${line#* | }
    [ "$caption" = "$line" ] && caption=""
    set -- $command
    program=$1
    shift
    echo
    echo "==== [$n/$total] $command — $caption"
    case "$program" in
        tour/*) timeout -k 2 "$step_limit" sh "$program" "$@" </dev/null ;;
        *)      timeout -k 2 "$step_limit" "$BUILD/$program" "$@" </dev/null ;;
    esac
    rc=$?
    if [ $rc -ne 0 ]; then
        if [ $rc -eq 124 ]; then why="stopped after ${step_limit}s"; else why="exit status $rc"; fi
        echo "---- step $n FAILED: $program ($why)"
        failed="$failed $n"
    fi
done 3<"$list"

echo
if [ -n "$failed" ]; then
    echo "tour: $n steps, failed:$failed"
    exit 1
fi
echo "tour: all $n steps passed"
