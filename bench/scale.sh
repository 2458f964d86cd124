#!/usr/bin/env bash
# Scale workloads (bench/run.sh runs this with SCALE=1): a million pages with --state, and a thousand
# hosts with a per-host delay. Writes a Markdown fragment for docs/performance.md and prints it.
#
# usage: bash bench/scale.sh [OUT.md]      (default bench/out/scale/report.md)
# env:   ASYNCFETCH=PATH    the binary to measure (default: pack and install the tool, as run.sh does)
#        SCALE_PAGES=1000000 SCALE_BYTES=1500 SCALE_CONC=100   the --state crawl (zero delay)
#        HOSTS=1000 HOST_PAGES=20 HOST_DELAY=0.2 HOST_LATENCY=0.05 HOST_MAX=100   the many-hosts crawl
#        HOSTS_SMALL=100   the smaller run that RSS per host is measured against
#        WGET_HOSTS=10     hosts wget2 crawls (one thread, --wait: slow)
#        SCRAPY_SECONDS=60 how long Scrapy crawls the million pages (the whole site would take it hours)
#        TIMEOUT=300       seconds per crawl (the many-hosts crawls get three times that)
#        PARTS="pages hosts"  which of the two to run
# Logs and samples stay in bench/out/scale/.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SCALE_PAGES=${SCALE_PAGES:-1000000} SCALE_BYTES=${SCALE_BYTES:-1500} SCALE_CONC=${SCALE_CONC:-100}
HOSTS=${HOSTS:-1000} HOST_PAGES=${HOST_PAGES:-20} HOST_DELAY=${HOST_DELAY:-0.2} HOST_LATENCY=${HOST_LATENCY:-0.05}
HOST_MAX=${HOST_MAX:-100} HOSTS_SMALL=${HOSTS_SMALL:-100} WGET_HOSTS=${WGET_HOSTS:-10}
SCRAPY_SECONDS=${SCRAPY_SECONDS:-60}
PARTS=${PARTS:-pages hosts}
LINKS=10 BYTES=$SCALE_BYTES
dir=$out/scale
md=${1:-$dir/report.md}
rm -rf "$dir"
mkdir -p "$dir" "$(dirname "$md")"
last=$dir  # build_tools keeps its logs here when it packs

install_packages
build_tools
[ -z "$af_reason" ] || { echo "asyncfetch: n/a ($af_reason)" | tee "$md"; exit 0; }
: >"$md"

# sampled_run NAME SECONDS: runs "${cmd[@]}" in the scratch directory $cwd for at most SECONDS, sampling
# the requests nginx logs and the crawler's RSS into $dir/NAME-samples.tsv (its output: $dir/NAME.out);
# sets rc to its exit code.
sampled_run() {
  local name=$1 seconds=$2 before pid
  before=$(wc -l <"$access")
  set +e
  in_scratch "$cwd" timeout --foreground -k 5 "$seconds" "${cmd[@]}" >"$dir/$name.out" 2>&1 &
  pid=$!
  bg_pids+=("$pid")
  python3 "$repo/bench/scale_sample.py" "$pid" "$access" "$before" >"$dir/$name-samples.tsv"
  wait "$pid"; rc=$?
  set -e
}

