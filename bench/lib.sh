# shellcheck shell=bash
# What bench/run.sh and bench/scale.sh share: packages, the asyncfetch tool installed from its
# packages, nginx sites on loopback, and cleaning up. Sourced, not run.
#
# env: SHARED=DIR (folder holding benchsite/), SITES=DIR (cache of generated sites), ASYNCFETCH=PATH,
#      ASYNCFETCH_JIT=PATH, TIMEOUT (seconds per crawl)

repo=$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel)
SHARED=${SHARED:-$repo/../shared}
[ -x "$SHARED/benchsite/serve.sh" ] || { echo "no benchsite kit in $SHARED/benchsite: set SHARED=DIR" >&2; exit 2; }
benchsite=$(cd "$SHARED/benchsite" && pwd)
SITES=${SITES:-/var/tmp/asyncfetch-bench}
TIMEOUT=${TIMEOUT:-300}
out=$repo/bench/out
last=$out/last
mkdir -p "$out"
work=$(mktemp -d /tmp/asyncfetch-bench.XXXXXX)
nginx_runs=()
bg_pids=()
policy_rc_created=0

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }

cleanup() {
  local r pid
  # A background job ignores Ctrl+C, so long crawls are stopped here (timeout passes the TERM on).
  for pid in "${bg_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for r in "${nginx_runs[@]}"; do
    pid=$(cat "$r/nginx.pid" 2>/dev/null) || continue
    kill "$pid" 2>/dev/null || true
    # nginx deletes its pid file on exit; kill -0 would also see a not-yet-reaped zombie.
    for _ in $(seq 50); do [ -e "$r/nginx.pid" ] || break; sleep 0.1; done
    rm -rf "$r"
  done
  if [ "$policy_rc_created" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
  rm -rf "$work" "$work"-*
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- packages
# gcc-aarch64-linux-gnu: .ci/pack-tool cross-compiles the linux-arm64 package with it. tcpdump: bench/run.sh
# reads the time between an answer and the next request off the wire (bench/turnaround.py).
packages=(nginx libnginx-mod-http-echo wget2 python3-scrapy python3-doc postgresql-doc-15 time hyperfine
          clang zlib1g-dev gcc-aarch64-linux-gnu tcpdump)
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
install_packages() {
  local p needed missing=()
  for p in "${packages[@]}"; do installed "$p" || missing+=("$p"); done
  [ ${#missing[@]} -gt 0 ] || return 0
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
}

# ---------------------------------------------------------------- asyncfetch, as users install it
# install_tool PACKAGES DEST [any]: `dotnet tool install asyncfetch` from PACKAGES alone, with an empty
# package cache (a cached build of the same version would win). With `any`, the pointer package is
# first cut down to the `any` package: what a platform without a native package installs.
install_tool() {
  local feed=$1 dest=$2 config
  rm -rf "$dest" "$dest.feed" "$dest.cache"
  if [ "${3:-}" = any ]; then
    mkdir -p "$dest.feed"
    cp "$feed"/asyncfetch.any.*.nupkg "$dest.feed/"
    python3 - "$feed" "$dest.feed" <<'PY'
import glob, os, re, sys, zipfile
src = [p for p in glob.glob(os.path.join(sys.argv[1], "asyncfetch.*.nupkg")) if re.match(r"asyncfetch\.\d", os.path.basename(p))][0]
with zipfile.ZipFile(src) as zi, zipfile.ZipFile(os.path.join(sys.argv[2], os.path.basename(src)), "w", zipfile.ZIP_DEFLATED) as zo:
    for item in zi.infolist():
        data = zi.read(item.filename)
        if item.filename.endswith("DotnetToolSettings.xml"):
            data = re.sub(rb'\s*<RuntimeIdentifierPackage RuntimeIdentifier="(?!any")[^"]*"[^>]*/>', b"", data)
        zo.writestr(item, data)
PY
    feed=$dest.feed
  fi
  config=$work/nuget-$(basename "$dest").config
  printf '<configuration><packageSources><clear /><add key="local" value="%s" /></packageSources></configuration>\n' "$feed" >"$config"
  NUGET_PACKAGES=$dest.cache dotnet tool install asyncfetch --tool-path "$dest" --configfile "$config" >"$dest.log" 2>&1
  local rc=$?
  rm -rf "$dest.cache" "$dest.feed"
  return $rc
}

# build_tools: sets AF (the tool as installed on this machine: Native AOT on linux-x64), AF_JIT (the
# framework-dependent `any` package, which every other platform gets) and af_reason (why AF is n/a).
# ASYNCFETCH / ASYNCFETCH_JIT name binaries to use instead.
build_tools() {
  af_reason="" AF_JIT=""
  if [ -n "${ASYNCFETCH:-}" ]; then
    # Crawls run in scratch directories, so a relative path is made absolute here.
    if [[ $ASYNCFETCH == */* ]]; then AF=$(realpath "$ASYNCFETCH"); else AF=$(command -v "$ASYNCFETCH" || echo "$ASYNCFETCH"); fi
    if [ -n "${ASYNCFETCH_JIT:-}" ]; then AF_JIT=$(realpath "$ASYNCFETCH_JIT"); fi
  else
    AF=$out/tool/asyncfetch
    log "packing asyncfetch (.ci/pack-tool) and installing it from the packages"
    if ! command -v dotnet >/dev/null; then
      af_reason="dotnet SDK not installed"
    elif ! "$repo/.ci/pack-tool" "$out/packages" >"$out/pack.log" 2>&1; then
      af_reason="packing failed (bench/out/pack.log)"
    elif ! install_tool "$out/packages" "$out/tool"; then
      af_reason="dotnet tool install failed (bench/out/tool.log)"
    elif install_tool "$out/packages" "$out/tool-jit" any; then
      AF_JIT=$out/tool-jit/asyncfetch
    fi
    grep warning "$out/pack.log" >&2 || true
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
  # What `dotnet tool install` put in place: the binary itself, or the .NET host's shim.
  af_kind="n/a"
  if [ -z "$af_reason" ]; then af_kind=$(af_kind "$AF"); fi
}

# af_kind BIN: "Native AOT" when BIN runs without the .NET host (the host traces to stderr under COREHOST_TRACE=1)
af_kind() {
  # grep -c, not -q: -q stops reading at the first match, and under pipefail the traced process's SIGPIPE would say "Native AOT".
  if COREHOST_TRACE=1 timeout 30 "$1" --version 2>&1 >/dev/null | grep -c 'Tracing enabled' >/dev/null; then echo "JIT, through the dotnet host"
  else echo "Native AOT"; fi
}

# install_warcio: Webrecorder's warcio from npm, pinned as the tests pin it, under bench/out -> sets $WARCIO (its cli.js)
install_warcio() {
  local version
  version=$(sed -n 's/.*const string Version = "\(.*\)";/\1/p' "$repo/tests/AsyncFetcher.Testing/Warcio.cs")
  WARCIO=$out/warcio/node_modules/warcio/dist/cli.js
  [ -e "$WARCIO" ] || npm install --prefix "$out/warcio" --no-audit --no-fund --no-save --loglevel=error "warcio@$version" >&2
}

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

# The command line of one crawler; every one: same host, unlimited depth, <a href>
# links only, robots.txt obeyed, nothing written to disk.
crawler_cmd() {
  local crawler=$1 url=$2 n=$3
  # shellcheck disable=SC2054  # the commas belong to --ignore-tags
  case $crawler in
    # -O /dev/null: wget2 parses links from memory, so nothing is written;
    # --ignore-tags: follow <a href> only, like the others (no img/css/js requisites, no
    # <object>/<embed>: postgresql-doc draws a few figures with <object data="x.svg">).
    wget2) cmd=(wget2 -r -l inf -O /dev/null --max-threads "$n" -q --robots=on
                --ignore-tags=img,link,script,object,embed --no-hsts --no-hpkp --no-ocsp "$url") ;;
    scrapy) cmd=(scrapy runspider -L ERROR "$repo/bench/scrapy_bench.py" -a "start_url=$url"
                 -s "CONCURRENT_REQUESTS=$n" -s "CONCURRENT_REQUESTS_PER_DOMAIN=$n") ;;
    asyncfetch) cmd=("$AF" crawl "$url" --max "$n" --depth 1000 --quiet --output /dev/null) ;;
    asyncfetch-jit) cmd=("$AF_JIT" crawl "$url" --max "$n" --depth 1000 --quiet --output /dev/null) ;;
  esac
}

# in_scratch DIR COMMAND...: runs COMMAND in DIR with HOME and TMPDIR there too: wget2 keeps HSTS/OCSP
# files under $HOME and lock files in $TMPDIR, and no run may see another's.
in_scratch() {
  local dir=$1
  shift
  (cd "$dir" && HOME=$dir TMPDIR=$dir "$@")
}

# gen_site PAGES [BYTES] -> sets $site_dir and $site_pages (gensite.py's count). Sites are kept in
# $SITES, keyed by their parameters and gensite.py's hash, because writing (and deleting) the
# large ones takes minutes; .pages marks a finished site.
gen_site() {
  local key lock bytes=${2:-$BYTES}
  key="pages$1-links$LINKS-bytes$bytes-$(sha1sum "$benchsite/gensite.py" | cut -c1-12)"
  site_dir=$SITES/$key
  mkdir -p "$SITES"
  chmod 755 "$SITES"  # nginx workers run unprivileged
  # Other checkouts on this machine share the cache: one writer at a time.
  exec {lock}>"$SITES/.lock"
  flock "$lock"
  if [ ! -s "$site_dir/.pages" ]; then
    log "generating the synthetic site ($1 pages of $bytes bytes) in $site_dir"
    rm -rf "$site_dir"
    mkdir -m 755 "$site_dir"
    python3 "$benchsite/gensite.py" "$site_dir" --pages "$1" --links "$LINKS" --bytes "$bytes" >"$site_dir/.pages.tmp"
    mv "$site_dir/.pages.tmp" "$site_dir/.pages"
  fi
  exec {lock}>&-
  site_pages=$(cat "$site_dir/.pages")
}

# doc_tree NAME GLOB...: the first folder with an index.html among GLOB, read once so the first
# measured crawl does not pay for a cold page cache -> sets $doc_dir
doc_tree() {
  local name=$1 d
  shift
  doc_dir=""
  for d in "$@"; do
    if [ -e "$d/index.html" ]; then doc_dir=$(readlink -f "$d"); break; fi
  done
  [ -n "$doc_dir" ] || { echo "$name HTML not found under /usr/share/doc" >&2; exit 1; }
  find -L "$doc_dir" -type f -exec cat {} + >/dev/null
}
