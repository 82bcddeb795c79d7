#!/bin/sh
# Run the whole etls test suite on a fresh Debian 12 machine: install what
# is missing, then build and test in four configurations (docs/testing.md),
# every build with -Werror:
#
#   1. gcc, RelWithDebInfo: every CTest test (unit, fixture, e2e against
#      dcos-sim on 127.0.0.1, valgrind, bench, fuzz replay, lint, stress);
#   2. gcc, Release (-O3): everything but valgrind, bench, lint and stress;
#   3. clang, RelWithDebInfo: the unit, fixture and simulator tests (the
#      clang build is there for its warnings; the e2e tests already run on
#      three builds);
#   4. gcc, Debug with ASan + UBSan: everything but bench, lint and stress.
#
# The other three trees are built in the background, one after the other
# (ASan first: its tests take longest), while the tests of pass 1 run (most
# of a test's time is spent waiting on a simulated cluster); the tests of
# passes 4 and 2 then run side by side, with the fast part of
# scripts/hardening.sh beside them, and the tests of pass 3 last.  A background
# step's output is printed when its pass starts.
#
# A build that fails stops the script.  Failing tests do not: every pass
# runs, the failures are listed at the end and the script exits 1.
#
#   ./scripts/test.sh                     everything
#   ETLS_TEST_QUICK=1 ./scripts/test.sh   pass 1 and the hardening figures
set -eu

cd "$(dirname "$0")/.."
./scripts/install-deps.sh

jobs=$(nproc 2>/dev/null || echo 2)
# CTest runs twice as many tests as there are cores: most of a test's time
# is spent waiting on a simulated cluster (pass 1 used 28% of two cores
# with -j2).  ETLS_TEST_JOBS overrides.
tjobs=${ETLS_TEST_JOBS:-$((jobs * 2))}
failed=""
summary=""
start=$(date +%s)
logs=$(mktemp -d /tmp/etls-test-XXXXXX)
bg=""
trap 'if [ -n "$bg" ]; then kill "$bg" 2>/dev/null || :; fi; rm -rf "$logs"' \
    EXIT
trap 'exit 130' INT TERM

# fail WHAT : note a failure, keep going.
fail() {
    failed="$failed
  $1"
}

# pass NAME BUILD-DIR CTEST-ARGS... : run CTest on a built tree, keep going
# when tests fail, and note the time the tests took.
pass() {
    name=$1 dir=$2
    shift 2
    t0=$(date +%s)
    echo "== tests ($name)"
    if ! ctest --test-dir "$dir" --output-on-failure -j "$tjobs" "$@"; then
        fail "$name"
    fi
    summary="$summary
  $name: tests $(($(date +%s) - t0)) s"
}

# build NAME BUILD-DIR CC CMAKE-ARGS... : configure (the compiler counts
# when the build directory is new) and build with -Werror; prints the
# build time last.
build() {
    name=$1 dir=$2 cc=$3
    shift 3
    t0=$(date +%s)
    echo "== build ($name, -Werror)"
    CC=$cc cmake -S . -B "$dir" -DETLS_WERROR=ON "$@" >/dev/null &&
        cmake --build "$dir" -j "$jobs" || return 1
    echo "$name: build $(($(date +%s) - t0)) s"
}

# later : build trees 4, 2 and 3 one after the other, each one's output in
# $logs/<n>.log and its exit status in $logs/<n>.rc; stops at the first
# build that fails.
later() {
    for n in asan release clang; do
        case $n in
        asan)
            build "gcc Debug ASan + UBSan" build-asan gcc \
                -DCMAKE_BUILD_TYPE=Debug -DETLS_SANITIZE=address,undefined ;;
        release)
            build "gcc Release -O3" build-release gcc \
                -DCMAKE_BUILD_TYPE=Release ;;
        clang)
            build "clang RelWithDebInfo" build-clang clang \
                -DCMAKE_BUILD_TYPE=RelWithDebInfo ;;
        esac >"$logs/$n.log" 2>&1
        rc=$?
        echo $rc >"$logs/$n.rc"
        [ $rc = 0 ] || return 1
    done
}

# await N : wait for background build N, print its output; a failed build
# stops the script.
await() {
    while [ ! -f "$logs/$1.rc" ] && kill -0 "$bg" 2>/dev/null; do
        sleep 2
    done
    cat "$logs/$1.log" 2>/dev/null || :
    if [ "$(cat "$logs/$1.rc" 2>/dev/null)" != 0 ]; then
        echo "== build ($1) failed" >&2
        exit 1
    fi
    summary="$summary
  $(tail -n 1 "$logs/$1.log")"
}

build "gcc RelWithDebInfo" build gcc -DCMAKE_BUILD_TYPE=RelWithDebInfo
summary="$summary
  gcc RelWithDebInfo: build $(($(date +%s) - start)) s (with install-deps)"
if [ "${ETLS_TEST_QUICK:-0}" != "1" ]; then
    (set +e; later) &
    bg=$!
    echo "== builds 4, 2, 3 in the background (output at their passes)"
fi
pass "gcc RelWithDebInfo" build --timeout 600

# The fast part of the hardening figures (docs/security.md), in the
# background beside pass 4 (it runs its own dcos-sims).
echo "== hardening figures (fast part): output after pass 4"
./scripts/hardening.sh --fast build >"$logs/hardening.log" 2>&1 &
hard=$!

if [ "${ETLS_TEST_QUICK:-0}" != "1" ]; then
    # The Release tests run beside the ASan ones (both mostly wait on
    # simulated clusters); their output is printed after the ASan pass.
    await asan
    await release
    (
        t0=$(date +%s)
        ctest --test-dir build-release --output-on-failure -j "$jobs" \
            --timeout 600 -LE 'valgrind|bench|lint|stress' \
            >"$logs/release-tests.log" 2>&1
        echo $? >"$logs/release-tests.rc"
        echo "$(($(date +%s) - t0))" >"$logs/release-tests.time"
    ) &
    rel=$!
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    export ASAN_OPTIONS UBSAN_OPTIONS
    pass "gcc Debug ASan + UBSan" build-asan --timeout 900 \
        -LE 'bench|lint|stress'
    unset ASAN_OPTIONS UBSAN_OPTIONS
    wait "$rel" || :
    echo "== tests (gcc Release -O3, run beside the ASan pass)"
    cat "$logs/release-tests.log"
    [ "$(cat "$logs/release-tests.rc" 2>/dev/null)" = 0 ] ||
        fail "gcc Release -O3"
    summary="$summary
  gcc Release -O3: tests $(cat "$logs/release-tests.time" 2>/dev/null) s \
(beside the ASan tests)"
fi

hrc=0
wait "$hard" || hrc=$?
echo "== hardening figures (fast part)"
cat "$logs/hardening.log"
[ "$hrc" = 0 ] || fail "hardening figures"

if [ "${ETLS_TEST_QUICK:-0}" != "1" ]; then
    await clang
    pass "clang RelWithDebInfo" build-clang --timeout 600 \
        -LE 'valgrind|bench|lint|stress|e2e'
fi

echo "== time per pass (builds 2-4 overlap the tests of earlier passes):$summary
  total: $(($(date +%s) - start)) s"
if [ -n "$failed" ]; then
    echo "== FAILED: tests failed in:$failed"
    exit 1
fi
echo "== all passes succeeded"
