#!/bin/sh
# etls demo on a fresh Debian 12 machine: installs what is missing, builds,
# starts dcos-sim (a local DC/OS Enterprise cluster), converges the Elastic
# service of manifests/elastic-tls.json with etls, then disables TLS out of
# band through the DC/OS API (as a person would, with curl), shows the drift
# with `etls plan` and repairs it with `etls apply`; then runs the controller
# (`etls run`), breaks TLS by hand again and watches it come back.
set -eu

cd "$(dirname "$0")/.."
./scripts/install-deps.sh

jobs=$(nproc 2>/dev/null || echo 2)
echo "== building"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$jobs" --target etls dcos-sim >/dev/null

ETLS=./build/bin/etls
MANIFEST=manifests/elastic-tls.json
SPEED=${ETLS_DEMO_SPEED:-20}
state=$(mktemp -d /tmp/etls-demo-XXXXXX)
hdr="$state/auth-header"
sim_pid=""

run_pid=""

cleanup() {
    if [ -n "$run_pid" ]; then
        kill "$run_pid" 2>/dev/null || true
        wait "$run_pid" 2>/dev/null || true
    fi
    if [ -n "$sim_pid" ]; then
        kill "$sim_pid" 2>/dev/null || true
        wait "$sim_pid" 2>/dev/null || true
    fi
    rm -rf "$state"
}
trap cleanup EXIT INT TERM

step() {
    printf '\n\033[1m== %s\033[0m\n' "$*"
}

step "starting dcos-sim (speed x$SPEED) in $state"
./build/bin/dcos-sim --listen 127.0.0.1:0 --state-dir "$state" \
    --speed "$SPEED" 2>"$state/sim.log" &
sim_pid=$!
i=0
while [ ! -s "$state/cluster.json" ]; do
    i=$((i + 1))
    if [ "$i" -gt 100 ]; then
        echo "dcos-sim did not start; its log:" >&2
        cat "$state/sim.log" >&2
        exit 1
    fi
    sleep 0.1
done
url=$(sed -n 's/.*"url": *"\([^"]*\)".*/\1/p' "$state/cluster.json")
ca=$(sed -n 's/.*"ca_cert": *"\([^"]*\)".*/\1/p' "$state/cluster.json")
echo "cluster: $url (CA $ca)"

step "etls validate -f $MANIFEST"
$ETLS validate -f "$MANIFEST"

step "etls plan (empty cluster; exit 2 = changes pending)"
rc=0
$ETLS plan --sim "$state" -f "$MANIFEST" --detailed-exitcode || rc=$?
echo "exit status: $rc"

step "etls apply"
$ETLS apply --sim "$state" -f "$MANIFEST" --auto-approve

step "etls plan again (exit 0 = no changes)"
$ETLS plan --sim "$state" -f "$MANIFEST" --detailed-exitcode

step "drift: an operator disables TLS through the DC/OS API with curl"
# Log in as the bootstrap user; the token goes to a 0600 header file, never
# into argv.
umask 077
token=$(curl -sS --cacert "$ca" -H 'Content-Type: application/json' \
    -d '{"uid":"bootstrapuser","password":"deleteme"}' \
    "$url/acs/api/v1/auth/login" | sed -n 's/.*"token": *"\([^"]*\)".*/\1/p')
printf 'Authorization: token=%s\n' "$token" >"$hdr"
token=""
# What an operator would type to turn TLS off (used again in the run step).
break_tls() {
    curl -sS --cacert "$ca" -H @"$hdr" -o /dev/null -w 'cosmos update: HTTP %{http_code}\n' \
        -H 'Content-Type: application/vnd.dcos.service.update-request+json;charset=utf-8;version=v1' \
        -H 'Accept: application/vnd.dcos.service.update-response+json;charset=utf-8;version=v1' \
        -d '{"appId":"/elastic","replace":false,"options":{"service":{"update_strategy":"parallel","security":{"transport_encryption":{"enabled":false}}}}}' \
        "$url/cosmos/service/update"
}
break_tls
i=0
printf 'waiting for the plain-text rollout'
while :; do
    i=$((i + 1))
    code=$(curl -sS --cacert "$ca" -H @"$hdr" -o "$state/plan.json" \
        -w '%{http_code}' "$url/service/elastic/v1/plans/deploy" || true)
    if [ "$code" = 200 ] && grep -q -- '-update"' "$state/plan.json"; then
        break
    fi
    if [ "$i" -gt 600 ]; then
        echo " timed out" >&2
        exit 1
    fi
    printf '.'
    sleep 0.2
