#!/usr/bin/env python3
"""Turns bench/out/last/results.tsv into the Markdown table of docs/performance.md.

Called by bench/run.sh, which passes everything the table cannot know by itself.
Prints the table (with its notes) and, with --markdown FILE, writes the whole page.
"""
import argparse
import csv
import datetime
import os
import platform
import statistics

CRAWLERS = ["wget2", "scrapy", "asyncfetch", "asyncfetch-jit"]
# How each crawler is named in the table.
NAMES = {"asyncfetch": "asyncfetch", "asyncfetch-jit": "asyncfetch JIT (`any` package)"}
# Cores used by other processes (not the crawler, not its nginx) above which a run is flagged.
BUSY = 0.25

INTRO = """\
# Performance

How fast asyncfetch crawls compared with wget2 (C) and Scrapy (Python), measured by
[`bench/run.sh`](../bench/run.sh) against nginx on loopback. Rerun with
`bash bench/run.sh` (`RUNS=5` for more runs, `ASYNCFETCH=path` to skip the build, `SCALE=1`
for a million pages and a thousand hosts); [`bench/README.md`](../bench/README.md) says what
each column means.

*asyncfetch* is the tool as users install it: the benchmark packs it (`.ci/pack-tool`) and runs
`dotnet tool install asyncfetch` from those packages into a scratch tool path, which on linux-x64
installs the Native AOT binary. *asyncfetch JIT* is the framework-dependent `any` package, which
platforms without a native package get (it runs on the .NET runtime's JIT): its row keeps that
cost in sight.

The synthetic site answers every request after 50 ms, so a crawl there waits on the
network, not the CPU. Its **limit** is the fastest any crawler could possibly finish:
with at most N requests in flight and a page's links known only once it has arrived,
fetching in rounds of N known pages is optimal, so the limit is rounds × 50 ms
(robots.txt counts as the first round; `shared/benchsite/ideal.py` computes it).
*Efficiency* is limit ÷ measured wall time: 100 % means the crawler kept N requests
in flight for the whole crawl and lost nothing to start-up, parsing or scheduling.
The documentation trees have no delay, so they measure HTML parsing and URL handling rather
than waiting: *parse-bound*, no limit. python3-doc has few, large pages (`contents.html` is
2.5 MB, `genindex-all.html` holds about 17,000 links); postgresql-doc has many small ones
(about 1,170 pages, 7 KB median).
"""


def parse_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--runs", type=int, required=True)
    ap.add_argument("--delay", type=float, required=True)
    ap.add_argument("--synthetic", required=True, help="description of the synthetic site")
    ap.add_argument("--docs", action="append", default=[], help="NAME=folder a documentation tree is served from")
    ap.add_argument("--expected", action="append", default=[], help="WORKLOAD_PREFIX=requests")
    ap.add_argument("--ideal", action="append", default=[], help="WORKLOAD=ideal.py output")
    ap.add_argument("--asyncfetch", required=True, help="ok, or why it is n/a")
    ap.add_argument("--startup", required=True)
    ap.add_argument("--turnaround-file", required=True, help="Markdown written by bench/turnaround.py")
    ap.add_argument("--scale-file", required=True, help="Markdown written by bench/scale.sh")
    ap.add_argument("--installed", required=True, help="what dotnet tool install put in place")
    ap.add_argument("--jit", required=True, help="yes when the JIT build has rows")
    ap.add_argument("--commands", required=True)
    ap.add_argument("--versions", required=True)
    ap.add_argument("--markdown")
    return ap.parse_args()


def pairs(items):
    return dict(item.rsplit("=", 1) for item in items)


