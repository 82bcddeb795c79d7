#!/bin/sh
# Run issue 11's benchmarks (docs/performance.md): build a Release tree,
# run bench/bench_etls over every target, print the table and write it
# into docs/performance.md between its "bench:begin" and "bench:end"
# markers (the text around them is kept).
#
#   ./scripts/bench.sh                 the full run (about 15-25 min on 2 cores)
#   ./scripts/bench.sh --quick         fewer runs and sizes (a few minutes)
#   ./scripts/bench.sh --no-write      print the table, leave the doc alone
#   BENCH_ARGS="-t 3 -n 100" ./scripts/bench.sh   pass bench_etls options
#
# The machine should be otherwise idle: the figures are wall times.
set -eu

cd "$(dirname "$0")/.."
./scripts/install-deps.sh

write=1
args="-r 5 -n 100,1000,2000 -s 100 -R 100"
for a in "$@"; do
    case $a in
    --quick) args="-r 3 -n 100,1000 -s 20 -R 20" ;;
    --no-write) write=0 ;;
    *) echo "usage: scripts/bench.sh [--quick] [--no-write]" >&2; exit 2 ;;
    esac
done
if [ -n "${BENCH_ARGS:-}" ]; then
    args=$BENCH_ARGS
fi

dir=build-bench
jobs=$(nproc 2>/dev/null || echo 2)
echo "== build (Release) in $dir"
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$dir" -j "$jobs" --target etls dcos-sim bench_etls >/dev/null

rows=$(mktemp)
trap 'rm -f "$rows" "$rows.md" "$rows.rc" "$rows.new"' EXIT INT TERM
echo "== bench_etls $args"
load0=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$(date +%s)
runbook=""
if [ -f bench/runbook_curl.sh ]; then
    runbook="-b bench/runbook_curl.sh"
fi
# shellcheck disable=SC2086 # $args and $runbook are lists of options
{
    "$dir/bin/bench_etls" $args $runbook
    echo $? >"$rows.rc"
} | tee "$rows"
status=$(cat "$rows.rc")
secs=$(($(date +%s) - t0))

# The table: one line per row of bench_etls, key=value fields.
awk -v secs="$secs" '
function f(k,  i, n, kv) {
    for (i = 2; i <= NF; i++) {
        n = index($i, "=")
        if (substr($i, 1, n - 1) == k)
            return substr($i, n + 1)
    }
    return ""
}
function ms(v) { return v == "" ? "" : sprintf("%.0f ms", v) }
function met(v) { return v == "1" ? "yes" : v == "0" ? "**no**" : "" }
BEGIN {
    print "| # | Case | Result: median (min-max) | Limit | Met | etls CPU / RSS | sockets | requests | dcos-sim CPU per run / RSS |"
    print "|---|---|---|---|---|---|---|---|---|"
}
/^bench_etls: target=/ {
    t = f("target"); c = f("case"); res = ""; lim = ""; other = ""
    if (f("wall_ms_median") != "") {
        res = sprintf("%s (%s-%s), %s runs", ms(f("wall_ms_median")),
                      sprintf("%.0f", f("wall_ms_min")),
                      sprintf("%.0f", f("wall_ms_max")), f("runs"))
        if (f("ms_per_service") != "")
            res = res sprintf("; %.2f ms/service", f("ms_per_service"))
        if (f("plan_depth") != "")
            res = res "; plan depth " f("plan_depth")
        if (f("keygen_ms") != "")
            res = res "; keygen " ms(f("keygen_ms")) " on " f("keygen_cores") " cores"
        lim = f("limit_ms") == "" ? "" : ms(f("limit_ms"))
        if (f("rss_limit_mb") != "")
            lim = (lim == "" ? "" : lim ", ") "RSS <= 64 MB, sockets <= 64"
        m = f("met")
        if (f("rss_met") != "")
            m = (m == "" || m == "1") && f("rss_met") == "1" && f("sockets_met") == "1" ? "1" : "0"
        printf "| %s | %s | %s | %s | %s | %s / %s MB | %s | %s | %s ms / %s MB |\n",
            t, c, res, lim, met(m), ms(f("etls_cpu_ms")), f("etls_rss_mb"),
            f("sockets_max"), f("requests"), f("sim_cpu_ms_per_run"), f("sim_rss_mb")
    } else if (c == "linearity") {
        printf "| %s | %s | %s ms/service at %s services: ratio %s | <= %s | %s | | | | |\n",
            t, c, f("ms_per_service"), f("services"), f("ratio"), f("limit"), met(f("met"))
    } else if (f("idle_cpu_pct") != "") {
        printf "| %s | %s | idle CPU %s %%; peak RSS %s MB early (resyncs 10-15), %s MB late (the last 5 of %s; growth %s MB); churn %s s, %s s CPU | idle ~0 %%, growth <= 1 MB | %s | | | | - / %s MB |\n",
            t, c, f("idle_cpu_pct"), f("rss_mb_early"), f("rss_mb_late"),
            f("resyncs"), f("rss_growth_mb"), f("churn_s"), f("churn_cpu_s"),
            met(f("met")), f("sim_rss_mb")
    } else if (f("speedup") != "") {
        printf "| %s | %s | etls %s vs curl runbook %s: %sx faster | | | | | | |\n",
            t, c, ms(f("etls_ms")), ms(f("runbook_curl_ms")), f("speedup")
    }
}
END { printf "\nWhole run: %d s.\n", secs }
' "$rows" >"$rows.md"
echo
cat "$rows.md"

if [ "$write" = 1 ]; then
    doc=docs/performance.md
    {
        echo "<!-- bench:begin (written by scripts/bench.sh; edit outside the markers) -->"
        echo
        echo "Run of $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with local changes)')."
        echo "Machine: $(nproc) cores ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)),"
        echo "$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), Linux $(uname -r);"
        echo "load average before the run: $load0."
        echo "Command: \`scripts/bench.sh $*\` (\`bench_etls $args\`), Release build."
        echo
        cat "$rows.md"
        echo
        echo "<!-- bench:end -->"
    } >"$rows.new"
    if [ -f "$doc" ] && grep -q '^<!-- bench:begin' "$doc"; then
        awk -v new="$rows.new" '
            /^<!-- bench:begin/ { while ((getline l < new) > 0) print l; skip = 1; next }
            /^<!-- bench:end/ { skip = 0; next }
            !skip { print }' "$doc" >"$doc.tmp"
        mv "$doc.tmp" "$doc"
    else
        { echo "# Performance"; echo; cat "$rows.new"; } >"$doc"
    fi
    rm -f "$rows.new"
    echo "wrote $doc"
fi
exit "$status"
