#!/usr/bin/env bash
# Side-by-side crawl benchmark: asyncfetch, wget2 and Scrapy against nginx on loopback.
#
# usage: bash bench/run.sh
# env:   RUNS=3            runs per crawler and workload (the median is reported)
#        ASYNCFETCH=PATH   use this binary instead of building src/AsyncFetcher.Cli
#        SHARED=DIR        folder holding benchsite/ (default: <repo>/../shared)
#        TIMEOUT=300       seconds before one crawl is killed and marked failed
#        QUIET_WAIT=60     seconds to wait for other CPU load to settle before each run
#        SCALE=1           also run the 100,000-page --state workload (asyncfetch only)
#        SITES=DIR         cache of generated sites (default /var/tmp/asyncfetch-bench;
#                          the SCALE site is 800 MB and takes minutes to write or delete)
# Writes docs/performance.md and keeps raw results and logs in bench/out/last/.
set -euo pipefail

repo=$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel)
SHARED=${SHARED:-$repo/../shared}
[ -x "$SHARED/benchsite/serve.sh" ] || { echo "no benchsite kit in $SHARED/benchsite: set SHARED=DIR" >&2; exit 2; }
benchsite=$(cd "$SHARED/benchsite" && pwd)
RUNS=${RUNS:-3}
TIMEOUT=${TIMEOUT:-300}
QUIET_WAIT=${QUIET_WAIT:-60}
SCALE=${SCALE:-0}
SITES=${SITES:-/var/tmp/asyncfetch-bench}
DELAY=0.05
PAGES=1000 LINKS=10 BYTES=8000
SCALE_PAGES=100000 SCALE_CONC=100
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "RUNS must be a positive integer, got '$RUNS'" >&2; exit 2; }

out=$repo/bench/out
last=$out/last
work=$(mktemp -d /tmp/asyncfetch-bench.XXXXXX)
nginx_runs=()
policy_rc_created=0
scale_pid=""

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }

