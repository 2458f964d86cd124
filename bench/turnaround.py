#!/usr/bin/env python3
"""Answer to next request, read off the wire: per connection, the time from the last byte of an answer to
the first byte of the next request on that connection, from `tcpdump -n -tt -r` text of a loopback capture.

It is the crawler's own time between two requests (the server's is not in it): reading the answer,
parsing the page, picking the next URL, starting the request.

usage: tcpdump -n -tt -r CAPTURE | turnaround.py row PORT CRAWLER MAX RUN >> rows.tsv
       turnaround.py table rows.tsv            (Markdown: medians over the runs)
"""
import collections
import re
import statistics
import sys

PACKET = re.compile(r"^(\d+\.\d+) IP 127\.0\.0\.1\.(\d+) > 127\.0\.0\.1\.(\d+): .* length (\d+)")
COLUMNS = ["crawler", "max", "run", "requests", "gaps", "p50_us", "p90_us", "mean_us", "span_s"]


def row(lines, port, crawler, n, run):
    """One capture: the gaps between an answer's last data packet and the next request on its connection."""
    last_answer = {}  # client port -> time of the server's last data packet to it
    gaps, requests, first, end = [], 0, None, None
    for line in lines:
        m = PACKET.match(line)
        if not m or int(m[4]) == 0:
            continue  # not a data packet (SYN, ACK, FIN)
        t, src, dst = float(m[1]), m[2], m[3]
        first = first if first is not None else t
        end = t
        if src == port:
            last_answer[dst] = t
        elif dst == port:
            requests += 1
            if src in last_answer:
                gaps.append(t - last_answer.pop(src))
    if not gaps:
        raise SystemExit(f"no request followed an answer on port {port}: was the capture empty?")
    gaps.sort()
    us = lambda s: round(s * 1e6)
    return [crawler, n, run, requests, len(gaps), us(gaps[len(gaps) // 2]), us(gaps[int(0.9 * len(gaps))]),
            us(statistics.mean(gaps)), f"{end - first:.3f}"]


def table(path):
    runs = collections.defaultdict(list)
    for line in open(path):
        fields = dict(zip(COLUMNS, line.rstrip("\n").split("\t")))
        runs[(fields["crawler"], int(fields["max"]))].append(fields)
    if not runs:
        raise SystemExit(f"{path}: no rows")
    out = ["| crawler | --max | requests | answer → next request, median | p90 | mean | first to last packet |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    for (crawler, n), rows in sorted(runs.items(), key=lambda kv: (kv[0][1], kv[0][0] != "wget2", kv[0][0])):
        med = lambda key: statistics.median(float(r[key]) for r in rows)
        spread = lambda key: f"{min(float(r[key]) for r in rows):.0f}–{max(float(r[key]) for r in rows):.0f}"
        out.append(f"| {crawler} | {n} | {med('requests'):.0f} | {med('p50_us'):.0f} µs ({spread('p50_us')}) "
                   f"| {med('p90_us'):.0f} µs | {med('mean_us'):.0f} µs | {med('span_s'):.3f} s |")
    out.append("")
    out.append(f"{len(next(iter(runs.values())))} capture(s) per row, crawlers taking turns; medians over the captures "
               "(in brackets, the medians' min–max).")
    return "\n".join(out)


def main():
    if len(sys.argv) == 6 and sys.argv[1] == "row":
        print("\t".join(map(str, row(sys.stdin, *sys.argv[2:]))))
    elif len(sys.argv) == 3 and sys.argv[1] == "table":
        print(table(sys.argv[2]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
