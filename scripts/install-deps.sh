#!/bin/sh
# Install the Debian 12 packages etls needs to build, test and run its demo
# (clang: the second compiler scripts/test.sh builds with; libclang-rt-14-dev:
# its libFuzzer and sanitizer runtimes, for the -DETLS_FUZZ=ON build of
# scripts/hardening.sh, only a recommendation of clang-14; dpkg-dev, man-db
# and git: the tests of the Debian package and of a clean clone; prometheus: its
# promtool checks the /metrics of etls run and the example alert rules).
# Does nothing when everything is present; otherwise, as root, runs
# `apt-get update` once and `apt-get install` for what is missing.
set -eu

PKGS="build-essential cmake pkg-config curl ca-certificates openssl
libcurl4-openssl-dev libjansson-dev libssl-dev libev-dev
libmicrohttpd-dev libcmocka-dev libyaml-dev libgit2-dev valgrind clang
libclang-rt-14-dev prometheus dpkg-dev man-db git"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
            grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    exit 0
fi

echo "install-deps: installing:$missing" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-deps: missing packages and not root:$missing" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
