#!/usr/bin/env bash
# What asyncfetch, wget2 and Scrapy find through sitemaps on the same hand-made site (issue 17 part 3).
#
# The site (generated here, on nginx on 127.0.0.1): robots.txt names a sitemap index; the index lists
# sitemap-a.xml and sitemap-b.xml.gz (served as application/x-gzip, no Content-Encoding); index.html links
# to 20 pages; the sitemaps list 15 of those, 30 orphans no page links to (15 in each sitemap, one entry with
# <lastmod>), a page robots.txt disallows and a page on another port of 127.0.0.1 (a second server block
# with its own log). A /sitemap.xml that robots.txt does not name lists 5 more orphans. A second site,
# whose robots.txt names no sitemap, has only a /sitemap.xml (5 orphans): there --sitemaps on and auto differ.
#
# usage: bash bench/sitemaps.sh
# env:   ASYNCFETCH=PATH  use this binary instead of packing and installing the dotnet tool
#        XML_TYPE=application/xml  the Content-Type of the .xml sitemaps (text/xml: nginx's own, which wget2 skips)
#        KEEP=DIR         copy every run's logs and output there (else they go with the temp dir)
#        SHARED, TIMEOUT as for bench/run.sh
# Prints one row per crawler and mode, counted from nginx's access log of that run alone (the logs are
# reopened between runs), and the sitemap records of asyncfetch's output. Writes only under a temp dir (and,
# without ASYNCFETCH, the packed tool under bench/out, as bench/run.sh does).
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
packages=(nginx wget2 python3-scrapy)
XML_TYPE=${XML_TYPE:-application/xml}
install_packages
build_tools
[ -z "$af_reason" ] || { echo "asyncfetch: $af_reason" >&2; exit 1; }

chmod 755 "$work"  # nginx workers run unprivileged
port=$(free_port) other=$(free_port) plain=$(free_port)
while [ "$other" = "$port" ]; do other=$(free_port); done
while [ "$plain" = "$port" ] || [ "$plain" = "$other" ]; do plain=$(free_port); done

python3 - "$work" "$port" "$other" "$plain" <<'PY'
import gzip, os, sys
work, port, other, plain = sys.argv[1], *sys.argv[2:]
base, plain_base = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{plain}"

