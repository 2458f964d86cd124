#!/usr/bin/env python3
"""Interrupts a --state crawl with SIGINT half-way, resumes it, and times the way back.

usage: resume.py ACCESS_LOG EXPECTED_REQUESTS -- ASYNCFETCH crawl ... --state FILE ...

Run 1 is sent SIGINT when the access log holds half of EXPECTED_REQUESTS new lines; run 2 is the
same command. Prints one line: when the interrupt came, how long run 1 took to stop (and its exit
code), how long run 2 took from exec to its first request seen in the log and to its first request
for a page run 1 had not fetched (start-up, opening the state, cutting the output back, robots.txt:
everything before the crawl goes on), and whether the two runs together fetched every URL (and how
many twice: the requests in flight at the interrupt go back to the queue).
"""
import os
import signal
import subprocess
import sys
import tempfile
import time

POLL = 0.005


class Tail:
    """New lines of the access log since it was opened."""

    def __init__(self, path):
        self.f = open(path, "rb")
        self.f.seek(0, os.SEEK_END)
        self.partial = b""
        self.lines = []

    def poll(self):
        data = self.partial + self.f.read()
        *whole, self.partial = data.split(b"\n")
        self.lines.extend(whole)
        return len(whole)


def path(line):
    """The path of an access-log line's request ("GET /p/1.html HTTP/1.1")."""
    parts = line.split(b'"')
    return parts[1].split(b" ")[1] if len(parts) > 2 and parts[1].count(b" ") >= 1 else b""


def ms(seconds):
    return "never" if seconds is None else f"{seconds * 1000:.0f} ms"


def main():
    access, expected = sys.argv[1], int(sys.argv[2])
    cmd = sys.argv[sys.argv.index("--") + 1 :]
    tail = Tail(access)

    t0 = time.monotonic()
    err = tempfile.TemporaryFile()  # a file, not a pipe: nothing blocks if nobody reads it in time
    run1 = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
    while run1.poll() is None and len(tail.lines) < expected // 2:
        tail.poll()
        time.sleep(POLL)
    at = len(tail.lines)
    t_int = time.monotonic()
    run1.send_signal(signal.SIGINT)
    rc1 = run1.wait()
    stop = time.monotonic() - t_int
    time.sleep(0.3)  # nginx logs a request after its last byte is sent
    tail.poll()
    done1 = len(tail.lines)

    fetched = {path(line) for line in tail.lines}
    t2 = time.monotonic()
    run2 = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
    first = first_new = None  # run 2's first request, and its first page that run 1 had not fetched
    while run2.poll() is None:
        seen = len(tail.lines)
        if tail.poll():
            now = time.monotonic() - t2
            first = first if first is not None else now
            if first_new is None and any(path(line) not in fetched and path(line) != b"/robots.txt" for line in tail.lines[seen:]):
                first_new = now
        time.sleep(POLL if first_new is None else 0.2)
    rc2 = run2.returncode
    wall2 = time.monotonic() - t2
    time.sleep(0.3)
    tail.poll()

    paths = [path(line) for line in tail.lines]
    twice = len(paths) - len(set(paths))
    complete = "every URL fetched" if len(set(paths)) == expected else f"{len(set(paths))} distinct URLs of {expected}"
    err.seek(0)
    said = err.read().decode(errors="replace").strip().splitlines()
    print(
        f"SIGINT after {at:,} of {expected:,} requests ({t_int - t0:.1f} s in): run 1 stopped "
        f"{stop:.2f} s later (exit {rc1}, {done1:,} requests logged); run 2 (the same command) sent its first "
        f"request {ms(first)} after exec and its first request for a page run 1 had not fetched {ms(first_new)} after, "
        f"and finished in {wall2:.1f} s (exit {rc2}); "
        f"both runs: {complete}, {twice} fetched twice"
        + (f"; asyncfetch said: {said[-1]}" if rc2 != 0 and said else "")
    )


if __name__ == "__main__":
    main()
