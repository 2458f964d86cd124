#!/usr/bin/env bash
# The WARC of a real crawl, checked by readers asyncfetch did not write: Debian's python3-doc served by nginx
# on loopback (as bench/run.sh serves it), crawled with --warc, then read by Webrecorder's warcio (index,
# cdx-index) and by bench/warc_check.py (every record's block and payload digest).
#
# usage: bash bench/warc.sh
# env:   ASYNCFETCH=PATH  use this binary instead of packing and installing the dotnet tool
#        MAX=10           --max
#        SHARED, TIMEOUT as for bench/run.sh
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
MAX=${MAX:-10}
packages=(nginx libnginx-mod-http-echo python3-doc)
command -v npm >/dev/null || packages+=(npm)
install_packages
build_tools
[ -z "$af_reason" ] || { echo "asyncfetch: $af_reason" >&2; exit 1; }
install_warcio

doc_tree python3-doc /usr/share/doc/python3/html /usr/share/doc/python3-doc/html /usr/share/doc/python3.*/html
serve "$doc_dir" 0
run=$work/warc
mkdir -p "$run"
start=$(date +%s.%N)
timeout "$TIMEOUT" "$AF" crawl "http://127.0.0.1:$port/index.html" --max "$MAX" --depth 1000 --warc "$run/python3-doc.warc.gz" \
  -o "$run/records.jsonl" --progress-interval 0 2>"$run/crawl.log"
end=$(date +%s.%N)

records=$(wc -l <"$run/records.jsonl")
index=$(node "$WARCIO" index "$run/python3-doc.warc.gz" --fields warc-type)
echo
echo "python3-doc with --warc ($(af_kind "$AF"), --max $MAX): $records records in $(python3 -c "print(f'{$end - $start:.2f}')") s, $(grep -c . "$access") requests served"
echo "WARC: $(stat -c %s "$run/python3-doc.warc.gz") bytes; bodies received $(awk '{b+=$10} END {print b}' "$access") bytes (nginx)"
echo "warcio index: $(wc -l <<<"$index") records ($(sed -n 's/.*"warc-type":"\([a-z]*\)".*/\1/p' <<<"$index" | sort | uniq -c | awk '{printf "%s%s %s", sep, $2, $1; sep=", "}'))"
echo "warcio cdx-index: $(node "$WARCIO" cdx-index "$run/python3-doc.warc.gz" | wc -l) CDXJ lines"
python3 "$repo/bench/warc_check.py" "$run/python3-doc.warc.gz"
