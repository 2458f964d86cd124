#!/usr/bin/env bash
# Memory and file descriptors of asyncfetch against hostile-sized workloads, on loopback (issue 14).
#
# usage: bash bench/memory.sh              # builds the Native AOT binary of this checkout
#        ASYNCFETCH=PATH bash bench/memory.sh   # or measures that binary (e.g. an older build)
# env:   HOSTS=10000   distinct hosts of the second workload (127.0.0.0/8 addresses, one page each)
#        MAX=10        --max for both workloads
# Prints, per workload: peak RSS (from /usr/bin/time) and the peak count of open file descriptors
# (sampled from /proc every 20 ms), with the targets:
#   ten 200,000-link pages at --max 10 (links queued with --depth 1, --max-pages 10): RSS <= 200 MB
#   HOSTS hosts with one page each at --max 10: RSS <= 120 MB, fds <= --max + 64
# Installs what it needs (nginx, time) with apt-get when missing. Serves with its own nginx on a free port.
set -euo pipefail

repo=$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel)
HOSTS=${HOSTS:-10000}
MAX=${MAX:-10}
work=$(mktemp -d /tmp/asyncfetch-memory.XXXXXX)
nginx_pid=""

cleanup() {
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
  [ -n "${KEEP:-}" ] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }

need=()
command -v nginx >/dev/null || need+=(nginx)
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

bin=${ASYNCFETCH:-}
if [ -z "$bin" ]; then
  log "publishing the Native AOT binary"
  dotnet publish "$repo/src/AsyncFetcher.Cli" -c Release -r linux-x64 -o "$work/bin" -v q >&2
  bin=$work/bin/asyncfetch
fi

# The site: ten pages of 200,000 links each, and one small page every host gets.
log "writing the site"
mkdir -p "$work/site/big"
python3 - "$work/site" <<'PY'
import sys
root = sys.argv[1]
for p in range(10):
    with open(f"{root}/big/{p}.html", "w") as f:
        f.write(f"<!doctype html><html><head><title>big {p}</title></head><body>\n")
        f.write("".join(f'<a href="/big/{p}/link-{i}.html">link {i}</a>\n' for i in range(200_000)))
        f.write("</body></html>\n")
with open(f"{root}/index.html", "w") as f:
    f.write("<!doctype html><html><head><title>host</title></head><body><p>one page</p></body></html>\n")
PY

# nginx's workers run as another user: let them read the site.
chmod -R a+rX "$work"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/nginx.conf" <<CONF
worker_processes 2;
worker_rlimit_nofile 20000;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 16384; }
http {
  access_log off;
  client_body_temp_path $work/body;
  proxy_temp_path $work/proxy;
  fastcgi_temp_path $work/fastcgi;
  uwsgi_temp_path $work/uwsgi;
  scgi_temp_path $work/scgi;
  keepalive_requests 1000000;
  types { text/html html; text/plain txt; }
  server {
    # Every 127.x.y.z address reaches this server: each is a distinct host to the crawler.
    listen $port backlog=4096;
    root $work/site;
  }
}
CONF
ulimit -n "$(ulimit -Hn)"  # as many as allowed: the old builds kept a socket per host
nginx -c "$work/nginx.conf" -e "$work/error.log"
for _ in $(seq 50); do [ -s "$work/nginx.pid" ] && break; sleep 0.1; done
nginx_pid=$(cat "$work/nginx.pid")

# run NAME ARGS...: crawls with /usr/bin/time, samples open fds, prints one line.
run() {
  local name=$1; shift
  /usr/bin/time -v -o "$work/$name.time" "$bin" crawl "$@" --quiet -o "$work/$name.jsonl" &
  local timer=$! pid="" peak=0 n
  # The crawler is the child of /usr/bin/time.
  for _ in $(seq 100); do pid=$(pgrep -P "$timer" || true); [ -n "$pid" ] && break; sleep 0.01; done
  while kill -0 "$timer" 2>/dev/null; do
    if [ -n "$pid" ] && n=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l); then
      [ "$n" -gt "$peak" ] && peak=$n
    fi
    sleep 0.02
  done
  wait "$timer" || log "$name: the crawl exited $?"
  local rss_kb records
  rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/$name.time")
  records=$(wc -l < "$work/$name.jsonl")
  printf '%-34s peak RSS %6.1f MB   peak fds %6d   records %7d   wall %s\n' \
    "$name" "$(echo "$rss_kb / 1024" | bc -l)" "$peak" "$records" "$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/$name.time")"
}

base=http://127.0.0.1:$port
seq 0 9 | sed "s#.*#$base/big/&.html#" > "$work/big.txt"
log "ten 200,000-link pages, --max $MAX"
run "ten 200,000-link pages" "$work/big.txt" --max "$MAX" --depth 1 --max-pages 10 --no-robots
echo "  target: peak RSS <= 200 MB"

python3 - "$HOSTS" "$port" > "$work/hosts.txt" <<'PY'
import sys
hosts, port = int(sys.argv[1]), sys.argv[2]
for n in range(hosts):
    # 127.1.0.1 onwards, every address a distinct host (the last byte 1-255).
    print(f"http://127.{1 + n // 65025}.{n // 255 % 255}.{n % 255 + 1}:{port}/")
PY
log "$(wc -l < "$work/hosts.txt") hosts, one page each, --max $MAX"
run "$(wc -l < "$work/hosts.txt") hosts, one page each" "$work/hosts.txt" --max "$MAX" --depth 0
echo "  target: peak RSS <= 120 MB, peak fds <= $((MAX + 64))"
