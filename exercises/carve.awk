# exercises/carve.awk — cut an exercise out of its lesson.
#
#   awk -f exercises/carve.awk SPEC [FILL] LESSON
#
# SPEC (exercises/NAME/carve) lists the regions to take out, in order:
#   todo N TASK      the region's number and its one-line task
#   after TEXT       optional: look for its first line only after a line
#                    starting so (e.g. the function it is in)
#   from TEXT        its first line: the first lesson line, after the last
#                    region, whose text (leading blanks aside) starts so
#   to TEXT          its last line: the first line from there starting so
#   until TEXT       or: it ends just before the first such line
#   stub TEXT        optional: a line left in its place so the file compiles
# Each region becomes "/* TODO(N): TASK */" (indented as the code was),
# then its stub lines, or, with a FILL file, that file's lines for it:
#   fill N           the lines after it, up to the next "fill", fill TODO(N)
#   expect TEXT      (ignored here: what a checker must say of this fill)
# Fails (exit 1, saying which) when a region's first or last line is not
# found: the lesson changed, and the spec must follow it.
function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
function starts(line, text) { return index(trim(line), text) == 1 }
# The task as a C comment, wrapped to fit 80 columns at this indent.
function todo_comment(indent, text,    words, nw, i, line, lead) {
    nw = split(text, words, " ")
    lead = indent "/* "
    line = lead words[1]
    for (i = 2; i <= nw; i++) {
        if (length(line) + 1 + length(words[i]) > 77) {
            print line
            lead = indent " * "
            line = lead words[i]
        } else
            line = line " " words[i]
    }
    print line " */"
}
FILENAME == ARGV[1] {
    if ($1 == "todo") { n++; task[n] = trim(substr($0, index($0, $2) + length($2))) }
    else if ($1 == "from") from[n] = trim(substr($0, 5))
    else if ($1 == "after") after[n] = trim(substr($0, 6))
    else if ($1 == "to") to[n] = trim(substr($0, 3))
    else if ($1 == "until") until[n] = trim(substr($0, 6))
    else if ($1 == "stub") stub[n] = stub[n] substr($0, 6) "\n"
    next
}
ARGC == 4 && FILENAME == ARGV[2] {
    if ($1 == "fill") { f = $2; filled[f] = 1; fill[f] = ""; next }
    if ($1 == "expect") next
    if (f) fill[f] = fill[f] $0 "\n"
    next
}
{
    if (inside && (k in until) && starts($0, until[k]))
        inside = 0 # and this line stays: go on below
    else if (inside) {
        if (!(k in until) && starts($0, to[k])) inside = 0
        next
    }
    if (k < n && ((k + 1) in after) && !seen_after && starts($0, after[k + 1]))
        seen_after = 1
    if (k < n && (!((k + 1) in after) || seen_after) && starts($0, from[k + 1])) {
        seen_after = 0
        k++
        indent = $0; sub(/[^ \t].*$/, "", indent)
        todo_comment(indent, "TODO(" k "): " task[k])
        printf "%s", (k in filled) ? fill[k] : stub[k]
        if ((k in until) || !starts($0, to[k])) inside = 1
        next
    }
    print
}
END {
    if (inside) { printf "carve: TODO(%d): no line starting \"%s\" after its first line\n", k, (k in until) ? until[k] : to[k] > "/dev/stderr"; exit 1 }
    if (k < n) { printf "carve: TODO(%d): no line starting \"%s\" in the lesson\n", k + 1, from[k + 1] > "/dev/stderr"; exit 1 }
}
