"""How long the CLI takes to answer, as a shell user feels it, against starting Python at all.

    .venv/bin/python bench/cli_startup.py [--runs 15]

Each command runs ``--runs`` times as a fresh process (``python -m spillwatch …``, the worktree first
on ``PYTHONPATH``), interleaved so that load changes hit every variant alike; prints the best and the
median wall time and the number of modules imported:

- baseline: ``python -c pass``;
- ``spillwatch --help`` (target < 150 ms);
- ``spillwatch scan small.csv`` (target < 300 ms) with the forked worker (the default), with the
  spawned worker it used before (``--set`` cannot choose it: measured by a small driver), and
  ``--in-process``.

Prints figures; passes or fails nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPAWNED_SCAN = """
import sys
from matcher.isolation import IsolatedScanner
with IsolatedScanner(start_method="spawn") as scanner:
    result = scanner.scan_file(sys.argv[1])
print(result.media_type)
"""
COUNT_MODULES = ("import runpy, sys\nsys.argv = ['spillwatch', *sys.argv[1:]]\ntry:\n"
                 "    runpy.run_module('spillwatch', run_name='__main__')\nexcept SystemExit:\n    pass\n"
                 "print(len(sys.modules), file=sys.stderr)")


def timed(command: list[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return (time.perf_counter() - started) * 1000


def modules(args: list[str], env: dict[str, str], cwd: Path) -> int:
    done = subprocess.run([sys.executable, "-c", COUNT_MODULES, *args], env=env, cwd=cwd, capture_output=True,
                          text=True, check=False)
    return int(done.stderr.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    work = Path(tempfile.mkdtemp(prefix="spillwatch-bench-cli-"))
    (work / "small.csv").write_text("fruit,price\napple,1\npear,2\n", encoding="utf-8")
    python = sys.executable
    variants = {
        "python -c pass (baseline)": [python, "-c", "pass"],
        "spillwatch --help": [python, "-m", "spillwatch", "--help"],
        "spillwatch scan small.csv (forked worker)": [python, "-m", "spillwatch", "scan", "small.csv"],
        "spillwatch scan small.csv --in-process": [python, "-m", "spillwatch", "scan", "--in-process", "small.csv"],
        "scan small.csv, spawned worker (before)": [python, "-c", SPAWNED_SCAN, "small.csv"],
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(args.runs):
        for name, command in variants.items():
            times[name].append(timed(command, env, work))
    load = os.getloadavg()[0]
    print(f"{args.runs} runs each, Python {sys.version.split()[0]}, load average {load:.1f} on {os.cpu_count()} CPUs")
    base = min(times["python -c pass (baseline)"])
    for name, ms in times.items():
        print(f"{name:<44} best {min(ms):7.0f} ms   median {statistics.median(ms):7.0f} ms   "
              f"best - baseline {min(ms) - base:6.0f} ms")
    print(f"modules imported: --help {modules(['--help'], env, work)}, "
          f"scan small.csv {modules(['scan', 'small.csv'], env, work)}")


if __name__ == "__main__":
    main()
