#!/usr/bin/env bash
# The runbook that etls replaces, done by hand with curl(1) and openssl(1):
# the baseline of the benchmark of issue 11 (docs/bench.md, "runbook_curl").
#
# For each service <prefix>000 .. <prefix>N-1, one after another, as a
# person or a naive script would:
#   1. openssl genpkey: an RSA-2048 key pair (PKCS#8 private, SPKI public);
#   2. PUT  /acs/api/v1/users/<svc>                     (the service account)
#   3. PUT  /secrets/v1/secret/default/<svc>/secret     (create-sa-secret)
#   4. PUT  /acs/api/v1/groups/superusers/users/<svc>
#   5. POST /package/install   beta-elastic with TLS and X-Pack
#   6. GET  /service/<svc>/v1/plans/deploy every --poll seconds until
#      COMPLETE, then GET .../endpoints/coordinator-http and check that the
#      node answers HTTPS verified against the cluster CA under its DNS name
#      and that plain HTTP is refused.
# Names, secret path and options are those etls gives the same desired
# state (docs/plan.md), so `etls plan` finds the result up to date.
#
# Every request is a separate curl process (one connection per call), TLS
# verified with the cluster CA.  Secrets never go on argv: the login body,
# the token header, the secret body and the node credentials are files of
# mode 0600 in a private temporary directory, removed on exit.
#
# Output: one line
#   runbook_curl: services=N seconds=S curl_calls=C keygen_seconds=K failures=F
# on stdout (progress and errors on stderr).  Exit 0 only when every service
# is COMPLETE and verified; 1 otherwise; 2 on bad usage.
set -euo pipefail

usage() {
    echo "usage: runbook_curl.sh --sim DIR --services N [--prefix P]" \
        "[--poll SECONDS] [--deadline SECONDS]" >&2
    exit 2
}

sim_dir=""
services=""
prefix="svc-"
poll=1
deadline=300
while [ $# -gt 0 ]; do
    case "$1" in
    --sim) [ $# -ge 2 ] || usage; sim_dir=$2; shift 2 ;;
    --services) [ $# -ge 2 ] || usage; services=$2; shift 2 ;;
    --prefix) [ $# -ge 2 ] || usage; prefix=$2; shift 2 ;;
    --poll) [ $# -ge 2 ] || usage; poll=$2; shift 2 ;;
    --deadline) [ $# -ge 2 ] || usage; deadline=$2; shift 2 ;;
    -h | --help) usage ;;
    *) echo "runbook_curl: unknown argument: $1" >&2; usage ;;
    esac
done
[ -n "$sim_dir" ] || usage
case "$services" in '' | *[!0-9]*) usage ;; esac
if [ "$services" -lt 1 ] || [ "$services" -gt 1000 ]; then usage; fi
case "$prefix" in '' | *[!a-z0-9-]*) usage ;; esac
case "$poll" in '' | *[!0-9.]* | *.*.* | .) usage ;; esac
case "$deadline" in '' | *[!0-9]*) usage ;; esac
[ "$deadline" -ge 1 ] || usage

# Microseconds since the epoch, without a process (bash 5).
now_us() {
    local t=${EPOCHREALTIME/[^0-9]/}
    echo "$((10#$t))"
}
fmt_s() { # microseconds -> seconds with 3 decimals
    printf '%d.%03d' "$(($1 / 1000000))" "$(($1 % 1000000 / 1000))"
}
log() { echo "runbook_curl: $*" >&2; }

start_us=$(now_us)
cluster="$sim_dir/cluster.json"
if [ ! -s "$cluster" ]; then
    log "$cluster: missing or empty (is dcos-sim running?)"
    exit 1
fi
url=$(sed -n 's/.*"url": *"\([^"]*\)".*/\1/p' "$cluster")
ca=$(sed -n 's/.*"ca_cert": *"\([^"]*\)".*/\1/p' "$cluster")
if [ -z "$url" ] || [ ! -s "$ca" ]; then
    log "$cluster: no url or no readable ca_cert"
    exit 1
fi

umask 077
work=$(mktemp -d "${TMPDIR:-/tmp}/runbook-curl-XXXXXX")
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

