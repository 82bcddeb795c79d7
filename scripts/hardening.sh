#!/bin/sh
# The hardening figures of issue 10 (docs/security.md): runs the hostile
# documents, hostile servers, fault schedules, crash points, fuzzing and
# canary tests of an already configured build and prints one table.
#
#   scripts/hardening.sh [--fast] [BUILD_DIR]     (default build/)
#
# --fast (what scripts/test.sh runs): the hostile documents and servers,
# 4 fault schedules and the fuzz replay drivers; crash points, the 100
# stress schedules and the canary are reported "not run".  The full run
# also fuzzes each libFuzzer target for ETLS_FUZZ_SECONDS (default 30) when
# a libFuzzer build exists (ETLS_FUZZ_BUILD, default build-fuzz/: clang,
# -DETLS_FUZZ=ON, see docs/testing.md); otherwise it replays.  The 100
# fault schedules (seeds 101-200) run here only: the CTest suite runs
# seeds 1-4, 150 and, under label stress, 101-120 (docs/testing.md).
#
# Exit 1 when a figure falls short (anything not rejected precisely, not
# failed cleanly, not converged, not recovered, a fuzz crash, a canary hit)
# or a program did not run.
set -u

cd "$(dirname "$0")/.." || exit 1
fast=0
if [ "${1:-}" = "--fast" ]; then
    fast=1
    shift
fi
build=${1:-build}
fuzz_build=${ETLS_FUZZ_BUILD:-build-fuzz}
seconds=${ETLS_FUZZ_SECONDS:-30}
bin=$build/bin
log=$(mktemp -d /tmp/etls-hardening-XXXXXX)
bad=0
rows=""

if [ ! -x "$bin/etls" ]; then
    echo "hardening: no $bin/etls: configure and build $build first" >&2
    exit 1
fi
cmake --build "$build" -j 2 --target hostile_docs hostile_server \
    hostile_faults e2e_etls_crash e2e_canary_secrets fuzz_manifest \
    fuzz_dcos_parse fuzz_pem_jwt >"$log/build" 2>&1 || {
    cat "$log/build" >&2
    exit 1
}

# row FIGURE VALUE OK(0/1)
row() {
    rows="$rows
| $1 | $2 |"
    [ "$3" = 1 ] || bad=1
}

# run NAME CMD... : run a figure program, its output in $log/NAME.
run() {
    name=$1
    shift
    echo "hardening: $name ..." >&2
    "$@" >"$log/$name" 2>&1
    echo $? >"$log/$name.rc"
}

# judge NAME FIGURE PARSED VALUE OK : a FAILED row when program NAME
# exited non-zero or its figure could not be read (PARSED empty).
judge() {
    if [ -z "$3" ] || [ "$(cat "$log/$1.rc")" != 0 ]; then
        row "$2" "FAILED (see $log/$1)" 0
    else
        row "$2" "$4" "$5"
    fi
}

# field NAME PATTERN SED-EXPR : what SED-EXPR prints of the first line of
# NAME's output matching PATTERN.
field() {
    grep -m1 "$2" "$log/$1" 2>/dev/null | sed -n "$3"
}

# ratio NAME PATTERN FIGURE : "N/M" from the line matching PATTERN.
ratio() {
    n=$(field "$1" "$2" 's/.*: \([0-9]*\)\/\([0-9]*\).*/\1/p')
    m=$(field "$1" "$2" 's/.*: \([0-9]*\)\/\([0-9]*\).*/\2/p')
    ok=0
    [ -n "$n" ] && [ "$n" = "$m" ] && [ "$m" -gt 0 ] && ok=1
    judge "$1" "$3" "$n" "$n / $m" $ok
}

run docs "$bin/hostile_docs"
ratio docs "^hostile documents:" "hostile documents rejected precisely"
run server "$bin/hostile_server"
ratio server "^hostile servers:" "hostile-server cases failed cleanly"

if [ $fast = 1 ]; then
    run faults "$bin/hostile_faults" 4
else
    run faults "$bin/hostile_faults" 100 101
fi
fs='s/.*: \([0-9]*\) in-run, \([0-9]*\) after a rerun, \([0-9]*\) total.*/'
a=$(field faults "^fault schedules:" "${fs}\1/p")
b=$(field faults "^fault schedules:" "${fs}\2/p")
t=$(field faults "^fault schedules:" "${fs}\3/p")
ok=0
[ -n "$t" ] && [ $((${a:-0} + ${b:-0})) = "$t" ] && [ "$t" -gt 0 ] && ok=1
judge faults "fault schedules converged (in-run + after one rerun / total)" \
    "$t" "$((${a:-0} + ${b:-0})) / $t ($a in-run, $b after a rerun)" $ok

if [ $fast = 1 ]; then
    row "crash points recovered consistent" "not run (--fast)" 1
else
    run crash "$bin/e2e_etls_crash"
    ratio crash "^crash points:" "crash points recovered consistent"
fi

for t in fuzz_manifest fuzz_dcos_parse fuzz_pem_jwt; do
    case $t in
    fuzz_manifest) seeds="tests/data/fuzz/manifest tests/data/model/valid tests/data/model/invalid manifests manifests/examples" ;;
    fuzz_dcos_parse) seeds=tests/data/fuzz/dcos ;;
    *) seeds=tests/data/fuzz/pem ;;
    esac
    if [ $fast = 0 ] && [ -x "$fuzz_build/bin/$t" ]; then
        mkdir -p "$log/corpus_$t"
        # shellcheck disable=SC2086
        run "$t" "$fuzz_build/bin/$t" -max_total_time="$seconds" \
            -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
            -artifact_prefix="$log/$t-" "$log/corpus_$t" $seeds
        runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1/p' "$log/$t")
        secs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' "$log/$t")
        crashes=$(ls "$log/$t-"* 2>/dev/null | wc -l)
        ok=0
        [ "$(cat "$log/$t.rc")" = 0 ] && [ "$crashes" = 0 ] && ok=1
        row "fuzz $t (libFuzzer)" "${secs:-?} s, ${runs:-?} runs, $crashes crashes" $ok
    else
        # shellcheck disable=SC2086
        run "$t" "$bin/$t" $seeds
        inputs=$(sed -n "s/^$t: \([0-9]*\) inputs, \([0-9]*\) runs.*/\2/p" "$log/$t")
        ok=0
        [ "$(cat "$log/$t.rc")" = 0 ] && ok=1
        row "fuzz $t (replay driver)" "0 s fuzzed, ${inputs:-?} replayed runs, $((1 - ok)) crashes" $ok
    fi
done

if [ $fast = 1 ]; then
    row "canary hits" "not run (--fast)" 1
else
    run canary "$bin/e2e_canary_secrets"
    cs='s/canary: \([0-9]*\) outputs scanned, \([0-9]*\) checks with hits.*/'
    scanned=$(field canary "^canary:" "${cs}\1/p")
    hits=$(field canary "^canary:" "${cs}\2/p")
    ok=0
    [ "$hits" = 0 ] && ok=1
    judge canary "canary hits" "$hits" "$hits (in $scanned outputs and files)" $ok
fi

echo "| figure | value |"
echo "|---|---|$rows"
if [ $bad = 1 ]; then
    echo "hardening: some figures fall short; logs in $log" >&2
    exit 1
fi
rm -rf "$log"
