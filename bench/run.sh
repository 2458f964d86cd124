#!/usr/bin/env bash
# Side-by-side crawl benchmark: asyncfetch, wget2 and Scrapy against nginx on loopback.
#
# usage: bash bench/run.sh
# env:   RUNS=3            runs per crawler and workload (the median is reported)
#        ASYNCFETCH=PATH   use this binary instead of packing and installing the dotnet tool
#        ASYNCFETCH_JIT=PATH  with ASYNCFETCH: the JIT build for its row (none by default)
#        JIT=0             leave out the JIT build's row (the `any` package, what platforms
#                          without a Native AOT package install)
#        SHARED=DIR        folder holding benchsite/ (default: <repo>/../shared)
#        TIMEOUT=300       seconds before one crawl is killed and marked failed
#        QUIET_WAIT=60     seconds to wait for other CPU load to settle before each run
#        SCALE=1           also run bench/scale.sh (a million pages, a thousand hosts; its own knobs)
#                          and bench/memory.sh (hostile pages, 10,000 hosts: peak RSS and open files)
#        SITES=DIR         cache of generated sites (default /var/tmp/asyncfetch-bench;
#                          the SCALE sites are GBs and take minutes to write or delete)
# Writes docs/performance.md and keeps raw results and logs in bench/out/last/.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
RUNS=${RUNS:-3}
QUIET_WAIT=${QUIET_WAIT:-60}
SCALE=${SCALE:-0}
JIT=${JIT:-1}
DELAY=0.05
PAGES=1000 LINKS=10 BYTES=8000
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "RUNS must be a positive integer, got '$RUNS'" >&2; exit 2; }

install_packages
rm -rf "$last"
mkdir -p "$last/logs"
build_tools
if [ "$JIT" = 0 ]; then AF_JIT=""; fi

gen_site "$PAGES"
synth=$site_dir synth_pages=$site_pages
serve "$synth" "$DELAY"
synth_port=$port synth_log=$access

# Two real documentation trees of different shapes: python3-doc (about 530 pages, some of them
# megabytes) and postgresql-doc (about 1,170 pages of 7 KB median).
doc_tree python3-doc /usr/share/doc/python3/html /usr/share/doc/python3-doc/html /usr/share/doc/python3.*/html
pydoc=$doc_dir
serve "$pydoc" 0
pydoc_port=$port pydoc_log=$access
doc_tree postgresql-doc /usr/share/doc/postgresql-doc-*/html
pgdoc=$doc_dir
serve "$pgdoc" 0
pgdoc_port=$port pgdoc_log=$access

# ---------------------------------------------------------------- workloads
# ideal.py prints: pages rounds limit_seconds
ideal10=$(python3 "$benchsite/ideal.py" "$synth" 10 "$DELAY")
ideal100=$(python3 "$benchsite/ideal.py" "$synth" 100 "$DELAY")
# workload name|start URL|concurrency|access log of its nginx
workloads=(
  "synthetic c=10|http://127.0.0.1:$synth_port/index.html|10|$synth_log"
  "synthetic c=100|http://127.0.0.1:$synth_port/index.html|100|$synth_log"
  "python3-doc c=10|http://127.0.0.1:$pydoc_port/index.html|10|$pydoc_log"
  "postgresql-doc c=10|http://127.0.0.1:$pgdoc_port/index.html|10|$pgdoc_log"
)

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
  # timeout sits inside time so Ctrl+C still reaches the crawler.
  set +e
  in_scratch "$cwd" /usr/bin/time -f '%e %M %U %S' -o "$cwd/.time" \
     timeout --foreground -k 5 "$TIMEOUT" "${cmd[@]}" >"$last/logs/$tag.out" 2>&1
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
if [ -z "$af_reason" ] && [ -n "$AF_JIT" ]; then crawlers+=(asyncfetch-jit); fi
for spec in "${workloads[@]}"; do
  IFS='|' read -r w url n access <<<"$spec"
  # Crawlers take turns run by run so drift on the machine spreads over all of them.
  for i in $(seq "$RUNS"); do
    for crawler in "${crawlers[@]}"; do run_one "$w" "$crawler" "$i" "$url" "$n" "$access"; done
  done
