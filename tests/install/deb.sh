#!/bin/sh
# The Debian package installs and works (issue 13): cpack -G DEB in the
# build tree BUILD, the package unpacked into a scratch root (dpkg-deb -x:
# the system is not touched), then, from that root only: etls --help and
# version, etls validate on every shipped example, both manual pages
# through man -l without a warning, the bash completion, the Depends line
# of the package, and a plan of the shipped example against the installed
# dcos-sim started with the installed catalog.
#
#   tests/install/deb.sh BUILD
set -eu

build=$1
tmp=$(mktemp -d /tmp/etls-deb-XXXXXX)
sim_pid=""
cleanup() {
    if [ -n "$sim_pid" ]; then
        kill "$sim_pid" 2>/dev/null || true
        wait "$sim_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

(cd "$build" && cpack -G DEB -B "$tmp/pkg" >"$tmp/cpack.log" 2>&1) ||
    { cat "$tmp/cpack.log" >&2; fail "cpack -G DEB"; }
deb=$(ls "$tmp"/pkg/etls_*.deb)
echo "package: $(basename "$deb")"

# Depends: what the binaries link, from dpkg-shlibdeps.
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libc6 libcurl4 libssl3 libjansson4 libev4 libyaml-0-2 \
    libmicrohttpd12; do
    case ", $depends," in
    *", $lib "* | *", $lib,"*) ;;
    *) fail "Depends lacks $lib" ;;
    esac
done
[ "$(dpkg-deb -f "$deb" Package)" = etls ] || fail "package name"

root=$tmp/root
dpkg-deb -x "$deb" "$root"
for f in usr/bin/etls usr/bin/dcos-sim usr/share/man/man1/etls.1 \
    usr/share/man/man1/dcos-sim.1 \
    usr/share/bash-completion/completions/etls \
    usr/share/doc/etls/examples/elastic-tls.json \
    usr/lib/systemd/system/etls.service \
    usr/share/dcos-sim/catalog/beta-elastic/README.md; do
    [ -e "$root/$f" ] || fail "the package lacks /$f"
done
if dpkg-deb -c "$deb" | grep -E ' \./usr/(local|include)/|/tests?/' >&2; then
    fail "the package holds build or test files"
fi

etls=$root/usr/bin/etls
"$etls" --help >"$tmp/help" || fail "etls --help"
grep -q '^Usage: etls COMMAND' "$tmp/help" || fail "etls --help: no usage"
"$etls" version >"$tmp/version" || fail "etls version"
for lib in libcurl OpenSSL jansson libev libyaml commit; do
    grep -q "^$lib:" "$tmp/version" || fail "etls version lacks $lib"
done

# Every shipped example validates offline.
n=0
for f in "$root"/usr/share/doc/etls/examples/*.json \
    "$root"/usr/share/doc/etls/examples/*.yaml; do
    "$etls" validate -f "$f" >/dev/null || fail "etls validate -f $f"
    n=$((n + 1))
done
[ "$n" -ge 5 ] || fail "only $n examples"
echo "validated $n examples"

# The manual pages render without a warning.
for page in etls dcos-sim; do
    out=$(MANWIDTH=80 man --warnings -l \
        "$root/usr/share/man/man1/$page.1" 2>"$tmp/man.err") ||
        fail "man -l $page.1"
    [ ! -s "$tmp/man.err" ] || { cat "$tmp/man.err" >&2; fail "man $page"; }
    printf '%s\n' "$out" | grep -q '^NAME' || fail "man $page: no NAME"
    if printf '%s\n' "$out" | grep -q '@ETLS_VERSION@'; then
        fail "man $page: version not substituted"
    fi
done

# The completion, with stand-ins for the bash-completion helpers.
bash -c '
    _init_completion() { cur=${COMP_WORDS[COMP_CWORD]};
        prev=${COMP_WORDS[COMP_CWORD-1]}; words=("${COMP_WORDS[@]}");
        cword=$COMP_CWORD; }
    _filedir() { :; }
    . "$1"
    COMP_WORDS=(etls plan -o m); COMP_CWORD=3; _etls
    [ "${COMPREPLY[*]}" = markdown ] || exit 1
    COMP_WORDS=(etls pl); COMP_CWORD=1; _etls
    [ "${COMPREPLY[*]}" = plan ] || exit 2
    COMP_WORDS=(etls plan --detailed); COMP_CWORD=2; _etls
    [ "${COMPREPLY[*]}" = --detailed-exitcode ] || exit 3
' completion "$root/usr/share/bash-completion/completions/etls" ||
    fail "bash completion (case $?)"

# The installed programs together: dcos-sim with the installed catalog,
# a plan of the shipped example.
"$root/usr/bin/dcos-sim" --listen 127.0.0.1:0 --state-dir "$tmp/sim" \
    --catalog "$root/usr/share/dcos-sim/catalog" --speed 50 \
    2>"$tmp/sim.log" &
sim_pid=$!
i=0
while [ ! -s "$tmp/sim/cluster.json" ]; do
    i=$((i + 1))
    [ "$i" -le 300 ] || { cat "$tmp/sim.log" >&2; fail "dcos-sim start"; }
    sleep 0.1
done
rc=0
"$etls" plan --sim "$tmp/sim" --detailed-exitcode --no-color \
    -f "$root/usr/share/doc/etls/examples/elastic-tls.json" \
    >"$tmp/plan" 2>&1 || rc=$?
[ "$rc" = 2 ] || { cat "$tmp/plan" >&2; fail "plan exit $rc, not 2"; }
grep -q '^Plan: 4 to add, 0 to change, 0 to destroy.' "$tmp/plan" ||
    { cat "$tmp/plan" >&2; fail "plan"; }
echo "ok: the package installs and works"