curl_calls=0
keygen_us=0
code=000   # HTTP status of the last call (000: no HTTP answer)
crc=0      # exit status of the last curl
# call OUT CURL-ARGS...: one curl process, one connection; the body goes to
# OUT, the status to $code and curl's exit status to $crc.
call() {
    local out=$1
    shift
    curl_calls=$((curl_calls + 1))
    crc=0
    curl -sS --max-time 30 --cacert "$ca" -o "$out" -w '%{http_code}' \
        "$@" >"$work/code" 2>"$work/curl.err" || crc=$?
    code=000
    read -r code <"$work/code" || true
}
# api METHOD PATH [CURL-ARGS...]: a call to the master API with the token.
api() {
    local method=$1 path=$2
    shift 2
    call "$work/body" -X "$method" -H @"$work/auth" "$@" "$url$path"
}

# Log in once, as `dcos auth login` does; the token goes straight from the
# answer into the header file.
user=$(sed -n 's/.*"uid": *"\([^"]*\)".*/\1/p' "$cluster")
sed -n 's/.*"password": *"\([^"]*\)".*/{"uid":"'"$user"'","password":"\1"}/p' \
    "$cluster" >"$work/login.json"
call "$work/login.out" -H 'Content-Type: application/json' \
    --data @"$work/login.json" "$url/acs/api/v1/auth/login"
rm -f "$work/login.json"
if [ "$code" != 200 ]; then
    log "login: HTTP $code (curl exit $crc)"
    exit 1
fi
sed -n 's/.*"token": *"\([^"]*\)".*/Authorization: token=\1/p' \
    "$work/login.out" >"$work/auth"
rm -f "$work/login.out"
[ -s "$work/auth" ] || { log "login: no token in the answer"; exit 1; }

# The node's credentials: X-Pack's default user of the package's options
# (elasticsearch.health_user / health_user_password), as a curl config.
printf 'user = "elastic:changeme"\n' >"$work/node.conf"

# pem_json FILE [1]: the PEM as the content of a JSON string (newlines as
# \n), or with 1 as the content of a JSON string inside a JSON string (\\n).
pem_json() {
    awk -v twice="${2:-0}" '{ printf "%s%s", $0, (twice ? "\\\\n" : "\\n") }' "$1"
}

# fail MESSAGE: log MESSAGE (with curl's error when the last call had one)
# for service $svc; returns 1.
fail() {
    local why=""
    if [ "$crc" != 0 ] && [ -s "$work/curl.err" ]; then
        why=" ($(head -n 1 "$work/curl.err"))"
    fi
    log "$svc: $*$why"
    return 1
}

# The distinct statuses of the plan in $work/body (plan, phases, steps),
# one a line.  The plan is COMPLETE exactly when all of them are, whatever
# the order of its members.
plan_statuses() {
    tr -d ' \n' <"$work/body" | grep -o '"status":"[A-Z_]*"' |
        sed 's/.*:"\(.*\)"/\1/' | sort -u
}