done

# ---------------------------------------------------------------- start-up
# The installed tool (Native AOT on linux-x64) and the JIT build (the `any` package), on `--help`
# and on a one-page crawl of the zero-delay python3-doc server (start-up, host, HTTP pipeline, one
# request, exit).
# startup_figures JSON: hyperfine's medians (min–max) of a help and a one-page command, on one line.
startup_figures() {
  python3 -c 'import json, sys; rs = json.load(open(sys.argv[1]))["results"]
names = ["`--help`", "one-page crawl"]
print("; ".join("%s %.1f ms (%.1f–%.1f)" % (n, r["median"] * 1000, r["min"] * 1000, r["max"] * 1000) for n, r in zip(names, rs)), end="")' "$1"
}
startup="n/a ($af_reason)"
# Measured whenever the binary starts, even before it can crawl (then it says so).
if command -v "$AF" >/dev/null && timeout 30 "$AF" --help >/dev/null 2>&1; then
  builds=("installed tool ($af_kind)|$AF")
  if [ -n "$AF_JIT" ]; then builds+=("any package (JIT)|$AF_JIT"); fi
  startup=""
  for b in "${builds[@]}"; do
    IFS='|' read -r label bin <<<"$b"
    tag=$(tr -c 'a-zA-Z0-9\n' '_' <<<"$label")
    one_page="$bin crawl http://127.0.0.1:$pydoc_port/index.html --max 1 --depth 0 --no-robots --quiet --output /dev/null"
    if [ -n "$af_reason" ]; then one_page=""; fi
    if command -v hyperfine >/dev/null; then
      wait_quiet
      hyperfine -N --warmup 3 --runs 20 --export-json "$last/startup-$tag.json" "$bin --help" ${one_page:+"$one_page"} \
        >"$last/logs/startup-$tag.out" 2>&1
      startup+="$(startup_figures "$last/startup-$tag.json") [$label]"
    else
      "$bin" --help >/dev/null 2>&1
      t0=$(date +%s%N)
      for _ in $(seq 10); do "$bin" --help >/dev/null 2>&1; done
      t1=$(date +%s%N)
      startup+="\`--help\` $(( (t1 - t0) / 10000000 )) ms (mean of 10, date +%s%N; hyperfine not installed) [$label]"
    fi
    startup+=" · "
  done
  # The peers the same way: their help, and one page fetched (no recursion, so no robots.txt).
  if command -v hyperfine >/dev/null; then
    page="http://127.0.0.1:$pydoc_port/index.html"
    wait_quiet
    hyperfine -N --warmup 3 --runs 20 --export-json "$last/startup-wget2.json" "wget2 --help" \
      "wget2 -q -O /dev/null --no-hsts --no-hpkp --no-ocsp $page" >"$last/logs/startup-wget2.out" 2>&1
    startup+="$(startup_figures "$last/startup-wget2.json") [wget2] · "
    hyperfine -N --warmup 1 --runs 10 --export-json "$last/startup-scrapy.json" "scrapy -h" \
      "scrapy fetch --nolog $page" >"$last/logs/startup-scrapy.out" 2>&1
    startup+="$(startup_figures "$last/startup-scrapy.json") [scrapy; \`scrapy fetch\`; 10 runs after 1 warm-up] · "
  fi
  startup="${startup% · } (hyperfine: median (min–max) of 20 runs after 3 warm-ups)"
  if [ -n "$af_reason" ]; then startup="$startup; the binary has no crawl command yet, so this is the start-up of the skeleton"; fi
fi

