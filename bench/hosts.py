#!/usr/bin/env python3
"""Many hosts with politeness: asyncfetch, Scrapy and wget2 crawling 1,000 loopback hosts with a per-host delay.

usage: hosts.py WORK_DIR --tool ASYNCFETCH --benchsite DIR --scrapy-spider FILE [--hosts 1000] [--pages 20]
                [--delay 0.2] [--latency 0.05] [--max 100] [--small 100] [--wget-hosts 10] [--timeout 600]

One nginx listens on 127.1.x.y (one address per host, `listen` once each) and serves the same
20-page gensite.py site on every one, each response after --latency seconds; its log keeps the
address, the time the response ended ($msec) and $request_time, so a request's start is their
difference. Every crawler gets all the hosts' /index.html as seeds and stays on each seed's host.

The limit is what the delays allow with --max requests in flight. A client cannot see when the server
reads a request, only that it had by the time the answer began, so the delay is timed from there (as
asyncfetch does): a host whose crawl takes k requests needs (k - 1) × (delay + latency) + latency, and
N requests in all need N × latency / max; the larger of the two is the fastest possible crawl. Prints a
Markdown table and notes for docs/performance.md.
"""
import argparse
import collections
import os
import signal
import socket
import subprocess
import time

TEMPLATE = """\
load_module /usr/lib/nginx/modules/ngx_http_echo_module.so;
worker_processes 2;
worker_rlimit_nofile 65536;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{ worker_connections 16384; }}
http {{
  include /etc/nginx/mime.types;
  log_format hosts '$server_addr $msec $request_time "$request" $status';
  access_log {run}/access.log hosts;
  client_body_temp_path {run}/body;
  proxy_temp_path {run}/proxy;
  fastcgi_temp_path {run}/fastcgi;
  uwsgi_temp_path {run}/uwsgi;
  scgi_temp_path {run}/scgi;
  keepalive_requests 1000000;
  server {{
{listens}
    root {site};
    location / {{ echo_sleep {latency}; echo_exec @file; }}
    location @file {{ try_files $uri =404; }}
  }}
}}
"""


def address(i):
    """The i-th host (0-based): 127.1.0.1, 127.1.0.2, ... 250 to a third octet; never 127.0.0.1."""
    return f"127.1.{i // 250}.{i % 250 + 1}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Nginx:
    def __init__(self, work, site, hosts, latency):
        self.run = os.path.join(work, "nginx")
        os.makedirs(self.run, exist_ok=True)
        self.port = free_port()
        listens = "\n".join(f"    listen {address(i)}:{self.port};" for i in range(hosts))
        conf = os.path.join(self.run, "nginx.conf")
        with open(conf, "w") as f:
            f.write(TEMPLATE.format(run=self.run, listens=listens, site=site, latency=latency))
        subprocess.run(["nginx", "-c", conf, "-e", os.path.join(self.run, "error.log")], check=True)
        self.log = os.path.join(self.run, "access.log")
        for _ in range(100):
            try:
                socket.create_connection((address(hosts - 1), self.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)

    def lines(self):
        with open(self.log) as f:
            return sum(1 for _ in f)

    def stop(self):
        try:
            with open(os.path.join(self.run, "nginx.pid")) as f:
                os.kill(int(f.read()), signal.SIGTERM)
        except (OSError, ValueError):
            pass


def timed(cmd, cwd, timeout, env=None):
    """Runs cmd; returns wall seconds, peak RSS (MiB), exit code ('timeout' if it was killed)."""
    start = time.monotonic()
    with open(os.path.join(cwd, "output.log"), "ab") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=out, env={**os.environ, **(env or {})},
                                start_new_session=True)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                return time.monotonic() - start, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)
            if time.monotonic() > deadline:
                os.killpg(proc.pid, signal.SIGKILL)
                _, status, usage = os.wait4(proc.pid, 0)
                return time.monotonic() - start, usage.ru_maxrss / 1024, "timeout"
            time.sleep(0.02)


