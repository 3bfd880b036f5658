#!/bin/sh
# tools/run-tests.sh BUILD SUITE... — run each cmocka suite, each bounded in
# time, then repeat every suite's cmocka summary; fail if any suite failed.
# Called by make test / sanitize / tsan.
build=$1
shift
# A suite that hangs despite the harness's own timeouts is killed here.
suite_limit=${SUITE_TIMEOUT:-900}

# Sanitizer runs are slower: the harness scales its timeouts by this;
# on a very slow or crowded machine, TEST_SLOW=N (a whole number) makes
# every timeout N times longer still: make test TEST_SLOW=3.
case "$SANITIZER" in
    address) scale=3 ;;
    thread)  scale=5 ;;
    *)       scale=1 ;;
esac
case "${TEST_SLOW:-1}" in
    *[!0-9]* | 0) echo "make test: TEST_SLOW='$TEST_SLOW' is not a whole number; ignored" ;;
    *) scale=$((scale * ${TEST_SLOW:-1})) ;;
esac
export CONCLAB_TIMEOUT_SCALE=$scale
export CONCLAB_SANITIZER="${SANITIZER:-none}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=0:second_deadlock_stack=1:die_after_fork=0}"

# The suites make their scratch files under $TMPDIR: an empty one, or one
# that is not a folder we may write, would fail them all, so use /tmp.
if [ -n "${TMPDIR+set}" ] && { [ -z "$TMPDIR" ] || [ ! -d "$TMPDIR" ] || [ ! -w "$TMPDIR" ]; }; then
    echo "make test: TMPDIR='$TMPDIR' is not a folder we can write; using /tmp"
    TMPDIR=/tmp
fi
export TMPDIR=${TMPDIR:-/tmp}

logs=$(mktemp -d "$TMPDIR/conclab-tests.XXXXXX") || exit 1
trap 'rm -rf "$logs"' EXIT INT TERM
failed=""
count=0
for suite in "$@"; do
    name=$(basename "$suite")
    count=$((count + 1))
    echo "=== $name"
    t0=$(date +%s)
    { timeout -k 5 "$suite_limit" "$suite" 2>&1; echo $? >"$logs/$name.rc"; } | tee "$logs/$name.log"
    rc=$(cat "$logs/$name.rc")
    echo "$name: $(($(date +%s) - t0))s" >>"$logs/times"
    if [ "$rc" -ne 0 ]; then
        [ "$rc" -eq 124 ] && echo "$name: killed after ${suite_limit}s" | tee -a "$logs/$name.log"
        failed="$failed $name"
    fi
done

if [ $count -eq 0 ]; then
    echo "no test suites found in tests/"
    exit 1
fi
echo
echo "=== cmocka summary per suite ($build)"
for suite in "$@"; do
    name=$(basename "$suite")
    grep -E '^\[ *(PASSED|FAILED|SKIPPED) *\]|^\[=+\] .*run\.|killed after' "$logs/$name.log" \
        | sed "s/^/$name: /"
done
echo
echo "=== seconds per suite ($build)"
sort -t: -k2 -rn "$logs/times" | head -8 | tr '\n' ' '
echo
if [ -n "$failed" ]; then
    echo "FAILED:$failed"
    exit 1
fi