def write(root, path, data):
    full = os.path.join(root, path.lstrip("/"))
    os.makedirs(os.path.dirname(full), mode=0o755, exist_ok=True)
    with open(full, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

def page(title, links=()):
    items = "".join(f'<li><a href="{h}">{h}</a></li>' for h in links)
    return f"<!doctype html><html><head><title>{title}</title></head><body><h1>{title}</h1><ul>{items}</ul></body></html>\n"

def urlset(urls):
    entries = "".join(f"  <url><loc>{u}</loc>{extra}</url>\n" for u, extra in urls)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</urlset>\n'

site, elsewhere, plain_site = (os.path.join(work, d) for d in ("site", "other", "plain"))
linked = [f"/p/{i}.html" for i in range(1, 21)]
write(site, "/index.html", page("home", linked))
for i, p in enumerate(linked, 1):
    write(site, p, page(f"page {i}", ["/"] + ([linked[i]] if i < len(linked) else [])))
for i in range(1, 31):
    write(site, f"/o/{i}.html", page(f"orphan {i}"))
for i in range(1, 6):
    write(site, f"/u/{i}.html", page(f"unnamed orphan {i}"))
write(site, "/private/secret.html", page("disallowed"))
write(site, "/robots.txt", f"User-agent: *\nDisallow: /private/\n\nSitemap: {base}/sitemap-index.xml\n")
write(site, "/sitemap-index.xml",
      '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
      f"  <sitemap><loc>{base}/sitemap-a.xml</loc></sitemap>\n"
      f"  <sitemap><loc>{base}/sitemap-b.xml.gz</loc><lastmod>2026-11-01</lastmod></sitemap>\n</sitemapindex>\n")
# 33 entries in a, 20 in b: the home page, 15 of the 20 linked pages (5 of them in both), 30 orphans, 2 traps.
write(site, "/sitemap-a.xml", urlset(
    [(f"{base}/", "")] + [(base + p, "") for p in linked[:15]]
    + [(f"{base}/o/1.html", "<lastmod>2026-11-28T09:30:00+00:00</lastmod><changefreq>daily</changefreq>")]
    + [(f"{base}/o/{i}.html", "") for i in range(2, 16)]
    + [(f"{base}/private/secret.html", ""), (f"http://127.0.0.1:{other}/elsewhere.html", "")]))
write(site, "/sitemap-b.xml.gz", gzip.compress(urlset(
    [(f"{base}/o/{i}.html", "") for i in range(16, 31)] + [(base + p, "") for p in linked[:5]]).encode(), mtime=0))
write(site, "/sitemap.xml", urlset([(f"{base}/u/{i}.html", "") for i in range(1, 6)]))
write(elsewhere, "/elsewhere.html", page("another port"))
# The second site: robots.txt names no sitemap; its /sitemap.xml lists 5 orphans.
write(plain_site, "/index.html", page("plain home", ["/p/1.html", "/p/2.html"]))
for i in (1, 2):
    write(plain_site, f"/p/{i}.html", page(f"plain page {i}", ["/"]))
for i in range(1, 6):
    write(plain_site, f"/u/{i}.html", page(f"plain orphan {i}"))
write(plain_site, "/robots.txt", "User-agent: *\nDisallow: /private/\n")
write(plain_site, "/sitemap.xml", urlset([(f"{plain_base}/u/{i}.html", "") for i in range(1, 6)]))
PY
chmod -R a+rX "$work/site" "$work/other" "$work/plain"

ngx=$work/nginx
mkdir -p "$ngx"
cat >"$ngx/nginx.conf" <<EOF
worker_processes 1;
pid $ngx/nginx.pid;
error_log $ngx/error.log warn;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  log_format plain '\$request \$status \$body_bytes_sent "\$http_user_agent"';
  client_body_temp_path $ngx/body;
  proxy_temp_path $ngx/proxy;
  fastcgi_temp_path $ngx/fastcgi;
  uwsgi_temp_path $ngx/uwsgi;
  scgi_temp_path $ngx/scgi;
  gzip off;
  server {
    listen 127.0.0.1:$port;
    root $work/site;
    access_log $ngx/main.log plain;
    # A gzip sitemap is a gzip file, not a gzip-encoded XML response: no gzip_static, no Content-Encoding.
    # The types are the ones wget2 reads sitemaps of (it skips text/xml, nginx's type for .xml, and application/gzip).
    location ~ \.xml\$ { types { } default_type $XML_TYPE; }
    location ~ \.xml\.gz\$ { types { } default_type application/x-gzip; }
  }
  server { listen 127.0.0.1:$other; root $work/other; access_log $ngx/other.log plain; }
  server {
    listen 127.0.0.1:$plain;
    root $work/plain;
    access_log $ngx/plain.log plain;
    location ~ \.xml\$ { types { } default_type $XML_TYPE; }
  }
}
EOF
nginx -c "$ngx/nginx.conf" -e "$ngx/error.log"
nginx_runs+=("$ngx")
for p in "$port" "$other" "$plain"; do
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && break; sleep 0.1; done
done
headers=$(python3 -c "import urllib.request as u; r = u.urlopen('http://127.0.0.1:$port/sitemap-b.xml.gz'); print(r.headers['Content-Type'], r.headers['Content-Encoding'])")
[ "$headers" = "application/x-gzip None" ] || { echo "sitemap-b.xml.gz served as '$headers'" >&2; exit 1; }
log "site on 127.0.0.1:$port, another port $other, the site whose robots.txt names no sitemap on $plain"

# rotate NAME: sets the logs of the run just ended apart as runs/NAME.{main,other,plain}.log; nginx reopens its own.
rotate() {
  local name=$1 f
  sleep 0.5  # nginx logs a request once its response is sent
  for f in main other plain; do mv "$ngx/$f.log" "$work/runs/$name.$f.log"; done
  kill -USR1 "$(cat "$ngx/nginx.pid")"
  for _ in $(seq 50); do [ -e "$ngx/main.log" ] && break; sleep 0.1; done
}
mkdir -p "$work/runs"
rotate check  # the Content-Type check above was a request too

cat >"$work/spider.py" <<'PY'
from urllib.parse import urlparse

from scrapy.spiders import SitemapSpider