# One service of the runbook; 0 when COMPLETE and verified.
runbook_one() {
    local svc=$1 t0 t_end dns addr host port
    local cosmos='application/vnd.dcos.package'

    # 1. key pair
    t0=$(now_us)
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
        -out "$work/key.pem" 2>"$work/openssl.err" ||
        fail "openssl genpkey failed" || return 1
    keygen_us=$((keygen_us + $(now_us) - t0))
    openssl pkey -in "$work/key.pem" -pubout -out "$work/pub.pem" \
        2>"$work/openssl.err" || fail "openssl pkey -pubout failed" ||
        return 1

    # 2. service account with the public key
    printf '{"description":"Service account for %s","public_key":"%s"}' \
        "$svc" "$(pem_json "$work/pub.pem")" >"$work/account.json"
    api PUT "/acs/api/v1/users/$svc" -H 'Content-Type: application/json' \
        --data @"$work/account.json"
    [ "$code" = 201 ] || fail "create account: HTTP $code" || return 1

    # 3. the private key as a create-sa-secret secret (double-encoded JSON)
    {
        printf '{"value":"{\\"scheme\\":\\"RS256\\",\\"uid\\":\\"%s\\",' "$svc"
        printf '\\"private_key\\":\\"'
        pem_json "$work/key.pem" 1
        printf '\\",\\"login_endpoint\\":'
        printf '\\"https://leader.mesos/acs/api/v1/auth/login\\"}"}'
    } >"$work/secret.json"
    rm -f "$work/key.pem"
    api PUT "/secrets/v1/secret/default/$svc/secret" \
        -H 'Content-Type: application/json' --data @"$work/secret.json"
    rm -f "$work/secret.json"
    [ "$code" = 201 ] || fail "store secret: HTTP $code" || return 1

    # 4. superusers
    api PUT "/acs/api/v1/groups/superusers/users/$svc" --data ''
    [ "$code" = 204 ] || fail "add to superusers: HTTP $code" || return 1

    # 5. install
    printf '{"packageName":"beta-elastic","options":{"service":{"name":"%s",%s' \
        "$svc" '"service_account":"'"$svc"'",' >"$work/install.json"
    printf '"service_account_secret":"%s/secret","security":' "$svc" \
        >>"$work/install.json"
    printf '{"transport_encryption":{"enabled":true}}},%s}}' \
        '"elasticsearch":{"xpack_enabled":true}' >>"$work/install.json"
    api POST /package/install \
        -H "Content-Type: $cosmos.install-request+json;charset=utf-8;version=v1" \
        -H "Accept: $cosmos.install-response+json;charset=utf-8;version=v2,$cosmos.error+json;charset=utf-8;version=v1" \
        --data @"$work/install.json"
    [ "$code" = 200 ] || fail "install: HTTP $code" || return 1

    # 6. wait for the deploy plan, as `dcos elastic plan status deploy`
    # in a loop would: 200 with COMPLETE is done, 202 is in progress, 417
    # has errors; 404/5xx while the new scheduler starts are waited out.
    t_end=$(($(now_us) + deadline * 1000000))
    while :; do
        api GET "/service/$svc/v1/plans/deploy"
        if [ "$code" = 200 ] && [ "$(plan_statuses)" = COMPLETE ]; then
            break
        fi
        if [ "$code" = 417 ]; then
            fail "deploy plan has errors: $(tr -d '\n' <"$work/body" |
                cut -c1-300)" || return 1
        fi
        [ "$(now_us)" -lt "$t_end" ] ||
            fail "deploy plan not COMPLETE after ${deadline}s (HTTP $code)" ||
            return 1
        sleep "$poll"
    done

    # ... then the node: HTTPS verified under its DNS name, no plain HTTP.
    while :; do
        api GET "/service/$svc/v1/endpoints/coordinator-http"
        if [ "$code" = 200 ]; then
            dns=$(tr -d ' \n' <"$work/body" |
                sed -n 's/.*"dns":\["\([^"]*\)".*/\1/p')
            addr=$(tr -d ' \n' <"$work/body" |
                sed -n 's/.*"address":\["\([^"]*\)".*/\1/p')
            if [ -n "$dns" ] && [ -n "$addr" ]; then
                host=${dns%:*}
                port=${dns##*:}
                call "$work/node" -K "$work/node.conf" \
                    --connect-to "$host:$port:$addr" "https://$dns/"
                if [ "$code" = 200 ] &&
                    grep -q '"cluster_name" *: *"'"$svc"'"' "$work/node"; then
                    break
                fi
            fi
        fi
        [ "$(now_us)" -lt "$t_end" ] ||
            fail "no verified HTTPS answer (HTTP $code, curl exit $crc)" ||
            return 1
        sleep "$poll"
    done
    call "$work/node" -K "$work/node.conf" \
        --connect-to "$host:$port:$addr" "http://$dns/"
    if [ "$crc" = 0 ] || [ "$code" != 000 ]; then
        fail "plain HTTP to $dns answered (HTTP $code)" || return 1
    fi
    log "$svc: COMPLETE, HTTPS verified, plain HTTP refused"
}

failures=0
i=0
while [ "$i" -lt "$services" ]; do
    svc=$(printf '%s%03d' "$prefix" "$i")
    runbook_one "$svc" || failures=$((failures + 1))
    i=$((i + 1))
done

printf 'runbook_curl: services=%d seconds=%s curl_calls=%d keygen_seconds=%s failures=%d\n' \
    "$services" "$(fmt_s $(($(now_us) - start_us)))" "$curl_calls" \
    "$(fmt_s "$keygen_us")" "$failures"
[ "$failures" = 0 ]
