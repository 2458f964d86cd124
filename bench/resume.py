#!/usr/bin/env python3
"""Interrupts a --state crawl with SIGINT half-way, resumes it, and times the way back.

usage: resume.py ACCESS_LOG EXPECTED_REQUESTS -- ASYNCFETCH crawl ... --state FILE ...

Run 1 is sent SIGINT when the access log holds half of EXPECTED_REQUESTS new lines; run 2 is the
same command. Prints one line: when the interrupt came, how long run 1 took to stop (and its exit
code), how long run 2 took from exec to its first request seen in the log (start-up, opening the
state, cutting the output back, robots.txt: everything before crawling goes on), and whether the
two runs together fetched every URL (and how many twice: the requests in flight at the interrupt).
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

    t2 = time.monotonic()
    run2 = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
    first = None
    while run2.poll() is None:
        if tail.poll() and first is None:
            first = time.monotonic() - t2
        time.sleep(POLL if first is None else 0.2)
    rc2 = run2.returncode
    wall2 = time.monotonic() - t2
    time.sleep(0.3)
    tail.poll()
    if first is None and len(tail.lines) > done1:
        first = wall2

    paths = [line.split(b'"')[1].split(b" ")[1] for line in tail.lines if line.count(b'"') >= 2]
    twice = len(paths) - len(set(paths))
    complete = "every URL fetched" if len(set(paths)) == expected else f"{len(set(paths))} distinct URLs of {expected}"
    err.seek(0)
    said = err.read().decode(errors="replace").strip().splitlines()
    print(
        f"SIGINT after {at:,} of {expected:,} requests ({t_int - t0:.1f} s in): run 1 stopped "
        f"{stop:.2f} s later (exit {rc1}, {done1:,} requests logged); run 2 (the same command) sent its first "
        f"request {first if first is None else round(first * 1000)} ms after exec and finished in {wall2:.1f} s (exit {rc2}); "
        f"both runs: {complete}, {twice} fetched twice"
        + (f"; asyncfetch said: {said[-1]}" if rc2 != 0 and said else "")
    )


if __name__ == "__main__":
    main()