def spread(values, fmt):
    mid = statistics.median(values)
    if len(values) == 1 or min(values) == max(values):
        return fmt.format(mid)
    return f"{fmt.format(mid)} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def main():
    a = parse_args()
    rows = list(csv.DictReader(open(a.results), delimiter="\t"))
    ideal = {k: v.split() for k, v in pairs(a.ideal).items()}  # pages rounds seconds
    limits = {k: float(v[2]) for k, v in ideal.items()}
    expected = {k: int(v) for k, v in pairs(a.expected).items()}
    workloads = list(dict.fromkeys(r["workload"] for r in rows))

    def runs(w, c):
        return [r for r in rows if r["workload"] == w and r["crawler"] == c]

    def ratios(w, c):
        """Wall ÷ wget2's wall in the same round (the crawlers take turns, so a round shares the machine's mood)."""
        base = {r["run"]: float(r["wall_s"]) for r in runs(w, "wget2") if r["status"] == "ok"}
        return [float(r["wall_s"]) / base[r["run"]] for r in runs(w, c) if r["status"] == "ok" and r["run"] in base]

    table = [
        "| workload | crawler | wall median (s) | pages fetched | efficiency vs limit | wall ÷ wget2's, same round | peak RSS (MiB) | CPU (s) |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    notes = []
    for w in workloads:
        for c in CRAWLERS:
            rs = runs(w, c)
            if not rs and c == "asyncfetch-jit":
                continue
            ok = [r for r in rs if r["status"] == "ok"]
            failed = [f"run {r['run']}: {r['status']}" for r in rs if r["status"] != "ok"]
            if not ok:
                why = "; ".join(failed) or (a.asyncfetch if c == "asyncfetch" else "not run")
                table.append(f"| {w} | {NAMES.get(c, c)} | n/a | n/a | n/a | n/a | n/a | n/a |")
                notes.append(f"- {w}, {c}: n/a ({why}).")
                continue
            walls = [float(r["wall_s"]) for r in ok]
            reqs = [int(r["requests"]) for r in ok]
            robots = sorted({int(r["robots"]) for r in ok})
            errors = sorted({int(r["non_2xx_3xx"]) for r in ok})
            pages = spread(reqs, "{:.0f}")
            detail = f"{'/'.join(map(str, robots))} robots.txt"
            if errors != [0]:
                detail += f", {'/'.join(map(str, errors))} not 2xx/3xx"
            wall = statistics.median(walls)
            eff = f"{limits[w] / wall:.0%}" if w in limits else "parse-bound"
            rs_w = ratios(w, c)
            ratio = spread(rs_w, "{:.2f}×") if rs_w else "n/a"
            rss = max(int(r["maxrss_kib"]) for r in ok) / 1024
            cpu = statistics.median(float(r["cpu_s"]) for r in ok)
            table.append(
                f"| {w} | {NAMES.get(c, c)} | {spread(walls, '{:.2f}')} | {pages} ({detail}) | {eff} | {ratio} | {rss:.0f} | {cpu:.2f} |"
            )
            if failed:
                notes.append(f"- {w}, {c}: {'; '.join(failed)} (left out of the median).")
            busy = [f"run {r['run']}: {r['other_cpu']}" for r in ok if float(r["other_cpu"]) > BUSY]
            if busy:
                notes.append(f"- {w}, {c}: other processes kept cores busy ({'; '.join(busy)} cores).")

    # Page counts: every crawler should fetch the same URLs, once each.
    counts = []
    for w in workloads:
        ok = [r for r in rows if r["workload"] == w and r["status"] == "ok"]
        want = next((n for k, n in expected.items() if w.startswith(k)), None)
        sets = {r["urlset"] for r in ok}
        same = "the same URL set in every run" if len(sets) == 1 else f"{len(sets)} different URL sets"
        dup = [f"{r['crawler']} run {r['run']}" for r in ok if int(r["requests"]) != int(r["unique_paths"])]
        off = [
            f"{r['crawler']} run {r['run']} ({r['requests']})"
            for r in ok
            if want is not None and int(r["requests"]) != want
        ]
        line = f"- {w}: {same} across {', '.join(dict.fromkeys(r['crawler'] for r in ok))}"
        if want is not None:
            line += f"; expected {want} requests (gensite.py's page count + robots.txt)"
            line += f", off: {', '.join(off)}" if off else ", all runs match"
        if dup:
            line += f"; fetched some URL twice: {', '.join(dup)}"
        bad = sorted({p for r in ok for p in r["not_2xx_3xx_paths"].split()})
        if bad:
            line += "; not 2xx/3xx (path:status, at most 5 a run): " + ", ".join(f"`{p}`" for p in bad)
        counts.append(line + ".")

    limit_lines = []
    for w, (pages, rounds, secs) in ideal.items():
        limit_lines.append(f"- {w}: {pages} pages in {rounds} rounds × {a.delay * 1000:.0f} ms = {secs} s.")

    body = "\n".join(table)
    scale = open(a.scale_file).read().rstrip()
    print(body)
    print("\n".join(notes + [""] + counts))
    print(f"\nStart-up: {a.startup}\n\nScale:\n{scale}")

    if not a.markdown:
        return
    cpu = next(
        (l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown"
    )
    mem = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal")) / 1024 / 1024
    debian = open("/etc/debian_version").read().strip() if os.path.exists("/etc/debian_version") else "?"
    page = [
        INTRO,
        f"## Results, {datetime.date.today().isoformat()}",
        "",
        f"{a.runs} run(s) per crawler and workload, taking turns; wall time is the median "
        "(min–max in brackets) of the whole process, from `/usr/bin/time`; pages fetched "
        "counts every request in that run's nginx access log, robots.txt included; peak RSS "
        "is the largest maximum resident set over the runs. The ratio to wget2 is taken run by run "
        "(a crawler's wall time ÷ wget2's in the same round; below 1 is faster): its median, with "
        "min–max. CPU is the crawler's user + system time (median); the machine has two cores, which "
        f"nginx shares with the crawler. `dotnet tool install` put in place: {a.installed}.",
        "",
        body,
        "",
        *notes,
        *([""] if notes else []),
        "Limits:",
        "",
        *limit_lines,
        "",
        "Page counts:",
        "",
        *counts,
        "",
        f"- Start-up: {a.startup}",
        "",
        "## Answer to next request (synthetic site, tcpdump)",
        "",
        "The crawler's own time between two requests on one connection: from the last byte of an answer to "
        "the first byte of the next request, read off the loopback interface with tcpdump "
        "(`bench/turnaround.py`), in extra crawls of the synthetic site beside wget2's: reading the answer and "
        "the page's links, picking the next URL, sending it. It is not the whole story of the wall time: the "
        "findings below show that shortening it did not shorten the synthetic crawls.",
        "",
        open(a.turnaround_file).read().rstrip(),
        "",
        "## Scale: a million pages, a thousand hosts (`SCALE=1`)",
        "",
        scale,
        "",
        *findings(),
        "## Machine",
        "",
        f"- `nproc`: {os.cpu_count()}; CPU: {cpu}; memory: {mem:.1f} GiB",
        f"- Debian {debian}, kernel {platform.release()}",
        f"- {a.versions}",
        "",
        "## Commands",
        "",
        f"Sites: synthetic from `gensite.py` ({a.synthetic}) served by `serve.sh SITE PORT 0.05`; "
        + "; ".join(f"{name} HTML ({path})" for name, path in (d.split("=", 1) for d in a.docs))
        + " served by `serve.sh SITE PORT 0`. Each crawler runs in an "
        "empty scratch directory, wrapped as `/usr/bin/time -f '%e %M %U %S' timeout --foreground -k 5 $TIMEOUT …` "
        + ("(the JIT row runs the asyncfetch command with the `any` package's binary):" if a.jit == "yes" else ":"),
        "",
        "```sh",
        a.commands.strip(),
        "```",
        "",
    ]
    with open(a.markdown, "w") as f:
        f.write("\n".join(page))


def findings():
    """The hand-written analysis (bench/FINDINGS.md): what limits asyncfetch, kept next to the figures."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "FINDINGS.md")
    if not os.path.exists(path):
        return []
    return [open(path).read().rstrip(), ""]


if __name__ == "__main__":
    main()
