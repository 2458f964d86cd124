#!/usr/bin/env python3
"""Samples a long crawl for the SCALE=1 workload of bench/run.sh.

usage: scale_sample.py PID ACCESS_LOG START_LINE
           every 0.1 s until PID exits, prints: seconds  requests  rss_kib  peak_rss_kib
           (PID may be a `timeout` wrapper: the deepest first child is sampled)
       scale_sample.py --summary SAMPLES_TSV EXIT_CODE EXPECTED_REQUESTS
           prints one line: total, and pages/s and RSS over the first and last tenth
       scale_sample.py --part SAMPLES_TSV EXIT_CODE EXPECTED_REQUESTS
           for a crawl stopped early: requests, pages/s, peak RSS, and the time the whole would take
"""
import sys
import time

INTERVAL = 0.1


def leaf(pid):
    """The process doing the work: follow first children down from a wrapper."""
    while True:
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as f:
                kids = f.read().split()
        except OSError:
            return pid
        if not kids:
            return pid
        pid = int(kids[0])


def memory(pid):
    rss = hwm = 0
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
    except OSError:
        pass
    return rss, hwm


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def sample(pid, access, start_line):
    t0 = time.monotonic()
    with open(access, "rb") as log:
        skipped = 0
        while skipped < start_line:
            if not log.readline():
                break
            skipped += 1
        requests, peak = 0, 0
        while alive(pid):
            requests += log.read().count(b"\n")
            rss, hwm = memory(leaf(pid))
            peak = max(peak, hwm)
            print(f"{time.monotonic() - t0:.2f}\t{requests}\t{rss}\t{peak}", flush=True)
            time.sleep(INTERVAL)
        time.sleep(0.3)  # nginx logs the last requests after their bytes are sent
        requests += log.read().count(b"\n")
        print(f"{time.monotonic() - t0:.2f}\t{requests}\t0\t{peak}", flush=True)


def crossing(rows, target):
    """Seconds at which the request count reached target (linear between samples)."""
    prev = rows[0]
    for row in rows:
        if row[1] >= target:
            if row[1] == prev[1]:
                return row[0]
            return prev[0] + (row[0] - prev[0]) * (target - prev[1]) / (row[1] - prev[1])
        prev = row
    return rows[-1][0]


def summary(path, rc, expected):
    rows = [tuple(float(x) for x in line.split("\t")) for line in open(path) if line.strip()]
    if not rows or rows[-1][1] == 0:
        return f"no requests seen (exit {rc})"
    total = rows[-1][1]
    live = [r for r in rows if r[2] > 0]  # samples taken while the crawler ran
    tenth = total / 10
    t_first = crossing(rows, 1)
    t_10, t_90, t_end = crossing(rows, tenth), crossing(rows, total - tenth), crossing(rows, total)

    def rate(a, b):
        return tenth / (b - a) if b > a else float("nan")

    def window(a, b):
        rss = max((r[2] for r in live if a <= r[0] <= b), default=0) / 1024
        return f"{rate(a, b):,.0f} pages/s, RSS {rss:.0f} MiB"

    check = "" if int(total) == expected else f", expected {expected:,}"
    return (
        f"{int(total):,} requests{check} in {t_end:.1f} s (exit {rc}); "
        f"first tenth: {window(t_first, t_10)}; last tenth: {window(t_90, t_end)} "
        f"({rate(t_90, t_end) / rate(t_first, t_10):.0%} of the first tenth's pages/s); "
        f"peak RSS {rows[-1][3] / 1024:.0f} MiB"
    )


def part(path, rc, expected):
    rows = [tuple(float(x) for x in line.split("\t")) for line in open(path) if line.strip()]
    if not rows or rows[-1][1] == 0:
        return f"no requests seen (exit {rc})"
    total = rows[-1][1]
    t_first, t_end = crossing(rows, 1), crossing(rows, total)
    rate = total / (t_end - t_first) if t_end > t_first else float("nan")
    return (
        f"{int(total):,} requests in {t_end:.1f} s (exit {rc}), {rate:,.0f} pages/s, peak RSS {rows[-1][3] / 1024:.0f} MiB; "
        f"at that rate the {expected:,} requests would take {expected / rate / 60:,.0f} min"
    )


if __name__ == "__main__":
    if sys.argv[1] == "--summary":
        print(summary(sys.argv[2], sys.argv[3], int(sys.argv[4])))
    elif sys.argv[1] == "--part":
        print(part(sys.argv[2], sys.argv[3], int(sys.argv[4])))
    else:
        sample(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]))
