/* fuzz/path_jail.c — libFuzzer target for the path jail (common/path.c)
 * that the FTP and HTTP servers put every client path through.
 * Build and run:  make fuzz SECS=60   (or build/fuzz/fuzz/path_jail DIR)
 * Replayed by make test (build/tests/fuzz_path_jail) from
 * fuzz/corpus/path_jail/.
 *
 * Input: byte 0 picks the output size (2..257), byte 1 whether the path
 * must exist; the rest is "CWD\0REQUEST" (no \0: cwd "/"). It aborts when
 *  - path_normalize disagrees with a plain model (segments on a stack,
 *    "." ignored, ".." pops and never climbs above "/", a control
 *    character or an empty request refused, ENAMETOOLONG when an
 *    intermediate result would not fit), or its result is not normal
 *    (normalizing it again changes it);
 *  - path_in_root says yes to a path that, resolved by realpath, lies
 *    outside the root. The root is a scratch folder with a file, a
 *    folder, and symlinks that lead out ("/", "..", a dangling one).
 */
#define _XOPEN_SOURCE 700 /* realpath, mkdtemp, symlink */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/path.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);

static char root[PATH_MAX]; /* realpath'd scratch root, "" if none */
static char made[PATH_MAX]; /* what to remove at exit */

static void check(int ok)
{
    if (!ok)
        abort();
}

static void remove_root(void)
{
    static const char *const names[] = {"d/f", "d", "f", "out", "up", "dangling", ""};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char p[PATH_MAX + 16];
        snprintf(p, sizeof p, "%s/%s", made, names[i]);
        remove(p); /* best effort: a scratch folder */
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *tmp = getenv("TMPDIR");
    snprintf(made, sizeof made, "%s/path_jail.XXXXXX", tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    if (mkdtemp(made) == NULL) {
        made[0] = '\0';
        return 0; /* path_in_root goes unchecked; path_normalize still is */
    }
    char p[PATH_MAX + 16];
    snprintf(p, sizeof p, "%s/d", made);
    mkdir(p, 0700);
    const char *files[] = {"d/f", "f"};
    for (int i = 0; i < 2; i++) {
        snprintf(p, sizeof p, "%s/%s", made, files[i]);
        FILE *f = fopen(p, "w");
        check(f != NULL && fclose(f) == 0);
    }
    snprintf(p, sizeof p, "%s/out", made);
    check(symlink("/", p) == 0);
    snprintf(p, sizeof p, "%s/up", made);
    check(symlink("..", p) == 0);
    snprintf(p, sizeof p, "%s/dangling", made);
    check(symlink("/nonexistent/x", p) == 0);
    check(realpath(made, root) != NULL);
    atexit(remove_root);
    return 0;
}

/* The model: the same walk, written plainly. 0 or -1 with errno. */
static int model(const char *cwd, const char *req, char *out, size_t size)
{
    if (cwd[0] != '/' || req[0] == '\0') {
        errno = EINVAL;
        return -1;
    }
    for (const char *c = req; *c != '\0'; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f) {
            errno = EINVAL;
            return -1;
        }
    size_t used = 0;
    out[0] = '\0';
    const char *parts[2] = {req[0] == '/' ? "" : cwd, req};
    for (int k = 0; k < 2; k++)
        for (const char *s = parts[k]; *s != '\0';) {
            if (*s == '/') {
                s++;
                continue;
            }
            size_t len = strcspn(s, "/");
            if (len == 2 && s[0] == '.' && s[1] == '.') {
                char *slash = strrchr(out, '/');
                used = slash != NULL ? (size_t)(slash - out) : 0;
                out[used] = '\0';
            } else if (!(len == 1 && s[0] == '.')) {
                if (used + 1 + len + 1 > size) {
                    errno = ENAMETOOLONG;
                    return -1;
                }
                out[used] = '/';
                memcpy(out + used + 1, s, len);
                used += 1 + len;
                out[used] = '\0';
            }
            s += len;
        }
    if (used == 0)
        memcpy(out, "/", 2);
    return 0;
}

static bool inside_root(const char *real)
{
    size_t n = strlen(root);
    return strncmp(real, root, n) == 0 && (real[n] == '\0' || real[n] == '/');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > 8192)
        return 0;
    size_t outsize = 2 + data[0];
    bool must_exist = data[1] & 1;
    char *text = malloc(size - 2 + 2); /* CWD \0 REQUEST \0 */
    check(text != NULL);
    memcpy(text, data + 2, size - 2);
    text[size - 2] = '\0';
    text[size - 1] = '\0';
    const char *cwd = text, *req = text + strlen(text) + 1;
    if ((size_t)(req - text) > size - 2) { /* no \0 inside: all request */
        cwd = "/";
        req = text;
    }

    char *got = malloc(outsize), want[8400];
    check(got != NULL);
    errno = 0;
    int rc = path_normalize(cwd, req, got, outsize);
    int err = errno;
    errno = 0;
    int mrc = model(cwd, req, want, outsize);
    check(rc == mrc);
    if (rc < 0) {
        check(err == errno);
    } else {
        check(strcmp(got, want) == 0);
        check(got[0] == '/' && strlen(got) < outsize);
        char again[260]; /* normal: the same again (a control character can
                            only come from cwd, which the server trusts) */
        int again_rc = path_normalize("/", got, again, sizeof again);
        check(again_rc < 0 ? errno == EINVAL : strcmp(again, got) == 0);

        if (root[0] != '\0') {
            char disk[PATH_MAX + 300], real[PATH_MAX];
            if (path_in_root(root, got, must_exist, disk, sizeof disk) == 0) {
                check(strncmp(disk, root, strlen(root)) == 0);
                if (must_exist)
                    check(realpath(disk, real) != NULL && inside_root(real));
            }
        }
    }
    free(got);
    free(text);
    return 0;
}
