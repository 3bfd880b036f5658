#!/bin/sh
# tools/need-sanitizers.sh KIND... — can the compiler build and run a
# program with each sanitizer (address: ASan+UBSan, thread: TSan)?
# Called by .ci/run before make sanitize / make tsan. When a runtime is
# missing it installs it on Debian/Ubuntu as root (libgcc-N-dev brings
# libasan, libubsan, libtsan for gcc N), as tools/need-cmocka.sh does for
# cmocka. Prints the kinds that work, one a line; what it cannot make work
# it names on stderr, so the caller says what it skipped.
CC=${CC:-cc}
tmp=${TMPDIR:-/tmp}
[ -d "$tmp" ] && [ -w "$tmp" ] || tmp=/tmp

works() {
    case $1 in
        address) flags="-fsanitize=address,undefined" ;;
        thread) flags="-fsanitize=thread" ;;
        *) return 1 ;;
    esac
    dir=$(mktemp -d "$tmp/san-check.XXXXXX") || return 1
    printf '#include <pthread.h>\nstatic void *f(void *a) { return a; }\nint main(void) { pthread_t t; return pthread_create(&t, 0, f, 0) || pthread_join(t, 0); }\n' >"$dir/t.c"
    # It must run too: TSan, for one, refuses some memory layouts.
    "$CC" $flags -pthread "$dir/t.c" -o "$dir/t" >"$dir/log" 2>&1 && "$dir/t" >>"$dir/log" 2>&1
    rc=$?
    [ $rc -eq 0 ] || sed "s/^/  $1: /" "$dir/log" | head -n 5 >&2
    rm -rf "$dir"
    return $rc
}

install_runtimes() {
    command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ] || return 1
    major=$("$CC" -dumpversion 2>/dev/null | cut -d. -f1)
    "$CC" --version 2>/dev/null | grep -qi gcc || return 1
    echo "need-sanitizers: installing the runtimes: apt-get install -y libgcc-$major-dev" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q "libgcc-$major-dev" >/dev/null 2>&1 ||
        { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q "libgcc-$major-dev" >/dev/null 2>&1; }
}

tried=no
for kind in "$@"; do
    if works "$kind"; then
        echo "$kind"
    elif [ $tried = no ] && { tried=yes; install_runtimes; } && works "$kind"; then
        echo "$kind"
    else
        echo "need-sanitizers: $kind sanitizer cannot build or run a program with $CC" >&2
    fi
done
exit 0
