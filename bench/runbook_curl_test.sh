#!/usr/bin/env bash
# Check of bench/runbook_curl.sh (CTest bench_runbook_curl, docs/bench.md):
# start a private dcos-sim, run the curl(1) runbook for N services, then ask
# `etls plan` whether the cluster matches the desired state etls would be
# given for those services.  Exit 0 only when the runbook succeeded (every
# service COMPLETE and verified over HTTPS) and the plan is "No changes".
#
#   runbook_curl_test.sh --bin BUILD/bin [--services N] [--speed X]
#                        [--poll SECONDS]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
bin=""
services=1
speed=200
poll=1
while [ $# -gt 0 ]; do
    case "$1" in
    --bin) bin=$2; shift 2 ;;
    --services) services=$2; shift 2 ;;
    --speed) speed=$2; shift 2 ;;
    --poll) poll=$2; shift 2 ;;
    *) echo "runbook_curl_test: unknown argument: $1" >&2; exit 2 ;;
    esac
done
if [ ! -x "$bin/dcos-sim" ] || [ ! -x "$bin/etls" ]; then
    echo "runbook_curl_test: --bin must hold dcos-sim and etls" >&2
    exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/runbook-curl-test-XXXXXX")
sim_pid=""
cleanup() {
    if [ -n "$sim_pid" ]; then
        kill -TERM "$sim_pid" 2>/dev/null || true
        wait "$sim_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$bin/dcos-sim" --listen 127.0.0.1:0 --state-dir "$work/sim" \
    --speed "$speed" --catalog "$here/../sim/catalog" --log-level warn \
    2>"$work/sim.log" &
sim_pid=$!
i=0
while [ ! -s "$work/sim/cluster.json" ]; do
    i=$((i + 1))
    if [ "$i" -gt 300 ] || ! kill -0 "$sim_pid" 2>/dev/null; then
        echo "runbook_curl_test: dcos-sim did not start; its log:" >&2
        cat "$work/sim.log" >&2
        exit 1
    fi
    sleep 0.1
done

rc=0
bash "$here/runbook_curl.sh" --sim "$work/sim" --services "$services" \
    --poll "$poll" || rc=$?
if [ "$rc" != 0 ]; then
    echo "runbook_curl_test: runbook_curl.sh exited $rc" >&2
    exit 1
fi

# The desired state of those services, as docs/manifest.md writes it.
mkdir "$work/docs"
i=0
while [ "$i" -lt "$services" ]; do
    svc=$(printf 'svc-%03d' "$i")
    printf '{"service":{"name":"%s","service_account":"%s",%s},%s}\n' \
        "$svc" "$svc" \
        '"service_account_secret":"'"$svc"'/secret","security":{"transport_encryption":{"enabled":true}}' \
        '"elasticsearch":{"xpack_enabled":true}' >"$work/docs/$svc.json"
    i=$((i + 1))
done
rc=0
"$bin/etls" plan --sim "$work/sim" -f "$work/docs" --detailed-exitcode \
    >"$work/plan.out" 2>&1 || rc=$?
cat "$work/plan.out"
up=$(grep -c '^Service svc-[0-9]*: up to date\.$' "$work/plan.out" || true)
if [ "$rc" != 0 ] || [ "$up" != "$services" ] ||
    ! grep -q '^No changes\.' "$work/plan.out"; then
    echo "runbook_curl_test: etls plan exited $rc, $up of $services" \
        "services up to date" >&2
    exit 1
fi
echo "runbook_curl_test: ok: $services services COMPLETE and verified," \
    "etls plan: up to date"
