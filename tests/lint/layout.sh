#!/bin/sh
# Check the layout contract of the etls source tree (docs/testing.md):
#
#   (a) size: no product source file (common/ model/ reconcilers/ dcos/
#       controller/, *.c *.h) over 600 lines, no sim/ *.c *.h over 900;
#   (b) no include cycle between the files of one folder (x.c and x.h are
#       one node; edges are #include "..." of the folder's own headers);
#   (c) folder arrows: controller -> reconcilers -> model -> common,
#       controller -> dcos -> common, sim -> common (a folder may include
#       whatever its arrows reach, transitively).
#
#   sh tests/lint/layout.sh [SOURCE_ROOT]      (default: the current dir)
#
# Prints one line per violation and exits 1 when there is any, 0 when the
# tree keeps the contract.  POSIX sh and awk only (mawk on Debian 12).
set -eu

root=${1:-.}
if ! cd "$root" 2>/dev/null; then
    echo "lint-layout: cannot enter $root" >&2
    exit 2
fi

FOLDERS="common model reconcilers dcos controller sim"
list=""
for d in $FOLDERS; do
    [ -d "$d" ] && list="$list $d"
done
if [ -z "$list" ]; then
    echo "lint-layout: no source folder ($FOLDERS) under $root" >&2
    exit 2
fi

# shellcheck disable=SC2086
find $list -type f \( -name '*.c' -o -name '*.h' \) | LC_ALL=C sort |
LC_ALL=C awk '
BEGIN {
    # Line limits.
    limit["common"] = 600; limit["model"] = 600; limit["reconcilers"] = 600
    limit["dcos"] = 600; limit["controller"] = 600; limit["sim"] = 900
    # Folders each folder may include (its own and what its arrows reach).
    allow["common"] = " common "
    allow["model"] = " model common "
    allow["reconcilers"] = " reconcilers model common "
    allow["dcos"] = " dcos common "
    allow["controller"] = " controller reconcilers model dcos common "
    allow["sim"] = " sim common "
    bad = 0; nfiles = 0; nnodes = 0
}

function folder_of(p) { sub(/\/.*/, "", p); return p }
function dir_of(p) { if (p !~ /\//) return "."; sub(/\/[^\/]*$/, "", p); return p }
function node_of(p) { sub(/\.[ch]$/, "", p); return p }

# Resolve "a/../b/./c" to "b/c" (a leading ".." stays, it leaves the root).
function normalise(p,    n, i, k, part, out, res) {
    n = split(p, part, "/"); k = 0
    for (i = 1; i <= n; i++) {
        if (part[i] == "" || part[i] == ".")
            continue
        if (part[i] == ".." && k > 0 && out[k] != "..") { k--; continue }
        out[++k] = part[i]
    }
    res = ""
    for (i = 1; i <= k; i++)
        res = res (i > 1 ? "/" : "") out[i]
    return res
}

function add_node(n) {
    if (!(n in node_id)) {
        node_id[n] = ++nnodes; node_name[nnodes] = n; adjn[nnodes] = 0
    }
    return node_id[n]
}

function add_edge(a, b, where,    u, v) {
    u = add_node(a); v = add_node(b)
    if ((u, v) in edge_where)
        return
    edge_where[u, v] = where
    adj[u, ++adjn[u]] = v
}

function violation(msg) { print "lint-layout: " msg; bad++ }

# Depth-first search; every back edge closes one cycle, printed with the
# include lines that make it.
function dfs(u,    j, v, i, path, why) {
    color[u] = 1; stack[++sp] = u; pos[u] = sp
    for (j = 1; j <= adjn[u]; j++) {
        v = adj[u, j]
        if (color[v] == 1) {
            path = ""; why = ""
            for (i = pos[v]; i <= sp; i++) {
                path = path node_name[stack[i]] " -> "
                why = why "\n    " edge_where[stack[i], \
                    (i < sp ? stack[i + 1] : v)]
            }
            violation("include cycle in " folder_of(node_name[v]) "/: " \
                      path node_name[v] why)
        } else if (color[v] == 0) {
            dfs(v)
        }
    }
    sp--; color[u] = 2
}

{ files[++nfiles] = $0; exists[$0] = 1 }

END {
    for (f = 1; f <= nfiles; f++) {
        file = files[f]; fold = folder_of(file)
        add_node(node_of(file))
        n = 0
        while ((getline line < file) > 0) {
            n++
            if (line !~ /^[ \t]*#[ \t]*include[ \t]*"/)
                continue
            inc = line
            sub(/^[ \t]*#[ \t]*include[ \t]*"/, "", inc)
            sub(/".*$/, "", inc)
            # Quoted includes resolve against the including file first,
            # then against the source root ("folder/file.h").
            if (inc ~ /^\.\.?\//)
                target = normalise(dir_of(file) "/" inc)
            else if (inc !~ /\//)
                target = normalise(dir_of(file) "/" inc)
            else
                target = normalise(inc)
            tfold = folder_of(target)
            if (!(tfold in limit)) {
                if (target ~ /^\.\./)
                    violation(file ":" n ": #include \"" inc \
                              "\" leaves the source root")
                continue
            }
            if (index(allow[fold], " " tfold " ") == 0) {
                ok = allow[fold]
                gsub(/^ | $/, "", ok)
                violation(file ":" n ": #include \"" inc "\": " fold \
                          "/ -> " tfold "/ is not an allowed arrow (" fold \
                          "/ may include: " ok ")")
                continue
            }
            if (tfold == fold && (target in exists) &&
                node_of(target) != node_of(file))
                add_edge(node_of(file), node_of(target),
                         file ":" n ": #include \"" inc "\"")
        }
        close(file)
        if (n > limit[fold])
            violation(file ": " n " lines (limit " limit[fold] " for " \
                      fold "/)")
    }
    sp = 0
    for (u = 1; u <= nnodes; u++)
        if (color[u] == 0)
            dfs(u)
    if (nfiles == 0) {
        print "lint-layout: no *.c or *.h file found"
        exit 2
    }
    if (bad > 0) {
        print "lint-layout: " bad " violation(s) in " nfiles " files"
        exit 1
    }
    print "lint-layout: ok (" nfiles " files)"
}'