def analyse(lines, delay):
    """Per host: request start times from the log slice; returns counts, the closest gap, violations."""
    starts = collections.defaultdict(list)
    for line in lines:
        addr, msec, rtime, request = line.split(" ", 3)
        starts[addr].append((float(msec) - float(rtime), "/robots.txt " in request))
    gaps = []  # (seconds, whether the earlier request was robots.txt)
    for times in starts.values():
        times.sort()
        gaps.extend((b[0] - a[0], a[1]) for a, b in zip(times, times[1:]))
    # $msec and $request_time are both in milliseconds: a start is known to about 2 ms.
    close = [robots for g, robots in gaps if g < delay - 0.002]
    closest = min((g for g, robots in gaps if not robots), default=float("nan"))
    after_robots = min((g for g, robots in gaps if robots), default=float("nan"))
    return {h: len(t) for h, t in starts.items()}, (closest, after_robots), len(close), sum(close), len(gaps)


def limit(counts, delay, latency, conc):
    per_host = max((k - 1) * (delay + latency) + latency for k in counts.values())
    overall = sum(counts.values()) * latency / conc
    return max(per_host, overall), per_host, overall


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("work")
    ap.add_argument("--tool", required=True)
    ap.add_argument("--benchsite", required=True)
    ap.add_argument("--scrapy-spider", required=True)
    ap.add_argument("--hosts", type=int, default=1000)
    ap.add_argument("--pages", type=int, default=20)
    ap.add_argument("--delay", type=float, default=0.2)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--max", type=int, default=100)
    ap.add_argument("--small", type=int, default=100, help="hosts in the run that RSS growth per host is taken against")
    ap.add_argument("--wget-hosts", type=int, default=10, help="hosts wget2 crawls (its --wait is global: slow)")
    ap.add_argument("--timeout", type=float, default=600)
    a = ap.parse_args()

    os.makedirs(a.work, exist_ok=True)
    site = os.path.join(a.work, "site")
    os.makedirs(site, mode=0o755, exist_ok=True)
    # gensite.py's count includes /index.html: --pages - 1 generated pages make --pages in all.
    subprocess.run(["python3", os.path.join(a.benchsite, "gensite.py"), site, "--pages", str(a.pages - 1)],
                   check=True, stdout=subprocess.DEVNULL)
    for d in (a.work, site):
        os.chmod(d, 0o755)  # nginx workers run unprivileged
    nginx = Nginx(a.work, site, a.hosts, a.latency)
    try:
        seeds = {}
        for n in sorted({a.small, a.hosts, a.wget_hosts}):
            seeds[n] = os.path.join(a.work, f"seeds-{n}.txt")
            with open(seeds[n], "w") as f:
                f.writelines(f"http://{address(i)}:{nginx.port}/index.html\n" for i in range(n))
        ms = f"{round(a.delay * 1000)}ms"
        af = [a.tool, "crawl", "--max", str(a.max), "--delay", ms, "--depth", "1000", "--quiet", "--output", "/dev/null"]
        scrapy = ["scrapy", "runspider", "-L", "ERROR", a.scrapy_spider, "-s", f"CONCURRENT_REQUESTS={a.max}",
                  "-s", f"DOWNLOAD_DELAY={a.delay}", "-s", "RANDOMIZE_DOWNLOAD_DELAY=False",
                  "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]
        wget = ["wget2", "-r", "-l", "inf", "-O", "/dev/null", "-q", "--robots=on", "--ignore-tags=img,link,script,object,embed",
                "--no-hsts", "--no-hpkp", "--no-ocsp", f"--wait={a.delay}", "--random-wait=off"]
        runs = [
            ("asyncfetch", a.hosts, af + [seeds[a.hosts]]),
            ("asyncfetch --max-per-host 2", a.hosts, af + ["--max-per-host", "2", seeds[a.hosts]]),
            ("asyncfetch", a.small, af + [seeds[a.small]]),
            ("scrapy (DOWNLOAD_DELAY per domain)", a.hosts, scrapy + ["-a", f"seeds={seeds[a.hosts]}"]),
            # wget2 waits per download thread, not per host: polite only with one thread, and then the wait
            # spaces every request of the crawl.
            ("wget2 --wait, --max-threads 1", a.wget_hosts, wget + ["--max-threads", "1", "-i", seeds[a.wget_hosts]]),
            (f"wget2 --wait, --max-threads {a.max}", a.wget_hosts, wget + ["--max-threads", str(a.max), "-i", seeds[a.wget_hosts]]),
        ]
        rows, notes, rss = [], [], {}
        table = [
            f"| crawler | hosts | requests | wall (s) | limit (s) | % of limit | closest gap, one host | gaps under {ms} | peak RSS (MiB) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name, hosts, cmd in runs:
            cwd = os.path.join(a.work, "cwd-" + "".join(c if c.isalnum() else "_" for c in name) + f"-{hosts}")
            os.makedirs(cwd, exist_ok=True)
            before = nginx.lines()
            wall, peak, rc = timed(cmd, cwd, a.timeout, env={"HOME": cwd, "TMPDIR": cwd})
            time.sleep(0.3)  # nginx logs a request after its last byte is sent
            with open(nginx.log) as f:
                lines = f.readlines()[before:]
            counts, gap, close, after_robots, pairs = analyse(lines, a.delay)
            failed = sum(1 for line in lines if not line.rsplit(" ", 1)[-1].strip().startswith(("2", "3")))
            if failed:  # gensite.py's site has a robots.txt and no broken links: every answer should be 200
                notes.append(f"- {name}, {hosts} hosts: {failed} responses not 2xx/3xx.")
            if not counts:
                table.append(f"| {name} | {hosts} | 0 | {wall:.2f} | n/a | n/a | n/a | n/a | {peak:.0f} |")
                notes.append(f"- {name}, {hosts} hosts: no requests (exit {rc}).")
                continue
            lim, per_host, overall = limit(counts, a.delay, a.latency, a.max)
            rss[(name, hosts)] = peak
            table.append(
                f"| {name} | {len(counts)} of {hosts} | {len(lines):,} | {wall:.2f} | {lim:.2f} | {lim / wall:.0%} | "
                f"{gap[0] * 1000:.0f} ms ({gap[1] * 1000:.0f} ms after robots.txt) | {close} of {pairs:,}{f' ({after_robots} after robots.txt)' if after_robots else ''} | {peak:.0f} |"
            )
            if rc not in (0, 8):  # wget2 exits 8 when a request got an error status (here: none expected)
                notes.append(f"- {name}, {hosts} hosts: exit {rc}.")
            if name.startswith("asyncfetch") and hosts == a.hosts and name == "asyncfetch":
                notes.append(
                    f"- The limit for {hosts} hosts: {max(counts.values())} requests to a host (robots.txt included), each "
                    f"{ms} after the previous answer began ({a.latency * 1000:.0f} ms after its request), = {per_host:.2f} s "
                    f"per host; {len(lines):,} requests × "
                    f"{a.latency * 1000:.0f} ms ÷ {a.max} in flight = {overall:.2f} s in all."
                )
            if name == "wget2 --wait, --max-threads 1":
                total = a.hosts * len(lines) / len(counts)
                notes.append(
                    f"- wget2 applies `--wait` per download thread, not per host: with {a.max} threads it does not keep "
                    f"requests to one host apart (the row below), and with one thread, the only polite setting, the wait "
                    f"spaces every request of the crawl: {len(lines) / wall:.1f} requests/s, so {a.hosts} hosts "
                    f"({total:,.0f} requests) would take about {total * wall / len(lines) / 60:.0f} min where the "
                    f"per-host limit is {lim:.1f} s."
                )
        big, small = rss.get(("asyncfetch", a.hosts)), rss.get(("asyncfetch", a.small))
        if big and small and a.hosts > a.small:
            notes.append(
                f"- asyncfetch's peak RSS grows by {(big - small) * 1024 / (a.hosts - a.small):.0f} KiB per host "
                f"({a.small} hosts: {small:.0f} MiB, {a.hosts}: {big:.0f} MiB)."
            )
        print(f"{a.hosts} hosts on loopback (127.1.x.y, one nginx), {a.pages} pages each, each response after "
              f"{a.latency * 1000:.0f} ms; `--delay {ms}` per host, `--max {a.max}`. Gaps are between the starts of two "
              f"requests to one host (nginx's `$msec` − `$request_time`, to about 2 ms).\n")
        print("\n".join(table + [""] + notes))
    finally:
        nginx.stop()


if __name__ == "__main__":
    main()