# ---------------------------------------------------------------- a million pages
if [[ " $PARTS " == *" pages "* ]]; then
  gen_site "$SCALE_PAGES" "$SCALE_BYTES"
  serve "$site_dir" 0
  expected=$((site_pages + 1))  # robots.txt
  # No depth limit in practice: the site is a ring with random links, so no page is more than a few dozen
  # links from the start (asyncfetch accepts up to 1,000,000).
  crawl=(crawl "http://127.0.0.1:$port/index.html" --max "$SCALE_CONC" --depth 1000 --quiet)

  # One whole crawl, sampled: pages/s and RSS over the first and the last tenth.
  cwd=$(mktemp -d "$work/cwd.XXXXXX")
  # Records go to a scratch file, not /dev/null: with --state the output is reopened
  # and cut back to the last checkpoint on resume, which /dev/null refuses (EINVAL).
  cmd=("$AF" "${crawl[@]}" --output "$cwd/records.jsonl" --state "$cwd/state")
  sampled_run pages "$((TIMEOUT * 20))"
  state_mib=$(du -cm "$cwd"/state* 2>/dev/null | tail -n 1 | cut -f1) || state_mib="n/a"
  whole=$(python3 "$repo/bench/scale_sample.py" --summary "$dir/pages-samples.tsv" "$rc" "$expected")
  if [ "$rc" != 0 ]; then whole="$whole; asyncfetch said: $(tail -n 1 "$dir/pages.out")"; fi
  rm -rf "$cwd"

  # The same crawl, stopped with SIGINT half-way and run again.
  cwd=$(mktemp -d "$work/cwd.XXXXXX")
  resumed=$(cd "$cwd" && python3 "$repo/bench/resume.py" "$access" "$expected" -- \
    "$AF" "${crawl[@]}" --output "$cwd/records.jsonl" --state "$cwd/state")
  rm -rf "$cwd"

  # The peers on the same site, with the same concurrency: wget2's whole crawl (it keeps no state, so
  # an interrupted crawl starts over), and Scrapy for SCRAPY_SECONDS with JOBDIR, its saved state (at its
  # rate the whole site would take it about an hour and a half).
  url="http://127.0.0.1:$port/index.html"
  cwd=$(mktemp -d "$work/cwd.XXXXXX")
  crawler_cmd wget2 "$url" "$SCALE_CONC"
  sampled_run wget2 "$((TIMEOUT * 20))"
  wget_whole=$(python3 "$repo/bench/scale_sample.py" --summary "$dir/wget2-samples.tsv" "$rc" "$expected")
  rm -rf "$cwd"

  cwd=$(mktemp -d "$work/cwd.XXXXXX")
  crawler_cmd scrapy "$url" "$SCALE_CONC"
  cmd+=(-s "CLOSESPIDER_TIMEOUT=$SCRAPY_SECONDS" -s "JOBDIR=$cwd/job")
  sampled_run scrapy "$((SCRAPY_SECONDS * 3))"
  job_mib=$(du -sm "$cwd/job" 2>/dev/null | cut -f1) || job_mib="n/a"
  scrapy_part=$(python3 "$repo/bench/scale_sample.py" --part "$dir/scrapy-samples.tsv" "$rc" "$expected")
  rm -rf "$cwd"

  cat >>"$md" <<EOF
**$(python3 -c "print(f'{$site_pages:,}')") pages** (gensite.py, $SCALE_BYTES bytes and $LINKS links a page, no delay), \`--max $SCALE_CONC --state\`:

- Whole crawl: $whole; the state file (SQLite, with its WAL) was $state_mib MiB at the end.
- Interrupted and resumed: $resumed.
- wget2 (\`--max-threads $SCALE_CONC\`, no state: an interrupted crawl starts over): $wget_whole.
- Scrapy (\`CONCURRENT_REQUESTS=$SCALE_CONC\`, \`JOBDIR\` for its saved state), stopped after $SCRAPY_SECONDS s (\`CLOSESPIDER_TIMEOUT\`): $scrapy_part; its JOBDIR was $job_mib MiB.

EOF
fi

# ---------------------------------------------------------------- a thousand hosts
if [[ " $PARTS " == *" hosts "* ]]; then
  # nginx workers run unprivileged: the site must be readable by them (mktemp -d makes 0700 folders).
  hosts_work=$work-hosts
  mkdir -m 755 "$hosts_work"
  nginx_runs+=("$hosts_work/nginx")  # hosts.py starts its own nginx there; stopped on exit if it is still up
  python3 "$repo/bench/hosts.py" "$hosts_work" --tool "$AF" --benchsite "$benchsite" \
    --scrapy-spider "$repo/bench/scrapy_bench.py" --hosts "$HOSTS" --pages "$HOST_PAGES" --delay "$HOST_DELAY" \
    --latency "$HOST_LATENCY" --max "$HOST_MAX" --small "$HOSTS_SMALL" --wget-hosts "$WGET_HOSTS" \
    --timeout "$((TIMEOUT * 3))" >>"$md"
  cp "$hosts_work/nginx/access.log" "$dir/hosts-access.log" 2>/dev/null || true
  rm -rf "$hosts_work"
fi

cat "$md"