cleanup() {
  local r pid
  # A background job ignores Ctrl+C, so the scale crawl is stopped here (timeout
  # passes the TERM on to asyncfetch).
  if [ -n "$scale_pid" ]; then kill "$scale_pid" 2>/dev/null || true; fi
  for r in "${nginx_runs[@]}"; do
    pid=$(cat "$r/nginx.pid" 2>/dev/null) || continue
    kill "$pid" 2>/dev/null || true
    # nginx deletes its pid file on exit; kill -0 would also see a not-yet-reaped zombie.
    for _ in $(seq 50); do [ -e "$r/nginx.pid" ] || break; sleep 0.1; done
    rm -rf "$r"
  done
  if [ "$policy_rc_created" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- packages
packages=(nginx libnginx-mod-http-echo wget2 python3-scrapy python3-doc time hyperfine clang zlib1g-dev)
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
missing=()
for p in "${packages[@]}"; do installed "$p" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  # The benchmark starts its own nginx per site; a policy-rc.d keeps the package
  # from starting (and needing) the default nginx service on port 80.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    policy_rc_created=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Package lists are refreshed only when an install fails (say, on a fresh image).
  if ! apt-get install -y "${missing[@]}" >"$work/apt.log" 2>&1; then
    apt-get update >>"$work/apt.log" 2>&1
    needed=()
    for p in "${missing[@]}"; do [ "$p" = hyperfine ] || needed+=("$p"); done
    if [ ${#needed[@]} -gt 0 ] && ! apt-get install -y "${needed[@]}" >>"$work/apt.log" 2>&1; then
      cat "$work/apt.log" >&2; exit 1
    fi
    # hyperfine only sharpens the start-up figure; without it the script times a loop.
    if [[ " ${missing[*]} " == *" hyperfine "* ]]; then
      apt-get install -y hyperfine >>"$work/apt.log" 2>&1 || log "hyperfine unavailable; timing start-up with date"
    fi
  fi
  if [ "$policy_rc_created" = 1 ]; then rm -f /usr/sbin/policy-rc.d; policy_rc_created=0; fi
fi

rm -rf "$last"
mkdir -p "$last/logs"

# ---------------------------------------------------------------- asyncfetch
af_reason=""
if [ -n "${ASYNCFETCH:-}" ]; then
  # Crawls run in scratch directories, so a relative path is made absolute here.
  if [[ $ASYNCFETCH == */* ]]; then AF=$(realpath "$ASYNCFETCH"); else AF=$(command -v "$ASYNCFETCH" || echo "$ASYNCFETCH"); fi
else
  AF=$out/asyncfetch/asyncfetch
  log "building asyncfetch (Release)"
  if ! command -v dotnet >/dev/null; then
    af_reason="dotnet SDK not installed"
  elif ! dotnet publish "$repo/src/AsyncFetcher.Cli" -c Release -r linux-x64 -o "$out/asyncfetch" >"$last/build.log" 2>&1; then
    af_reason="build failed (bench/out/last/build.log)"
  fi
fi
if [ -z "$af_reason" ]; then
  if [ ! -x "$AF" ]; then
    af_reason="no binary at $AF"
  elif ! af_help=$(timeout 30 "$AF" --help 2>&1); then
    af_reason="'asyncfetch --help' failed"
  elif ! grep -qw crawl <<<"$af_help"; then
    af_reason="no crawl command yet ('--help' does not list it)"
  fi
fi
if [ -n "$af_reason" ]; then log "asyncfetch: n/a ($af_reason)"; fi

# ---------------------------------------------------------------- sites
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# serve SITE DELAY -> sets $port and $access (the access log of the new nginx)
serve() {
  local site=$1 delay=$2 run=""
  for _ in 1 2 3; do
    port=$(free_port)
    if run=$("$benchsite/serve.sh" "$site" "$port" "$delay" 2>>"$work/serve.log"); then break; fi
    run=""
  done
  [ -n "$run" ] || { cat "$work/serve.log" >&2; echo "could not start nginx for $site" >&2; exit 1; }
  nginx_runs+=("$run")
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
  access=$run/access.log
}

# gen_site PAGES -> sets $site_dir and $site_pages (gensite.py's count). Sites are kept in
# $SITES, keyed by their parameters and gensite.py's hash, because writing (and
# deleting) the 100,000-page one takes minutes; .pages marks a finished site.
gen_site() {
  local key lock
  key="pages$1-links$LINKS-bytes$BYTES-$(sha1sum "$benchsite/gensite.py" | cut -c1-12)"
  site_dir=$SITES/$key
  mkdir -p "$SITES"
  chmod 755 "$SITES"  # nginx workers run unprivileged
  # Other checkouts on this machine share the cache: one writer at a time.
  exec {lock}>"$SITES/.lock"
  flock "$lock"
  if [ ! -s "$site_dir/.pages" ]; then
    log "generating the synthetic site ($1 pages) in $site_dir"
    rm -rf "$site_dir"
    mkdir -m 755 "$site_dir"
    python3 "$benchsite/gensite.py" "$site_dir" --pages "$1" --links "$LINKS" --bytes "$BYTES" >"$site_dir/.pages.tmp"
    mv "$site_dir/.pages.tmp" "$site_dir/.pages"
  fi
  exec {lock}>&-
  site_pages=$(cat "$site_dir/.pages")
}

gen_site "$PAGES"
synth=$site_dir synth_pages=$site_pages
serve "$synth" "$DELAY"
synth_port=$port synth_log=$access

pydoc=""
for d in /usr/share/doc/python3/html /usr/share/doc/python3-doc/html /usr/share/doc/python3.*/html; do
  if [ -e "$d/index.html" ]; then pydoc=$(readlink -f "$d"); break; fi
done
[ -n "$pydoc" ] || { echo "python3-doc HTML not found under /usr/share/doc" >&2; exit 1; }
# Read the docs once so the first measured crawl does not pay for a cold page cache.
find -L "$pydoc" -type f -exec cat {} + >/dev/null
serve "$pydoc" 0
pydoc_port=$port pydoc_log=$access

# ---------------------------------------------------------------- workloads
# ideal.py prints: pages rounds limit_seconds
ideal10=$(python3 "$benchsite/ideal.py" "$synth" 10 "$DELAY")
ideal100=$(python3 "$benchsite/ideal.py" "$synth" 100 "$DELAY")
# workload name|start URL|concurrency|access log of its nginx
workloads=(
  "synthetic c=10|http://127.0.0.1:$synth_port/index.html|10|$synth_log"
  "synthetic c=100|http://127.0.0.1:$synth_port/index.html|100|$synth_log"
  "python3-doc c=10|http://127.0.0.1:$pydoc_port/index.html|10|$pydoc_log"
)

# The command line of one crawler; every one: same host, unlimited depth, <a href>
# links only, robots.txt obeyed, nothing written to disk.
crawler_cmd() {
  local crawler=$1 url=$2 n=$3
  # shellcheck disable=SC2054  # the commas belong to --ignore-tags
  case $crawler in
    # -O /dev/null: wget2 parses links from memory, so nothing is written;
    # --ignore-tags: follow <a href> only, like the others (no img/css/js requisites).
    wget2) cmd=(wget2 -r -l inf -O /dev/null --max-threads "$n" -q --robots=on
                --ignore-tags=img,link,script --no-hsts --no-hpkp --no-ocsp "$url") ;;
    scrapy) cmd=(scrapy runspider -L ERROR "$repo/bench/scrapy_bench.py" -a "start_url=$url"
                 -s "CONCURRENT_REQUESTS=$n" -s "CONCURRENT_REQUESTS_PER_DOMAIN=$n") ;;
    asyncfetch) cmd=("$AF" crawl "$url" --max "$n" --depth 1000 --quiet --output /dev/null) ;;
  esac
}

hz=$(getconf CLK_TCK)
# CPU seconds all cores spent busy so far (user, nice, system, irq, softirq, steal).
busy_s() { awk -v hz="$hz" '/^cpu /{printf "%.2f\n", ($2 + $3 + $4 + $7 + $8 + $9) / hz; exit}' /proc/stat; }
# CPU seconds used so far by the nginx whose access log is $1 (master and workers).
nginx_s() {
  local master p
  master=$(cat "$(dirname "$1")/nginx.pid")
  for p in "$master" $(pgrep -P "$master" || true); do cat "/proc/$p/stat" 2>/dev/null || true; done |
    awk -v hz="$hz" '{t += $14 + $15} END {printf "%.2f\n", t / hz}'
}

# This machine may be shared (builds, tests): before a run, wait up to QUIET_WAIT
# seconds for a second in which other work keeps less than a quarter of a core busy.
wait_quiet() {
  local a b
  for _ in $(seq "$QUIET_WAIT"); do
    a=$(busy_s); sleep 1; b=$(busy_s)
    awk -v a="$a" -v b="$b" 'BEGIN{exit !(b - a < 0.25)}' && return 0
  done
  log "machine still busy after ${QUIET_WAIT} s; measuring anyway (see the other_cpu column)"
}

results=$last/results.tsv
printf 'workload\tcrawler\trun\tstatus\twall_s\tmaxrss_kib\tcpu_s\tnginx_cpu_s\tother_cpu\trequests\trobots\tnon_2xx_3xx\tunique_paths\turlset\tnot_2xx_3xx_paths\n' >"$results"

# run_one WORKLOAD CRAWLER RUN URL N ACCESS_LOG: one measured crawl, one results row
run_one() {
  local w=$1 crawler=$2 i=$3 url=$4 n=$5 access=$6
  local tag cwd before after rc wall rss usr sys cpu ngx status slice busy0 busy1 ngx0 ngx1 other
  tag=$(tr -c 'a-z0-9\n' '_' <<<"$w-$crawler-$i")
  cwd=$(mktemp -d "$work/cwd.XXXXXX")
  crawler_cmd "$crawler" "$url" "$n"
  wait_quiet
  before=$(wc -l <"$access")
  busy0=$(busy_s) ngx0=$(nginx_s "$access")
  # wget2 keeps HSTS/OCSP files under $HOME and lock files in $TMPDIR: point both at
  # the scratch dir. timeout sits inside time so Ctrl+C still reaches the crawler.
  set +e
  (cd "$cwd" && HOME=$cwd TMPDIR=$cwd /usr/bin/time -f '%e %M %U %S' -o "$cwd/.time" \
     timeout --foreground -k 5 "$TIMEOUT" "${cmd[@]}") >"$last/logs/$tag.out" 2>&1
  rc=$?
  busy1=$(busy_s) ngx1=$(nginx_s "$access")
  set -e
  sleep 0.3  # nginx logs a request after its last byte is sent; let the tail land
  after=$(wc -l <"$access")
  slice=$last/logs/$tag.access.log
  sed -n "$((before + 1)),${after}p" "$access" >"$slice"
  read -r wall rss usr sys < <(tail -n 1 "$cwd/.time" 2>/dev/null) || true
  if ! [[ ${sys:-} =~ ^[0-9.]+$ ]]; then rc=untimed wall=0 rss=0 usr=0 sys=0; fi
  cpu=$(awk -v u="$usr" -v s="$sys" 'BEGIN{printf "%.2f", u + s}')
  ngx=$(awk -v a="$ngx0" -v b="$ngx1" 'BEGIN{printf "%.2f", b - a}')
  # Cores kept busy by anything but the crawler and its nginx (builds, tests, ...).
  other=$(awk -v b0="$busy0" -v b1="$busy1" -v c="$cpu" -v n="$ngx" -v w="$wall" \
    'BEGIN{o = (b1 - b0 - c - n) / (w > 0 ? w : 1); printf "%.2f", o < 0 ? 0 : o}')
  rm -rf "$cwd"
  # wget2 exits 8 when the server answered any request with an error (the python
  # docs have no robots.txt and one dangling link): the crawl itself is complete.
  if [ "$rc" = 0 ] || { [ "$crawler" = wget2 ] && [ "$rc" = 8 ]; }; then status=ok
  elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then status=timeout
  elif [ "$rc" = untimed ]; then status=untimed
  else status="exit-$rc"; fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$w" "$crawler" "$i" "$status" "$wall" "$rss" \
    "$cpu" "$ngx" "$other" \
    "$(wc -l <"$slice")" \
    "$(grep -c '"GET /robots.txt ' "$slice" || true)" \
    "$(awk '$9 !~ /^[23]/' "$slice" | wc -l)" \
    "$(awk '{print $7}' "$slice" | sort -u | wc -l)" \
    "$(awk '{print $7}' "$slice" | sort -u | sha1sum | cut -c1-12)" \
    "$(awk '$9 !~ /^[23]/ {print $7 ":" $9}' "$slice" | sort -u | head -n 5 | paste -sd ' ')" >>"$results"
  log "$w $crawler run $i: $status, ${wall}s, $(wc -l <"$slice") requests, other load ${other} cores"
}

crawlers=(wget2 scrapy)
if [ -z "$af_reason" ]; then crawlers+=(asyncfetch); fi
for spec in "${workloads[@]}"; do
  IFS='|' read -r w url n access <<<"$spec"
  # Crawlers take turns run by run so drift on the machine spreads over all of them.
  for i in $(seq "$RUNS"); do
    for crawler in "${crawlers[@]}"; do run_one "$w" "$crawler" "$i" "$url" "$n" "$access"; done
  done
done

# ---------------------------------------------------------------- start-up
# Native AOT (what `publish -r linux-x64` builds) against ReadyToRun (`-p:PublishAot=false`), on
# `--help` and on a one-page crawl of the zero-delay python3-doc server (start-up, host, HTTP
# pipeline, one request, exit). The ReadyToRun build is made only when this script built asyncfetch.
startup="n/a ($af_reason)"
# Measured whenever the binary starts, even before it can crawl (then it says so).
if command -v "$AF" >/dev/null && timeout 30 "$AF" --help >/dev/null 2>&1; then
  builds=("native-aot|$AF")
  if [ -z "${ASYNCFETCH:-}" ] && dotnet publish "$repo/src/AsyncFetcher.Cli" -c Release -r linux-x64 -p:PublishAot=false \
       -o "$out/asyncfetch-r2r" >"$last/build-r2r.log" 2>&1; then
    builds+=("ready-to-run|$out/asyncfetch-r2r/asyncfetch")
  fi
  startup=""
  for b in "${builds[@]}"; do
    IFS='|' read -r label bin <<<"$b"
    one_page="$bin crawl http://127.0.0.1:$pydoc_port/index.html --max 1 --depth 0 --no-robots --quiet --output /dev/null"
    if [ -n "$af_reason" ]; then one_page=""; fi
    if command -v hyperfine >/dev/null; then
      hyperfine -N --warmup 3 --runs 20 --export-json "$last/startup-$label.json" "$bin --help" ${one_page:+"$one_page"} \
        >"$last/logs/startup-$label.out" 2>&1
      startup+=$(python3 -c 'import json, sys; rs = json.load(open(sys.argv[1]))["results"]
names = ["`--help`", "one-page crawl"]
print("; ".join("%s %s %.1f ms ± %.1f ms" % (sys.argv[2], n, r["mean"] * 1000, r["stddev"] * 1000) for n, r in zip(names, rs)), end="")' \
        "$last/startup-$label.json" "$label")
    else
      "$bin" --help >/dev/null 2>&1
      t0=$(date +%s%N)
      for _ in $(seq 10); do "$bin" --help >/dev/null 2>&1; done
      t1=$(date +%s%N)
      startup+="$label \`--help\` $(( (t1 - t0) / 10000000 )) ms (mean of 10, date +%s%N; hyperfine not installed)"
    fi
    startup+=" · "
  done
  startup="${startup% · } (hyperfine, 20 runs after 3 warm-ups)"
  if [ -n "$af_reason" ]; then startup="$startup; the binary has no crawl command yet, so this is the start-up of the skeleton"; fi
fi

# ---------------------------------------------------------------- scale (SCALE=1)
scale="skipped (set SCALE=1)"
if [ "$SCALE" = 1 ]; then
  if [ -n "$af_reason" ]; then
    scale="n/a ($af_reason)"
  else
    gen_site "$SCALE_PAGES"
    serve "$site_dir" 0
    before=$(wc -l <"$access")
    cwd=$(mktemp -d "$work/cwd.XXXXXX")
    set +e
    # Records go to a scratch file, not /dev/null: with --state the output is reopened
    # and cut back to the last checkpoint on resume, which /dev/null refuses (EINVAL).
    (cd "$cwd" && exec timeout --foreground -k 5 "$((TIMEOUT * 20))" "$AF" crawl "http://127.0.0.1:$port/index.html" \
       --max "$SCALE_CONC" --depth $((SCALE_PAGES + 1)) --quiet --output "$cwd/records.jsonl" --state "$cwd/state") \
       >"$last/logs/scale.out" 2>&1 &
    scale_pid=$!
    python3 "$repo/bench/scale_sample.py" "$scale_pid" "$access" "$before" >"$last/scale-samples.tsv"
    wait "$scale_pid"; rc=$?
    scale_pid=""
    set -e
    rm -rf "$cwd"
    scale=$(python3 "$repo/bench/scale_sample.py" --summary "$last/scale-samples.tsv" "$rc" "$((site_pages + 1))")
    if [ "$rc" != 0 ]; then scale="$scale; asyncfetch said: $(head -n 1 "$last/logs/scale.out")"; fi
  fi
fi

# ---------------------------------------------------------------- report
commands=$(
  AF=asyncfetch  # a subshell: only the printed command lines change
  for c in wget2 scrapy asyncfetch; do
    crawler_cmd "$c" "http://127.0.0.1:PORT/index.html" N
    line=""
    for arg in "${cmd[@]}"; do
      [[ $arg =~ ^[A-Za-z0-9_./:=,@%+-]+$ ]] || arg=$(printf '%q' "$arg")
      line+="${line:+ }${arg#"$repo/"}"
    done
    echo "$line"
  done
)
af_version="built from $(git -C "$repo" describe --always --dirty)"
if [ -n "${ASYNCFETCH:-}" ]; then af_version="ASYNCFETCH=$ASYNCFETCH"; fi
mkdir -p "$repo/docs"
python3 "$repo/bench/report.py" "$results" \
  --runs "$RUNS" --delay "$DELAY" \
  --synthetic "$PAGES pages, $LINKS links, $BYTES bytes; gensite.py prints $synth_pages" \
  --expected "synthetic=$((synth_pages + 1))" \
  --pydoc "$pydoc" \
  --ideal "synthetic c=10=$ideal10" --ideal "synthetic c=100=$ideal100" \
  --asyncfetch "${af_reason:-ok}" \
  --startup "$startup" --scale "$scale" \
  --commands "$commands" \
  --versions "wget2 $(wget2 --version 2>/dev/null | head -1 | awk '{print $3}'); $(scrapy version 2>/dev/null); nginx $(nginx -v 2>&1 | sed 's#.*/##'); asyncfetch $af_version" \
  --markdown "$repo/docs/performance.md"