done
echo " done"
ep=$(curl -sS --cacert "$ca" -H @"$hdr" "$url/service/elastic/v1/endpoints/coordinator-http")
addr=$(printf '%s' "$ep" | sed -n 's/.*"address": *\[ *"\([^"]*\)".*/\1/p')
printf 'the coordinator now answers plain HTTP at %s: ' "$addr"
curl -sS -o /dev/null -w 'HTTP %{http_code}\n' -u elastic:changeme "http://$addr/"

step "etls plan shows the drift (exit 2)"
rc=0
$ETLS plan --sim "$state" -f "$MANIFEST" --detailed-exitcode || rc=$?
echo "exit status: $rc"

step "etls apply repairs it (parallel TLS toggle, then serial restored)"
$ETLS apply --sim "$state" -f "$MANIFEST" --auto-approve

step "check by hand: HTTPS with the cluster CA under the service's DNS name"
dns=$(curl -sS --cacert "$ca" -H @"$hdr" "$url/service/elastic/v1/endpoints/coordinator-http" |
    sed -n 's/.*"dns": *\[ *"\([^"]*\)".*/\1/p')
addr=$(curl -sS --cacert "$ca" -H @"$hdr" "$url/service/elastic/v1/endpoints/coordinator-http" |
    sed -n 's/.*"address": *\[ *"\([^"]*\)".*/\1/p')
host=${dns%:*}
port=${dns##*:}
printf 'machine\n' >/dev/null
printf 'user = "elastic:changeme"\n' >"$state/curlrc"
curl -sS -K "$state/curlrc" --cacert "$ca" --connect-to "$host:$port:$addr" \
    "https://$dns/" | sed -n '1,12p'
printf 'plain HTTP to %s: ' "$addr"
if curl -sS -o /dev/null "http://$addr/" 2>/dev/null; then
    echo "ANSWERED (unexpected)"
    exit 1
else
    echo "refused"
fi
step "etls run: the controller keeps it that way (resync 5 s)"
$ETLS run --sim "$state" -f "$MANIFEST" --resync 5s --listen 127.0.0.1:0 \
    >"$state/run.log" 2>&1 &
run_pid=$!
# Bounded waits on what the daemon logs and serves.
wait_for() { # pattern file tries
    i=0
    while ! grep -q -- "$1" "$2" 2>/dev/null; do
        i=$((i + 1))
        if [ "$i" -gt "$3" ]; then
            echo "timed out waiting for '$1' in $2" >&2
            cat "$2" >&2
            exit 1
        fi
        sleep 0.2
    done
}
wait_for 'event=reconciled' "$state/run.log" 300
listen=$(sed -n 's/.* listen=\([0-9.:]*\).*/\1/p' "$state/run.log" | head -n 1)
$ETLS status --server "http://$listen"
echo "break TLS by hand again, and watch etls run bring it back:"
break_tls
wait_for 'event=reconciled service=elastic outcome=applied' "$state/run.log" 600
curl -sS "http://$listen/metrics" | grep '^etls_drift_corrections_total'
grep -E 'event=(reconciled|action-done|document-changed)' "$state/run.log" |
    sed 's/^ts=[^ ]* //' | cut -c1-150
$ETLS status --server "http://$listen"
kill -TERM "$run_pid"
wait "$run_pid"
echo "etls run stopped on SIGTERM (exit 0)"
run_pid=""

step "done: the service is TLS-encrypted and verified"
