#!/bin/sh
# fuzz/run.sh BUILD SECS NAME... — run each libFuzzer target (built by
# make fuzz into BUILD/fuzz/NAME) for SECS seconds on its corpus.
# Called by make fuzz SECS=N (SECS=0: build only). New interesting inputs go to
# BUILD/corpus/NAME (scratch); an input that crashes is written into
# fuzz/corpus/NAME/crash-* — commit it: make test replays it from then on.
# With MERGE=1 the inputs that add coverage are merged into fuzz/corpus/NAME.
build=$1
secs=$2
shift 2
if [ "$secs" -le 0 ] 2>/dev/null; then
    echo "make fuzz: built, not run (SECS=$secs)"
    exit 0
fi
failed=""
for name in "$@"; do
    bin=$build/fuzz/$name
    corpus=fuzz/corpus/$name
    work=$build/corpus/$name
    mkdir -p "$work" "$corpus" || exit 1
    echo "=== fuzz $name: ${secs}s on $corpus"
    if ! "$bin" -max_total_time="$secs" -print_final_stats=1 \
        -artifact_prefix="$corpus/" "$work" "$corpus" >"$build/$name.log" 2>&1; then
        failed="$failed $name"
        tail -n 40 "$build/$name.log"
    fi
    grep -E '^stat::number_of_executed_units|^stat::new_units_added|^#[0-9]+ *DONE' "$build/$name.log"
    if [ "${MERGE:-0}" = 1 ]; then
        "$bin" -merge=1 -artifact_prefix="$build/" "$corpus" "$work" >>"$build/$name.log" 2>&1 &&
            echo "merged: $(ls "$corpus" | wc -l) inputs in $corpus"
    fi
done
if [ -n "$failed" ]; then
    echo "make fuzz: crashed:$failed (the input is in fuzz/corpus/NAME/crash-*; commit it)"
    exit 1
fi
echo "make fuzz: no crash in ${secs}s per target"
