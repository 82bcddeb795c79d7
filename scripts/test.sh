#!/bin/sh
# Run the whole etls test suite on a fresh Debian 12 machine: install what
# is missing, then build and test in four configurations (docs/testing.md),
# every build with -Werror:
#
#   1. gcc, RelWithDebInfo: every CTest test (unit, fixture, e2e against
#      dcos-sim on 127.0.0.1, valgrind, bench, fuzz replay, lint);
#   2. gcc, Release (-O3): everything but valgrind, bench, lint and stress;
#   3. clang, RelWithDebInfo: the unit, fixture and simulator tests (the
#      clang build is there for its warnings; the e2e tests already run on
#      three builds);
#   4. gcc, Debug with ASan + UBSan: everything but bench, lint and stress.
#
# A build that fails stops the script.  Failing tests do not: every pass
# runs, the failures are listed at the end and the script exits 1.
#
#   ./scripts/test.sh                     everything
#   ETLS_TEST_QUICK=1 ./scripts/test.sh   pass 1 only
set -eu

cd "$(dirname "$0")/.."
./scripts/install-deps.sh

jobs=$(nproc 2>/dev/null || echo 2)
failed=""
summary=""

# pass NAME BUILD-DIR CTEST-ARGS... : run CTest on a built tree, keep going
# when tests fail, and note the time the pass took.
pass() {
    name=$1 dir=$2 t0=$3
    shift 3
    echo "== tests ($name)"
    if ! ctest --test-dir "$dir" --output-on-failure -j "$jobs" "$@"; then
        failed="$failed
  $name"
    fi
    summary="$summary
  $name: $(($(date +%s) - t0)) s (build + tests)"
}

# build NAME BUILD-DIR CC CMAKE-ARGS... : configure (the compiler counts
# when the build directory is new) and build with -Werror.
build() {
    name=$1 dir=$2 cc=$3
    shift 3
    echo "== build ($name, -Werror)"
    CC=$cc cmake -S . -B "$dir" -DETLS_WERROR=ON "$@" >/dev/null
    cmake --build "$dir" -j "$jobs"
}

t=$(date +%s)
build "gcc RelWithDebInfo" build gcc -DCMAKE_BUILD_TYPE=RelWithDebInfo
pass "gcc RelWithDebInfo" build "$t" --timeout 600
# The fast part of the hardening figures (docs/security.md).
echo "== hardening figures (fast part)"
if ! ./scripts/hardening.sh --fast build; then
    failed="$failed
  hardening figures"
fi

if [ "${ETLS_TEST_QUICK:-0}" != "1" ]; then
    t=$(date +%s)
    build "gcc Release -O3" build-release gcc -DCMAKE_BUILD_TYPE=Release
    pass "gcc Release -O3" build-release "$t" --timeout 600 \
        -LE 'valgrind|bench|lint|stress'

    t=$(date +%s)
    build "clang RelWithDebInfo" build-clang clang \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo
    pass "clang RelWithDebInfo" build-clang "$t" --timeout 600 \
        -LE 'valgrind|bench|lint|stress|e2e'

    t=$(date +%s)
    build "gcc Debug ASan + UBSan" build-asan gcc -DCMAKE_BUILD_TYPE=Debug \
        -DETLS_SANITIZE=address,undefined
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    export ASAN_OPTIONS UBSAN_OPTIONS
    pass "gcc Debug ASan + UBSan" build-asan "$t" --timeout 900 \
        -LE 'bench|lint|stress'
fi

echo "== time per pass:$summary"
if [ -n "$failed" ]; then
    echo "== FAILED: tests failed in:$failed"
    exit 1
fi
echo "== all passes succeeded"