# ---------------------------------------------------------------- answer to next request (tcpdump)
# Extra crawls of the synthetic site, not timed above (the capture costs CPU): per connection, the time from
# an answer's last byte to the next request's first, as tcpdump saw them on loopback (bench/turnaround.py).
turnaround_one() {
  local crawler=$1 n=$2 i=$3 cwd pcap tp
  cwd=$(mktemp -d "$work/cwd.XXXXXX") pcap=$work/turnaround.pcap
  crawler_cmd "$crawler" "http://127.0.0.1:$synth_port/index.html" "$n"
  wait_quiet
  tcpdump -i lo -n -s 128 -U -w "$pcap" "tcp port $synth_port" 2>"$work/tcpdump.err" &
  tp=$!
  for _ in $(seq 50); do
    grep -q listening "$work/tcpdump.err" 2>/dev/null && break
    kill -0 "$tp" 2>/dev/null || break  # it could not capture (not root): the crawl runs, the row is skipped
    sleep 0.1
  done
  sleep 0.5  # "listening" comes a little before the first packets are kept
  in_scratch "$cwd" timeout --foreground -k 5 "$TIMEOUT" "${cmd[@]}" \
    >"$last/logs/turnaround-$crawler-$n-$i.out" 2>&1 || true
  sleep 0.3  # the last packets
  kill "$tp" && wait "$tp" || true
  if ! tcpdump -n -tt -r "$pcap" 2>/dev/null | python3 "$repo/bench/turnaround.py" row "$synth_port" "$crawler" "$n" "$i" >>"$last/turnaround.tsv"; then
    log "answer to next request: no capture of $crawler at c=$n, run $i: $(head -n 3 "$work/tcpdump.err" | paste -sd ' ')"
  fi
  rm -rf "$cwd" "$pcap"
}
turnaround_md=$last/turnaround.md
if [ -n "$af_reason" ]; then
  echo "n/a ($af_reason)" >"$turnaround_md"
elif ! command -v tcpdump >/dev/null; then
  echo "n/a (tcpdump not installed)" >"$turnaround_md"
else
  log "answer to next request (tcpdump)"
  : >"$last/turnaround.tsv"
  for n in 10 100; do
    for i in $(seq "$RUNS"); do
      for crawler in wget2 asyncfetch; do turnaround_one "$crawler" "$n" "$i"; done
    done
  done
  python3 "$repo/bench/turnaround.py" table "$last/turnaround.tsv" >"$turnaround_md" ||
    echo "n/a (no capture: tcpdump needs root or CAP_NET_RAW; what it said is in the benchmark's log)" >"$turnaround_md"
fi

# ---------------------------------------------------------------- scale (SCALE=1)
scale_md=$last/scale.md
echo "Skipped: run with \`SCALE=1\` (\`bench/scale.sh\`)." >"$scale_md"
if [ "$SCALE" = 1 ]; then
  if [ -n "$af_reason" ]; then
    echo "n/a ($af_reason)" >"$scale_md"
  else
    # scale.sh takes the tool just installed; its own knobs (SCALE_PAGES, HOSTS, ...) pass through.
    ASYNCFETCH=$AF bash "$repo/bench/scale.sh" "$scale_md" || echo "bench/scale.sh failed (exit $?); see bench/out/scale/" >>"$scale_md"
    # Hostile pages and 10,000 hosts: peak RSS and open files (its own knobs, HOSTS and MAX, pass through).
    log "bench/memory.sh"
    if ASYNCFETCH=$AF bash "$repo/bench/memory.sh" "$last/memory.md" >"$last/logs/memory.out" 2>&1; then
      { echo; cat "$last/memory.md"; } >>"$scale_md"
    else
      printf '\nbench/memory.sh failed (exit %s); see bench/out/last/logs/memory.out\n' "$?" >>"$scale_md"
    fi
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
  --docs "python3-doc=$pydoc" --docs "postgresql-doc=$pgdoc" \
  --ideal "synthetic c=10=$ideal10" --ideal "synthetic c=100=$ideal100" \
  --asyncfetch "${af_reason:-ok}" \
  --startup "$startup" --turnaround-file "$turnaround_md" --scale-file "$scale_md" \
  --installed "$af_kind" --jit "$([ -n "$AF_JIT" ] && echo yes || echo no)" \
  --commands "$commands" \
  --versions "wget2 $(wget2 --version 2>/dev/null | head -1 | awk '{print $3}'); $(scrapy version 2>/dev/null); nginx $(nginx -v 2>&1 | sed 's#.*/##'); asyncfetch $af_version" \
  --markdown "$repo/docs/performance.md"
