/* common/path.h — keep a client's path inside a served folder (the FTP
 * root, the HTTP docroot): the "jail" every file server needs.
 *
 * Two steps. path_normalize works on text only: it joins the client's
 * path to its current virtual directory and resolves "." and ".."
 * ("/../.." stays at "/"), so the result can never climb out by name.
 * path_in_root then maps that virtual path onto the disk and checks with
 * realpath that the file (or, for a file about to be created, its
 * folder) really is inside the root, so a symlink cannot lead out either.
 */
#ifndef CONCLAB_PATH_H
#define CONCLAB_PATH_H

#include <stdbool.h>
#include <stddef.h>

/* Join cwd (a virtual absolute path like "/" or "/docs") and request
 * (absolute or relative, may hold ".", "..", repeated slashes) into a
 * normalized virtual path "/a/b" in out. Returns 0, or -1 with errno
 * EINVAL (empty request, no leading "/" in cwd, or a control character)
 * or ENAMETOOLONG. */
int path_normalize(const char *cwd, const char *request, char *out, size_t size);

/* Map normalized vpath onto root_real (a realpath'd folder) as out. With
 * must_exist, the object must exist and resolve inside the root; without,
 * its parent folder must (for creating it: then do not follow a symlink
 * at out — rename a temporary file over it, or open with O_NOFOLLOW).
 * Returns 0, or -1 with errno ENOENT (missing), EACCES (it resolves
 * outside the root) or ENAMETOOLONG; never where outside it pointed. */
int path_in_root(const char *root_real, const char *vpath, bool must_exist, char *out, size_t size);

/* Find a folder shipped in the repository (rel, e.g. "day10/http/site"):
 * rel itself if it exists from the current folder, else rel under the
 * nearest folder above the running program that holds it (the program is
 * build/dayN/..., inside the repository), else rel in the checkout the
 * program was built from (make BUILD=/elsewhere). Puts the path in out;
 * 0, or -1 with errno ENOENT. So a server finds its default folder from
 * anywhere, unless that checkout moved: then it needs -d DIR. */
int path_find_shipped(const char *rel, char *out, size_t size);

#endif
