#!/bin/sh
# tour/ftp.sh — ftp 文件服务器 / the FTP file server: start ftp_server on a
# copy of its file library, let ftp_client list it, download a file and
# upload one (over FTP's separate data connections), then stop the server.
. tour/lib.sh
library=$(mktemp -d "${TMPDIR:-/tmp}/tour-ftp-library.XXXXXX") || exit 1
here=$(mktemp -d "${TMPDIR:-/tmp}/tour-ftp-client.XXXXXX") || exit 1
trap 'rm -rf "$library" "$here"' EXIT
cp -R day9/ftp/library/. "$library/"
printf 'A note uploaded by the tour.\n' >"$here/notes.txt"

start_server day9/ftp/ftp_server -d "$library" || exit 1
client() { "$BUILD/day9/ftp/ftp_client" -p "$PORT" -c "$1" 2>&1; }
client "ls; get poem.txt $here/poem.txt; put $here/notes.txt; ls"
rc=$?
if client "put $here/notes.txt"; then
    echo "(the second put should have been refused)"
    rc=1
else
    echo "(refused on purpose: 文件已存在, the file exists; put -f would replace it)"
fi
client "get notes.txt $here/notes-back.txt" || rc=1
echo "(downloaded poem.txt, first lines:)"
head -n 4 "$here/poem.txt"
cmp -s "$here/notes.txt" "$here/notes-back.txt" && echo "(notes.txt went up and came back byte for byte)"
stop_server || rc=1
exit $rc
