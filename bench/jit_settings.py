#!/usr/bin/env python3
"""Times the JIT build (the `any` tool package) under each tiered-compilation setting, in turns.

usage: jit_settings.py RUNS TOOL WORKLOAD=ARGS [WORKLOAD=ARGS ...]
       e.g. jit_settings.py 7 tools/asyncfetch help=--help "one page=crawl http://127.0.0.1:8080/ --max 1 --depth 0"

Every round runs every (workload, setting) once, so drift on a shared machine spreads over all of
them; prints, per workload and setting, the median wall time (min-max), the median of the per-round
ratio to the shipped settings, median CPU and peak RSS. Settings are given as DOTNET_ environment
variables, which override the tool's runtimeconfig.json.
"""
import os
import shlex
import statistics
import subprocess
import sys
import time

SETTINGS = {
    "shipped (runtimeconfig)": {},
    "TieredPGO on": {"DOTNET_TieredPGO": "1"},
    "QuickJitForLoops off": {"DOTNET_TC_QuickJitForLoops": "0"},
    "TieredCompilation off": {"DOTNET_TieredCompilation": "0"},
    "TC off + PGO on": {"DOTNET_TieredCompilation": "0", "DOTNET_TieredPGO": "1"},
    # Tier-1 promotion starts without the 100 ms quiet period the runtime waits for by default.
    "CallCountingDelayMs=0": {"DOTNET_TC_CallCountingDelayMs": "0"},
}
# JIT_SETTINGS="name,name" keeps only those (the shipped settings are always run: ratios are taken to them).
if os.environ.get("JIT_SETTINGS"):
    keep = set(os.environ["JIT_SETTINGS"].split(","))
    SETTINGS = {k: v for k, v in SETTINGS.items() if k in keep or not v}


def run(tool, args, env):
    start = time.monotonic()
    proc = subprocess.Popen([tool, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **env})
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{tool} {shlex.join(args)} exited {os.waitstatus_to_exitcode(status)} with {env}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main():
    runs, tool = int(sys.argv[1]), sys.argv[2]
    workloads = dict(w.split("=", 1) for w in sys.argv[3:])
    times = {(w, s): [] for w in workloads for s in SETTINGS}
    for _ in range(runs + 1):  # the first round warms the page cache and is not counted
        for w, args in workloads.items():
            for s, env in SETTINGS.items():
                times[(w, s)].append(run(tool, shlex.split(args), env))
    for w in workloads:
        print(f"\n{w}: {runs} runs each, in turns (wall s median (min-max), ratio to shipped, CPU s, peak RSS MiB)")
        base = [t[0] for t in times[(w, "shipped (runtimeconfig)")][1:]]
        for s in SETTINGS:
            rs = times[(w, s)][1:]
            walls = [r[0] for r in rs]
            ratio = statistics.median(a / b for a, b in zip(walls, base))
            print(
                f"  {s:26} {statistics.median(walls):7.3f} ({min(walls):.3f}-{max(walls):.3f})  {ratio:5.2f}x"
                f"  cpu {statistics.median(r[1] for r in rs):6.2f}  rss {max(r[2] for r in rs):5.0f}"
            )


if __name__ == "__main__":
    main()
