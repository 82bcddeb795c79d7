#!/bin/sh
# Run the whole etls test suite on a fresh Debian 12 machine:
# install what is missing, build (plain and ASan/UBSan), run every CTest
# test (unit, fixture and end-to-end against dcos-sim on 127.0.0.1).
#
#   ./scripts/test.sh            everything
#   ETLS_TEST_QUICK=1 ./scripts/test.sh   skip the sanitizer build
set -eu

cd "$(dirname "$0")/.."
./scripts/install-deps.sh

jobs=$(nproc 2>/dev/null || echo 2)

echo "== build (RelWithDebInfo, -Werror)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$jobs"

echo "== tests"
ctest --test-dir build --output-on-failure -j "$jobs" --timeout 600

if [ "${ETLS_TEST_QUICK:-0}" != "1" ]; then
    echo "== build (ASan + UBSan)"
    cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug \
        -DETLS_SANITIZE=address,undefined >/dev/null
    cmake --build build-asan -j "$jobs"
    echo "== tests under ASan + UBSan"
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --test-dir build-asan --output-on-failure -j "$jobs" \
        --timeout 900 -LE bench
fi
