#!/bin/sh
# tour/lanes.sh PROGRAM [ARGS...] — run BUILD/PROGRAM under the lanes tracer
# (tools/lanes, docs/lanes.md): its output as usual, then its processes
# and threads drawn as lanes (lanes writes to stderr; shown here in order).
BUILD=${BUILD:-build}
program=$1
shift
exec "$BUILD/tools/lanes" -- "$BUILD/$program" "$@" 2>&1
