#!/usr/bin/env python3
"""Where a crawl's start-up goes: milestones from exec to the first request and to exit, in ms.

usage: startup.py [-n RUNS] -- ASYNCFETCH crawl URL ... --output FILE

Runs the command RUNS times (default 25) under `perf record` on the kernel's syscall tracepoints,
which, unlike strace, do not stop the process, and prints for each milestone the median and least
time after exec over the runs. The milestones are system calls the start-up makes in this order:
the last file opened before managed code reads its own path (the runtime is up: ld.so, GC init,
rehydration), that read (the command line is parsed and the host is being built), the second thread
(the console logger's: the host is built), the pipe of the signal handlers (the host starts), the
output file opened for writing (the engine and its HttpClient are made), the first epoll instance
(the first socket operation), the first connect (the first request), and exit. Needs root or
perf_event_paranoid <= 1, and an --output file other than standard output (it marks a milestone).
"""
import collections
import re
import statistics
import subprocess
import sys
import tempfile

EVENTS = ["execve", "openat", "readlink", "clone3", "pipe2", "epoll_create1", "connect", "exit_group"]
O_WRONLY_CREAT = "0x00080041"  # O_WRONLY | O_CREAT | O_CLOEXEC: how .NET opens the output
LINE = re.compile(r"\s*(.+?)\s+(\d+)/(\d+)\s+([\d.]+):\s+syscalls:sys_enter_(\w+):\s*(.*)")


def milestones(calls):
    """The milestones of one process, in ms after its exec; None where a call never came."""
    start = [t for t, name, _ in calls if name == "execve"][-1]
    calls = [(t - start, name, args) for t, name, args in calls if t >= start]

    def first(match):
        return next((t for t, name, args in calls if match(name, args)), None)

    managed = first(lambda name, _: name == "readlink")
    threads = [t for t, name, _ in calls if name == "clone3"]
    return {
        "runtime up": max((t for t, name, _ in calls if name == "openat" and managed is not None and t < managed), default=None),
        "command line parsed, host being built": managed,
        "host built (console logger's thread)": threads[1] if len(threads) > 1 else None,
        "host starting (signal handlers)": first(lambda name, _: name == "pipe2"),
        "output opened (engine and HttpClient made)": first(lambda name, args: name == "openat" and O_WRONLY_CREAT in args),
        "first socket operation (epoll)": first(lambda name, _: name == "epoll_create1"),
        "first request (connect)": first(lambda name, _: name == "connect"),
        "exit": first(lambda name, _: name == "exit_group"),
    }


def main(argv):
    runs = 25
    if argv[:1] == ["-n"]:
        runs, argv = int(argv[1]), argv[2:]
    if argv[:1] != ["--"] or len(argv) < 2:
        sys.exit(__doc__)
    command = argv[1:]
    with tempfile.TemporaryDirectory() as scratch:
        data = f"{scratch}/perf.data"
        loop = "for i in $(seq %d); do \"$@\" >/dev/null 2>&1; done" % runs
        subprocess.run(["perf", "record", "-q", "-o", data, *sum((["-e", f"syscalls:sys_enter_{e}"] for e in EVENTS), []),
                        "--", "sh", "-c", loop, "sh", *command], check=True, stdout=subprocess.DEVNULL)
        script = subprocess.run(["perf", "script", "-i", data, "-F", "comm,pid,tid,time,event,trace"],
                                check=True, capture_output=True, text=True).stdout
    processes = collections.defaultdict(list)
    target = command[0].rsplit("/", 1)[-1][:15]
    named = set()
    for line in script.splitlines():
        m = LINE.match(line)
        if m:
            comm, pid, _, time, name, args = m.groups()
            processes[pid].append((float(time) * 1000, name, args))
            if comm.startswith(target):
                named.add(pid)
    rows = [milestones(calls) for pid, calls in processes.items() if pid in named]
    print(f"{len(rows)} runs of {' '.join(command)}")
    for key in rows[0]:
        values = [row[key] for row in rows if row[key] is not None]
        if values:
            print(f"{statistics.median(values):7.2f} ms (least {min(values):6.2f})  {key}")


if __name__ == "__main__":
    main(sys.argv[1:])
