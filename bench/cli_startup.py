"""How long the CLI takes to answer, as a shell user feels it, against starting Python at all.

    .venv/bin/python bench/cli_startup.py [--runs 15] [--bytecode]

Each command runs ``--runs`` times as a fresh process (``python -m spillwatch …``, the worktree first
on ``PYTHONPATH``), interleaved so that load changes hit every variant alike; prints the best and the
median wall time and the number of modules imported:

- baseline: ``python -c pass``;
- ``spillwatch --help`` (target < 150 ms);
- ``spillwatch scan small.csv`` (target < 300 ms) with the forked worker (the default), with the
  spawned worker it used before (``--set`` cannot choose it: measured by a small driver), and
  ``--in-process``.

The project's own modules are compiled from source in every run when no ``__pycache__`` holds them
(``PYTHONDONTWRITEBYTECODE=1`` in the development container: ~50 modules, 20–40 ms); an installed
package has their bytecode.  ``--bytecode`` writes it first (``compileall``, into the tree's
``__pycache__`` folders, which git ignores) to measure what an installed copy costs.

Prints figures; passes or fails nothing.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "spillwatch", "matcher", "crawler", "indexer", "alerts", "disclosure", "web")
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


def timed(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall time and CPU time (user + system, the process and its children) in ms: on a shared
    machine the CPU time is the steadier figure, the wall time what a user waits."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = (time.perf_counter() - started) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return wall, cpu


def modules(args: list[str], env: dict[str, str], cwd: Path) -> int:
    done = subprocess.run([sys.executable, "-c", COUNT_MODULES, *args], env=env, cwd=cwd, capture_output=True,
                          text=True, check=False)
    return int(done.stderr.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--bytecode", action="store_true", help="compile the project's modules first, as an "
                        "installed package has them")
    args = parser.parse_args()
    if args.bytecode:
        for package in PACKAGES:
            compileall.compile_dir(ROOT / package, quiet=1)
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
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
    for _ in range(args.runs):
        for name, command in variants.items():
            times[name].append(timed(command, env, work))
    load = os.getloadavg()[0]
    print(f"{args.runs} runs each, Python {sys.version.split()[0]}, load average {load:.1f} on {os.cpu_count()} CPUs")
    cached = Path(importlib.util.cache_from_source(str(ROOT / "spillwatch" / "cli.py"))).exists()
    print("project modules: " + ("bytecode in __pycache__" if cached else "compiled from source in every run"))
    base = min(cpu for _, cpu in times["python -c pass (baseline)"])
    for name, runs in times.items():
        wall = [w for w, _ in runs]
        cpu = [c for _, c in runs]
        print(f"{name:<44} wall best {min(wall):6.0f} median {statistics.median(wall):6.0f} ms   "
              f"CPU best {min(cpu):6.0f} median {statistics.median(cpu):6.0f} ms   CPU best - baseline "
              f"{min(cpu) - base:5.0f} ms")
    print(f"modules imported: --help {modules(['--help'], env, work)}, "
          f"scan small.csv {modules(['scan', 'small.csv'], env, work)}")


if __name__ == "__main__":
    main()
