#!/bin/sh
# tools/need-cmocka.sh — make sure cmocka (the test framework) can be used.
# Called by `make test`. When cmocka is missing it installs it on
# Debian/Ubuntu (apt-get as root, or through sudo), saying what it runs;
# where it cannot, it prints the install command for each system and fails.
CC=${CC:-cc}
tmp=${TMPDIR:-/tmp}
[ -d "$tmp" ] && [ -w "$tmp" ] || tmp=/tmp # an unusable TMPDIR is no reason to reinstall

have_cmocka() {
    dir=$(mktemp -d "$tmp/cmocka-check.XXXXXX") || return 1
    cat >"$dir/t.c" <<'C'
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
static void t(void **s) { (void)s; }
int main(void) { const struct CMUnitTest ts[] = { cmocka_unit_test(t) }; return cmocka_run_group_tests(ts, NULL, NULL); }
C
    "$CC" "$dir/t.c" -lcmocka -o "$dir/t" >/dev/null 2>&1
    rc=$?
    rm -rf "$dir"
    return $rc
}

have_cmocka && exit 0

echo "make test: cmocka (the unit-test library) is not installed."
if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
        run=""
    elif command -v sudo >/dev/null 2>&1; then
        run="sudo"
    else
        run="none"
    fi
    if [ "$run" != "none" ]; then
        echo "make test: installing it: ${run:+$run }apt-get install -y libcmocka-dev"
        export DEBIAN_FRONTEND=noninteractive
        $run apt-get install -y -q libcmocka-dev >/dev/null 2>&1 || {
            echo "make test: first updating the package lists: ${run:+$run }apt-get update"
            $run apt-get update -q >/dev/null 2>&1
            $run apt-get install -y -q libcmocka-dev
        }
        have_cmocka && { echo "make test: cmocka installed"; exit 0; }
        echo "make test: the install did not work."
    fi
fi
cat <<'MSG'
Install cmocka with your system's package manager, then run make test again:
  Debian/Ubuntu:  sudo apt-get install libcmocka-dev
  Fedora:         sudo dnf install libcmocka-devel
  Arch:           sudo pacman -S cmocka
  Homebrew:       brew install cmocka
MSG
exit 1