class Sitemaps(SitemapSpider):
    """sitemap_urls = [robots.txt]; sitemap_follow and sitemap_alternate_links as they come. follow=1 also follows <a href>."""
    name = "sitemaps"

    def __init__(self, robots, follow="0", *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sitemap_urls = [robots]
        self.allowed_domains = [urlparse(robots).hostname]
        self.follow = follow == "1"

    def parse(self, response):
        yield {"url": response.url, "status": response.status}
        if self.follow:
            for href in response.css("a::attr(href)").getall():
                yield response.follow(href, callback=self.parse)
PY

runs=()
# crawl NAME COMMAND...: one crawl in its own directory, then its logs set apart
crawl() {
  local name=$1 cwd=$work/runs/$1 rc=0
  shift
  mkdir -p "$cwd"
  log "$name: $*"
  (cd "$cwd" && HOME=$cwd timeout "$TIMEOUT" "$@" >"$cwd/stdout" 2>"$cwd/stderr") || rc=$?
  [ "$rc" = 0 ] || log "$name: exit $rc ($(tail -n 1 "$cwd/stderr"))"
  rotate "$name"
  runs+=("$name")
}

url=http://127.0.0.1:$port/
crawl "asyncfetch --sitemaps auto" "$AF" crawl "$url" --sitemaps auto -o out.jsonl --progress-interval 0
crawl "asyncfetch --sitemaps on" "$AF" crawl "$url" --sitemaps on -o out.jsonl --progress-interval 0
crawl "asyncfetch --sitemaps off" "$AF" crawl "$url" --sitemaps off -o out.jsonl --progress-interval 0
# wget2 1.99 has no --follow-sitemaps: in a recursive crawl it reads the sitemaps robots.txt names.
crawl "wget2 -r" wget2 -r -l inf --robots=on -nd -P files --no-hsts --no-hpkp --no-ocsp "$url"
scrapy=(scrapy runspider "$work/spider.py" -a "robots=${url}robots.txt" -s ROBOTSTXT_OBEY=True -s LOG_LEVEL=ERROR
        -s TELNETCONSOLE_ENABLED=False -O "items.jsonl:jsonlines")
crawl "scrapy SitemapSpider" "${scrapy[@]}" -a follow=0
crawl "scrapy SitemapSpider + links" "${scrapy[@]}" -a follow=1
purl=http://127.0.0.1:$plain/
crawl "asyncfetch --sitemaps auto [no Sitemap: line]" "$AF" crawl "$purl" --sitemaps auto -o out.jsonl --progress-interval 0
crawl "asyncfetch --sitemaps on [no Sitemap: line]" "$AF" crawl "$purl" --sitemaps on -o out.jsonl --progress-interval 0
crawl "wget2 -r [no Sitemap: line]" wget2 -r -l inf --robots=on -nd -P files --no-hsts --no-hpkp --no-ocsp "$purl"

echo
echo "asyncfetch: $AF ($af_kind); sitemaps served as $XML_TYPE and application/x-gzip; wget2 $(wget2 --version | sed -n '1s/^GNU Wget2 \([^ ]*\).*/\1/p'); $(scrapy version 2>/dev/null)"
echo
python3 - "$work/runs" "${runs[@]}" <<'PY'
import json, os, re, sys
runs_dir, names = sys.argv[1], sys.argv[2:]

def requests(path):
    with open(path) as f:
        return [re.match(r"(\S+) (\S+) \S+ (\d+)", line).groups() for line in f if line.strip()]

print("| crawler | requests | distinct pages | orphans in sitemap-a (of 15) | orphans in sitemap-b.xml.gz (of 15) "
      "| linked only (of 5) | index fetched | .gz fetched | unnamed /sitemap.xml fetched (its orphans, of 5) | other port: requests | disallowed fetched |")
print("|---|---:|---:|---:|---:|---:|---|---|---|---|---|")
notes = []
for name in names:
    main = requests(os.path.join(runs_dir, f"{name}.main.log"))
    plain = requests(os.path.join(runs_dir, f"{name}.plain.log"))
    other = requests(os.path.join(runs_dir, f"{name}.other.log"))
    served = main or plain
    paths = {p for _, p, _ in served}
    pages = {p for p in paths if p.endswith((".html", "/"))}
    orphans = lambda lo, hi: sum(f"/o/{i}.html" in paths for i in range(lo, hi + 1))
    unnamed = sum(f"/u/{i}.html" in paths for i in range(1, 6))
    yes = lambda b: "yes" if b else "no"
    if main:
        cells = [orphans(1, 15), orphans(16, 30), sum(f"/p/{i}.html" in paths for i in range(16, 21)), yes("/sitemap-index.xml" in paths), yes("/sitemap-b.xml.gz" in paths)]
    else:
        cells = ["–"] * 5
    cells += [f"{yes('/sitemap.xml' in paths)} ({unnamed})", ", ".join(sorted({p for _, p, _ in other})) or "no",
              yes("/private/secret.html" in paths)]
    print(f"| {name} | {len(main) + len(plain) + len(other)} | {len(pages)} | " + " | ".join(map(str, cells)) + " |")
    twice = sorted(p for p in paths if sum(q == p for _, q, _ in served) > 1)
    if twice:
        notes.append(f"- {name}: asked more than once: {', '.join(twice)}")
print()
print("\n".join(notes))

print()
for name in names:
    out = os.path.join(runs_dir, name, "out.jsonl")
    if not os.path.exists(out):
        continue
    with open(out) as f:
        records = [json.loads(line) for line in f if line.strip()]
    maps = [r for r in records if "sitemap" in r.get("url", "")]
    desc = "; ".join(f"{r['url'].removeprefix('http://')} {r.get('status')} links={r.get('links')}"
                     + (f" error={r['error']!r}" if r.get("error") else "") for r in maps) or "none"
    print(f"- {name}: {len(records)} records; sitemap records: {desc}")
PY
[ -z "${KEEP:-}" ] || cp -a "$work/runs" "$KEEP"
