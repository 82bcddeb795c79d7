#!/bin/sh
# Self-test of tests/lint/layout.sh: a small synthetic tree that keeps the
# layout contract must pass, and each way of breaking it must fail with the
# expected message.  Proves the lint can fail, whatever the real tree does.
#
#   sh tests/lint/layout_selftest.sh [path/to/layout.sh]
set -eu

lint=${1:-$(dirname "$0")/layout.sh}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/etls-lint.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
failed=0

# lines FILE N: write an N-line C comment block to FILE.
lines() {
    awk -v n="$2" 'BEGIN { for (i = 1; i <= n; i++) print "/* " i " */" }' \
        >"$1"
}

# A tree with every allowed arrow, a file at each size limit and an
# acyclic include graph inside each folder.
good_tree() {
    d=$1
    mkdir -p "$d/common" "$d/model" "$d/reconcilers" "$d/dcos" \
        "$d/controller" "$d/sim"
    printf '#include "util.h"\n' >"$d/common/err.h"
    printf '#include "err.h"\n' >"$d/common/err.c"
    printf '/* util */\n' >"$d/common/util.h"
    printf '#include "common/util.h"\n' >"$d/common/util.c"
    printf '#include "common/err.h"\n' >"$d/model/desired.h"
    printf '#include "model/desired.h"\n#include "model/plan.h"\n' \
        >"$d/model/desired.c"
    printf '#include <stdio.h>\n' >"$d/model/plan.h"
    lines "$d/model/plan.c" 600
    printf '#include "model/desired.h"\n' >"$d/reconcilers/rc.h"
    printf '#include "rc.h"\n#include "common/util.h"\n' \
        >"$d/reconcilers/rc.c"
    printf '#include "common/err.h"\n' >"$d/dcos/client.h"
    printf '#include "client.h"\n' >"$d/dcos/client.c"
    printf '%s\n' '#include "controller/engine.h"' \
        '#include "reconcilers/rc.h"' '#include "model/plan.h"' \
        '#include "dcos/client.h"' '#include "common/err.h"' \
        >"$d/controller/engine.c"
    printf '/* engine */\n' >"$d/controller/engine.h"
    printf '#include "sim/core.h"\n#include "common/util.h"\n' \
        >"$d/sim/server.c"
    printf '#include "common/err.h"\n' >"$d/sim/core.h"
    lines "$d/sim/core.c" 900
}

# case NAME EXPECTED-STATUS PATTERN: run the lint on $tmp/NAME.
check() {
    name=$1 want=$2 pattern=$3
    set +e
    out=$(sh "$lint" "$tmp/$name" 2>&1)
    rc=$?
    set -e
    if [ "$rc" -ne "$want" ]; then
        echo "FAIL $name: exit $rc, want $want"
        printf '%s\n' "$out" | sed 's/^/    /'
        failed=$((failed + 1))
    elif ! printf '%s\n' "$out" | grep -qF -- "$pattern"; then
        echo "FAIL $name: output lacks: $pattern"
        printf '%s\n' "$out" | sed 's/^/    /'
        failed=$((failed + 1))
    else
        echo "ok   $name"
    fi
}

# new NAME: a fresh copy of the good tree to break.
new() {
    good_tree "$tmp/$1"
}

new good
check good 0 "lint-layout: ok (17 files)"

new product-size
lines "$tmp/product-size/dcos/client.c" 601
check product-size 1 "dcos/client.c: 601 lines (limit 600 for dcos/)"

new sim-size
lines "$tmp/sim-size/sim/core.c" 901
check sim-size 1 "sim/core.c: 901 lines (limit 900 for sim/)"

new header-cycle
printf '#include "model/desired.h"\n' >"$tmp/header-cycle/model/plan.h"
check header-cycle 1 \
    "include cycle in model/: model/desired -> model/plan -> model/desired"

# x.c and x.h are one node: err.h -> util.h plus util.c -> err.h is a
# cycle although no header includes itself back.
new node-cycle
printf '#include "common/util.h"\n#include "err.h"\n' \
    >"$tmp/node-cycle/common/util.c"
check node-cycle 1 \
    "include cycle in common/: common/err -> common/util -> common/err"

new long-cycle
printf '#include "sim/node.h"\n' >"$tmp/long-cycle/sim/core.h"
printf '#include "sim/http.h"\n' >"$tmp/long-cycle/sim/node.c"
printf '#include "core.h"\n' >"$tmp/long-cycle/sim/http.c"
printf '/* node */\n' >"$tmp/long-cycle/sim/node.h"
printf '/* http */\n' >"$tmp/long-cycle/sim/http.h"
check long-cycle 1 "sim/core -> sim/node -> sim/http -> sim/core"

new arrow-up
printf '#include "reconcilers/rc.h"\n' >>"$tmp/arrow-up/model/desired.c"
check arrow-up 1 \
    'model/desired.c:3: #include "reconcilers/rc.h": model/ -> reconcilers/'

new arrow-across
printf '#include "model/plan.h"\n' >>"$tmp/arrow-across/dcos/client.c"
check arrow-across 1 "dcos/ -> model/ is not an allowed arrow"

new arrow-sim
printf '#include "dcos/client.h"\n' >>"$tmp/arrow-sim/sim/server.c"
check arrow-sim 1 "sim/ -> dcos/ is not an allowed arrow"

new arrow-relative
printf '#include "../controller/engine.h"\n' >"$tmp/arrow-relative/dcos/x.h"
check arrow-relative 1 "dcos/ -> controller/ is not an allowed arrow"

new arrow-common
printf '#include "model/plan.h"\n' >"$tmp/arrow-common/common/err.c"
check arrow-common 1 "common/ -> model/ is not an allowed arrow"

mkdir -p "$tmp/empty/docs"
check empty 2 "no source folder"

if [ "$failed" -ne 0 ]; then
    echo "layout self-test: $failed case(s) failed"
    exit 1
fi
echo "layout self-test: all cases passed"
