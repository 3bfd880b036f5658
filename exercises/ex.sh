#!/bin/sh
# exercises/ex.sh — the exercise runner behind make ex, hint, ex-list,
# ex-watch and ex-reset. Run from the top of the checkout:
#
#   sh exercises/ex.sh BUILD next            the first exercise not solved yet
#   sh exercises/ex.sh BUILD check NAME      build and check one (exit 0: solved)
#   sh exercises/ex.sh BUILD hint NAME       the next hint
#   sh exercises/ex.sh BUILD list            progress, one line each
#   sh exercises/ex.sh BUILD watch NAME      check again at every save
#   sh exercises/ex.sh BUILD reset NAME      start again from the shipped file
#   sh exercises/ex.sh BUILD prove NAME      (for make test) the checker fails
#                                            the shipped file and every wrong
#                                            solution, and passes the lesson
#
# Your exercise file, exercises/NAME.c, is made from its lesson the first
# time you need it: the lesson with the lines that are the point cut out
# (exercises/NAME/carve lists them). So exercise and lesson never drift.
set -u
build=${1:?usage: ex.sh BUILD COMMAND [NAME]}
cmd=${2:-next}
name=${3:-}
ex=exercises
state=$build/exercises/state
bin=$build/exercises/bin
mkdir -p "$state" "$bin"
CC=${CC:-cc}

names() { awk '!/^#/ && NF { print $1 }' $ex/course.txt; }
topic() { awk -v n="$1" '$1 == n { $1 = ""; sub(/^ +/, ""); print }' $ex/course.txt; }
spec_value() { awk -v k="$2" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$ex/$1/carve"; }

need_checker() {
    if [ ! -x "$build/exercises/$1/check" ]; then
        echo "ex.sh: the checker $build/exercises/$1/check is not built (make ex builds it)" >&2
        exit 2
    fi
}

need_name() {
    if [ -z "$name" ]; then
        echo "which exercise? add N=NAME, one of:" $(names) >&2
        exit 2
    fi
    if [ ! -f "$ex/$name/carve" ]; then
        echo "no exercise '$name'; the exercises are:" $(names) >&2
        exit 2
    fi
}

# carve NAME [FILL] > FILE: the lesson with its TODO regions cut out.
carve() {
    awk -f $ex/carve.awk "$ex/$1/carve" ${2:+"$2"} "$(spec_value "$1" lesson)"
}

# compile NAME SOURCE OUTPUT: as the lesson is built, warnings shown but
# not fatal (a half-done exercise should still run).
compile() {
    link=$(spec_value "$1" link)
    src=$2 out=$3
    set -- # the link inputs, each quoted: the build folder may hold spaces
    for o in $link; do set -- "$@" "$build/$o"; done
    $CC -D_POSIX_C_SOURCE=200809L -I. -std=c11 -Wall -Wextra -g -pthread \
        ${EX_SAN:-} "$src" "$@" "$build/libcommon.a" -lrt -o "$out"
}

# The student's file, made on first use.
student_file() {
    f=$ex/$1.c
    if [ ! -f "$f" ]; then
        carve "$1" >"$f.tmp" && mv "$f.tmp" "$f" || { rm -f "$f.tmp"; exit 1; }
        echo "made $f from $(spec_value "$1" lesson): fill in its TODOs"
    fi
}

# too_wide FILE: true (and says so) if a line of the checker's message is
# wider than a terminal's 80 columns (UTF-8 characters counted as one).
too_wide() {
    LC_ALL=C awk '{ l = $0; gsub(/[\200-\277]/, "", l) }
        length(l) > 80 { print "prove: this checker line is wider than 80 columns:"; print; bad = 1 }
        END { exit !bad }' "$1"
}

statement() {
    echo "=== exercise $1: $(topic "$1")"
    cat "$ex/$1/statement.md"
    echo
}

# check NAME: build the student's file and run the checker on it.
check() {
    need_checker "$1"
    student_file "$1"
    if ! compile "$1" "$ex/$1.c" "$bin/$1"; then
        echo "✗ $1: exercises/$1.c does not compile (the compiler's message is above)"
        echo ✗ >"$state/$1.status"
        return 1
    fi
    if "$build/exercises/$1/check" "$bin/$1"; then
        echo ✓ >"$state/$1.status"
        return 0
    fi
    echo ✗ >"$state/$1.status"
    return 1
}

case $cmd in
next)
    for n in $(names); do
        if [ "$(cat "$state/$n.status" 2>/dev/null)" = ✓ ]; then continue; fi
        student_file "$n"
        if check "$n" >"$state/$n.log" 2>&1; then
            echo "✓ $n"
            continue
        fi
        statement "$n"
        cat "$state/$n.log"
        echo
        echo "Edit exercises/$n.c, then: make ex N=$n   (stuck? make hint N=$n)"
        exit 1
    done
    echo "All $(names | wc -l) exercises solved. Well done."
    ;;
