#!/usr/bin/env bash
# A re-crawl against the first crawl: the 1,000-page synthetic site (benchsite/gensite.py on nginx, which
# serves ETag and Last-Modified for static files and answers 304 to a matching If-None-Match), crawled once
# with --state and --warc, then 5% of its pages changed, then crawled again with --recrawl.
#
# usage: bash bench/recrawl.sh
# env:   ASYNCFETCH=PATH  use this binary instead of packing and installing the dotnet tool
#        DELAY=0.05       seconds nginx waits before each response (as bench/run.sh's synthetic site)
#        MAX=10           --max
#        CHANGED=20       change every CHANGED-th page (20: 5%)
#        SHARED, SITES, TIMEOUT as for bench/run.sh
# Prints requests, bytes and wall time of both crawls (from nginx's access log, the WARCs and the clock),
# the re-crawl's new/changed/unchanged/gone counts, and checks both WARCs with warcio and bench/warc_check.py.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DELAY=${DELAY:-0.05} MAX=${MAX:-10} CHANGED=${CHANGED:-20}
PAGES=1000 LINKS=10 BYTES=8000
# Only what this benchmark needs: nginx with the echo module (the delay), node and npm (warcio).
packages=(nginx libnginx-mod-http-echo)
# npm may come with a nodejs that is not Debian's (whose npm package then conflicts with it): only without one is it installed.
command -v npm >/dev/null || packages+=(npm)
install_packages
build_tools
[ -z "$af_reason" ] || { echo "asyncfetch: $af_reason" >&2; exit 1; }
install_warcio

gen_site "$PAGES"
# A copy: the cached site stays as bench/run.sh expects it.
site=$work/site
cp -a "$site_dir" "$site"
chmod 755 "$work"
serve "$site" "$DELAY"
log "serving $site on port $port"
url=http://127.0.0.1:$port/index.html
run=$work/run
mkdir -p "$run"

# crawl NAME [OPTIONS...]: one crawl with the shared state file; sets lines_<NAME> to the access log's
# lines it added, and wall_<NAME> to its wall time in seconds.
crawl() {
  local name=$1 before start end
  shift
  before=$(wc -l <"$access")
  start=$(date +%s.%N)
  timeout "$TIMEOUT" "$AF" crawl "$url" --max "$MAX" --depth 1000 --state "$run/crawl.db" --warc "$run/$name.warc.gz" \
    -o "$run/$name.jsonl" --summary-json "$run/$name.json" --progress-interval 0 "$@" 2>"$run/$name.log"
  end=$(date +%s.%N)
  printf -v "wall_$name" '%s' "$(python3 -c "print(f'{$end - $start:.2f}')")"
  tail -n +"$((before + 1))" "$access" >"$run/$name.access"
}

log "first crawl"
crawl first
# 5% of the pages get new text (same links): a new length and a later mtime, so a new ETag and Last-Modified.
changed=0
for ((i = 0; i < PAGES; i += CHANGED)); do
  printf '<!-- changed between the crawls -->\n' >>"$site/p/$i.html"
  touch -d '+1 hour' "$site/p/$i.html"
  changed=$((changed + 1))
done
log "changed $changed pages; re-crawling"
crawl second --recrawl

# requests, 200s, 304s, body bytes sent (nginx's $body_bytes_sent), from one crawl's access log lines
stats() { awk '{n++; s[$9]++; b+=$10} END {printf "%d %d %d %d", n, s[200], s[304], b}' "$1"; }
# bytes received as sent, heads included: the blocks of the WARC's response and revisit records
warc_bytes() {
  python3 - "$1" <<'PY'
import gzip, sys
total = 0
data = gzip.open(sys.argv[1]).read()
at = 0
while at < len(data):
    end = data.index(b"\r\n\r\n", at)
    head = data[at:end].decode()
    length = int([l for l in head.split("\r\n") if l.lower().startswith("content-length:")][0].split(":")[1])
    if "WARC-Type: response" in head or "WARC-Type: revisit" in head:
        total += length
    at = end + 4 + length + 4
print(total)
PY
}
read -r req1 ok1 nm1 body1 <<<"$(stats "$run/first.access")"
read -r req2 ok2 nm2 body2 <<<"$(stats "$run/second.access")"
wire1=$(warc_bytes "$run/first.warc.gz")
wire2=$(warc_bytes "$run/second.warc.gz")
pct() { python3 -c "print(f'{100 * $1 / $2:.1f} %')"; }
counts=$(python3 -c "import json; r = json.load(open('$run/second.json'))['recrawl']; print(f\"{r['new']} new, {r['changed']} changed, {r['unchanged']} unchanged, {r['gone']} gone\")")

echo
echo "asyncfetch re-crawl: ${PAGES}-page synthetic site, ${changed} pages changed ($(pct "$changed" "$PAGES")), --max $MAX, ${DELAY}s per response ($(af_kind "$AF"))"
echo
printf '| %-28s | %14s | %14s | %10s |\n' "" "first crawl" "re-crawl" "re-crawl/first"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..30})" "$(printf -- '-%.0s' {1..16})" "$(printf -- '-%.0s' {1..16})" "$(printf -- '-%.0s' {1..16})"
printf '| %-28s | %14s | %14s | %14s |\n' "requests" "$req1" "$req2" "$(pct "$req2" "$req1")"
printf '| %-28s | %14s | %14s | %14s |\n' "  200 / 304" "$ok1 / $nm1" "$ok2 / $nm2" ""
printf '| %-28s | %14s | %14s | %14s |\n' "body bytes sent (nginx)" "$body1" "$body2" "$(pct "$body2" "$body1")"
printf '| %-28s | %14s | %14s | %14s |\n' "bytes received, heads too" "$wire1" "$wire2" "$(pct "$wire2" "$wire1")"
printf '| %-28s | %14s | %14s | %14s |\n' "WARC file size" "$(stat -c %s "$run/first.warc.gz")" "$(stat -c %s "$run/second.warc.gz")" "$(pct "$(stat -c %s "$run/second.warc.gz")" "$(stat -c %s "$run/first.warc.gz")")"
printf '| %-28s | %14s | %14s | %14s |\n' "wall (s)" "$wall_first" "$wall_second" "$(pct "$wall_second" "$wall_first")"
echo
echo "re-crawl summary: $counts"
for name in first second; do
  echo "$name.warc.gz: warcio index $(node "$WARCIO" index "$run/$name.warc.gz" | wc -l) records, cdx-index $(node "$WARCIO" cdx-index "$run/$name.warc.gz" | wc -l) lines; $(python3 "$repo/bench/warc_check.py" "$run/$name.warc.gz" | tr '\n' ';')"
done
