#!/bin/sh
# A new user follows the README (issue 13): a clean clone of the committed
# tree into a scratch directory, then the demo command exactly as the
# README's "Try it" section gives it, end to end (install what is missing,
# build, dcos-sim, plan, apply, drift, repair, verification).  The README's
# other command, scripts/test.sh, is what CI runs on every change; here it
# is checked to be there, executable and named by the README.  Label
# stress: it builds the two programs from scratch.
#
#   tests/install/readme.sh SOURCE_DIR
set -eu

src=$1
tmp=$(mktemp -d /tmp/etls-readme-XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

git clone -q "$src" "$tmp/etls" || fail "git clone $src"
cd "$tmp/etls"
[ -z "$(git status --porcelain)" ] || fail "the clone is not clean"

# The commands of the README's "Try it" section, in its order.
section=$(sed -n '/^## Try it/,/^## /p' README.md)
cmds=$(printf '%s\n' "$section" | sed -n '/^```/,/^```/p' | grep -v '^```')
printf 'README commands:\n%s\n' "$cmds"
demo=$(printf '%s\n' "$cmds" | grep -x './scripts/demo.sh') ||
    fail "the README does not give ./scripts/demo.sh"
printf '%s\n' "$cmds" | grep -qx './scripts/test.sh' ||
    fail "the README does not give ./scripts/test.sh"
[ -x scripts/test.sh ] || fail "scripts/test.sh is not executable"

ETLS_DEMO_SPEED=${ETLS_DEMO_SPEED:-100} NO_COLOR=1 \
    sh -c "$demo" >"$tmp/demo.log" 2>&1 ||
    { cat "$tmp/demo.log" >&2; fail "$demo"; }
for want in 'Plan: 4 to add, 0 to change, 0 to destroy.' \
    'Apply complete!' 'No changes.' 'plain HTTP to' \
    'done: the service is TLS-encrypted and verified'; do
    grep -qF "$want" "$tmp/demo.log" ||
        { cat "$tmp/demo.log" >&2; fail "the demo did not show: $want"; }
done
echo "ok: the README's demo runs from a clean clone"