check)
    need_name
    check "$name"
    ;;
hint)
    need_name
    seen=$(cat "$state/$name.hints" 2>/dev/null || echo 0)
    next=$((seen + 1))
    [ $next -gt 2 ] && next=2
    echo "=== $name, hint $next of 2"
    awk -v want="## Hint $next" '/^## Hint/ { on = ($0 == want); next } on' "$ex/$name/hints.md"
    echo $next >"$state/$name.hints"
    ;;
list)
    i=0
    for n in $(names); do
        i=$((i + 1))
        mark=$(cat "$state/$n.status" 2>/dev/null || echo ·)
        printf '%2d %s %-14s %s\n' $i "$mark" "$n" "$(topic "$n")"
    done
    echo "(✓ solved, ✗ tried and not yet, · not tried; make ex N=NAME checks one)"
    ;;
watch)
    need_name
    student_file "$name"
    last=""
    while :; do
        now=$(stat -c %Y "$ex/$name.c" 2>/dev/null || echo gone)
        if [ "$now" != "$last" ]; then
            last=$now
            printf '\033[H\033[2J'
            echo "make ex-watch N=$name — checking at every save of exercises/$name.c (Ctrl-C ends)"
            echo
            check "$name"
        fi
        sleep 1
    done
    ;;
reset)
    need_name
    f=$ex/$name.c
    if [ -f "$f" ]; then
        printf 'Start %s again from the shipped exercise? Your copy is kept as %s.mine [y/N] ' "$f" "$f"
        read -r answer || answer=n
        case $answer in y | Y | yes) ;; *) echo "nothing changed"; exit 0 ;; esac
        mv "$f" "$f.mine"
    fi
    student_file "$name"
    rm -f "$state/$name.status" "$state/$name.hints"
    ;;
prove)
    need_name
    need_checker "$name"
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/conclab-ex.XXXXXX") || exit 1
    trap 'rm -rf "$tmp"' EXIT
    ok=0
    carve "$name" >"$tmp/shipped.c" || exit 1
    # (the shipped file warns of what its TODOs have not used yet)
    compile "$name" "$tmp/shipped.c" "$tmp/shipped" 2>"$tmp/cc" ||
        { cat "$tmp/cc"; echo "prove $name: the shipped exercise does not compile"; exit 1; }
    if "$build/exercises/$name/check" "$tmp/shipped" >"$tmp/out" 2>&1; then
        echo "prove $name: the shipped exercise PASSED its checker:"; cat "$tmp/out"; ok=1
    fi
    too_wide "$tmp/out" && ok=1
    lesson=$(spec_value "$name" program)
    if ! "$build/exercises/$name/check" "$build/$lesson" >"$tmp/out" 2>&1; then
        echo "prove $name: the lesson $lesson FAILED its checker:"; cat "$tmp/out"; ok=1
    fi
    for wrong in tests/exercises/$name.wrong*; do
        [ -f "$wrong" ] || continue
        expect=$(awk '$1 == "expect" { $1 = ""; sub(/^ /, ""); print; exit }' "$wrong")
        carve "$name" "$wrong" >"$tmp/wrong.c" || exit 1
        compile "$name" "$tmp/wrong.c" "$tmp/wrong" 2>"$tmp/cc" ||
            { cat "$tmp/cc"; echo "prove $name: $wrong does not compile"; ok=1; continue; }
        if "$build/exercises/$name/check" "$tmp/wrong" >"$tmp/out" 2>&1; then
            echo "prove $name: $wrong PASSED the checker:"; cat "$tmp/out"; ok=1
        elif too_wide "$tmp/out"; then
            ok=1
        elif ! tr -s ' \n' '  ' <"$tmp/out" | grep -qF -- "$expect"; then
            echo "prove $name: $wrong failed, but without saying \"$expect\":"; cat "$tmp/out"; ok=1
        else
            echo "prove $name: $wrong fails as it should: $expect"; [ -z "${PROVE_VERBOSE:-}" ] || cat "$tmp/out"
        fi
    done
    [ $ok -eq 0 ] && echo "prove $name: ok"
    exit $ok
    ;;
*)
    echo "ex.sh: unknown command '$cmd' (next, check, hint, list, watch, reset, prove)" >&2
    exit 2
    ;;
esac
