"""Scan speed and memory: ``spillwatch scan`` next to the bare library pass over the same file.

* a CSV of 10 columns (1 GB by default): ``spillwatch scan --json`` vs a plain ``csv`` module pass
  (target: ≤ 1.5× the plain pass, peak RSS < 300 MB);
* a 100k-row XLSX: ``spillwatch scan --json`` vs a bare python-calamine read;
* the start-up cost of the scanning child: import time and peak RSS after the name lists, the
  probablepeople model and the python-stdnum formats are loaded.

Each measurement runs in its own subprocess so peak RSS (``ru_maxrss`` of the child) is the
command's own.  Prints figures; asserts nothing.  Generated files stay in ``--workdir`` (default
/tmp) and are reused when their size matches.

    .venv/bin/python bench/scan_speed.py                # 1 GB CSV + 100k-row XLSX
    .venv/bin/python bench/scan_speed.py --size 200MB   # quicker
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

PLAIN_CSV = """
import csv, sys
n = 0
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    for row in csv.reader(f):
        n += 1
print(n)
"""

SCAN_FILE = """
import sys, time
t = time.perf_counter()
from matcher.scan import scan_file
r = scan_file(sys.argv[1])
print(r.findings[0].rows if r.findings else 0, r.errors)
"""

# what the scanning child pays before its first table: importing the matcher, building the name
# lists (Faker's per-locale providers, folded into sets), loading the probablepeople model and the
# general lexicon of the row-entity decision (WordNet words, matcher/entity_lexicon.json)
START_UP = """
import resource, sys, time
def rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t = time.perf_counter()
import matcher.scan
t1 = time.perf_counter(); r1 = rss()
from matcher.names import name_lists
given, family = name_lists()
t2 = time.perf_counter(); r2 = rss()
from matcher.orgnames import is_corporation
is_corporation("Acme Widgets Inc")
t3 = time.perf_counter(); r3 = rss()
from matcher.govids import checked_format
checked_format(["529.982.247-25", "111.444.777-35", "390.533.447-05"])
t4 = time.perf_counter(); r4 = rss()
from matcher.entity_lexicon import lexicon_cues
words = sum(len(c.words) for c in lexicon_cues())
t5 = time.perf_counter(); r5 = rss()
print(f"  import matcher.scan          {t1 - t:6.2f} s  peak RSS {r1:6.1f} MB")
print(f"  name lists ({len(given):,} given, {len(family):,} surnames) +{t2 - t1:5.2f} s  peak RSS {r2:6.1f} MB")
print(f"  probablepeople model         +{t3 - t2:5.2f} s  peak RSS {r3:6.1f} MB")
print(f"  python-stdnum ID formats     +{t4 - t3:5.2f} s  peak RSS {r4:6.1f} MB")
print(f"  general lexicon ({words:,} words) +{t5 - t4:5.2f} s  peak RSS {r5:6.1f} MB")
"""

BARE_CALAMINE = """
import sys
from python_calamine import CalamineWorkbook
wb = CalamineWorkbook.from_path(sys.argv[1])
print(sum(len(wb.get_sheet_by_name(n).to_python()) for n in wb.sheet_names))
"""


def parse_size(text: str) -> int:
    units = {"kb": 10**3, "mb": 10**6, "gb": 10**9}
    lowered = text.strip().lower()
    for unit, factor in units.items():
        if lowered.endswith(unit):
            return int(float(lowered[: -len(unit)]) * factor)
    return int(lowered)


def _rows(seed: int, count: int) -> list[str]:
    """A pool of synthetic person rows (invented names; no real data)."""
    rng = random.Random(seed)
    given = ["Ana", "Luis", "Marta", "Jorge", "Elena", "Pablo", "Sofia", "Diego", "Lucia", "Mateo", "Adaeze",
             "Tendai", "Nurlan", "Dilnoza", "Kwabena", "Efua"]
    family = ["Garcia", "Lopez", "Martinez", "Rodriguez", "Hernandez", "Perez", "Okonkwo", "Mensah", "Dlamini",
              "Tursunov", "Keita", "Boateng", "Kamara", "Traore"]
    countries = ["Honduras", "Mexico", "Guatemala", "El Salvador", "Venezuela", "Haiti", "Cuba", "Colombia"]
    facilities = ["Otay Mesa Detention Center", "Krome Service Processing Center", "Stewart Detention Center"]
    rows = []
    for i in range(count):
        rows.append(",".join([
            rng.choice(family).upper(), rng.choice(given).upper(),
            f"{rng.randrange(1, 13):02d}/{rng.randrange(1, 29):02d}/{rng.randrange(1950, 2005)}",
            rng.choice(countries), f"{rng.randrange(10**8, 10**9)}", rng.choice(facilities),
            rng.choice(["M", "F"]), str(rng.randrange(18, 80)), f"2022-{rng.randrange(1, 13):02d}-15",
            f"CASE-{i:07d}",
        ]) + "\n")
    return rows


def make_csv(path: Path, size: int) -> None:
    if path.exists() and abs(path.stat().st_size - size) < 1_000_000:
        return
    pool = _rows(1, 5000)
    block = "".join(pool).encode()
    with open(path, "wb") as out:
        out.write(b"LAST_NAME,FIRST_NAME,DOB,COC,A_NUM,FACILITY,SEX,AGE,BOOK_IN_DATE,CASE_ID\n")
        written = 0
        while written < size:
            out.write(block)
            written += len(block)


def make_xlsx(path: Path, rows: int) -> None:
    if path.exists():
        return
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Detainees")
    ws.append(["LAST_NAME", "FIRST_NAME", "DOB", "COC", "A_NUM", "FACILITY", "SEX", "AGE", "BOOK_IN_DATE", "CASE_ID"])
    pool = _rows(2, 5000)
    for i in range(rows):
        ws.append(pool[i % len(pool)].rstrip("\n").split(","))
    wb.save(path)


def one_run(label: str, argv: list[str]) -> tuple[float, float, float]:
    """(wall s, peak RSS MB, CPU s) of one command, measured in a fresh wrapper process so that
    earlier children do not mask its peak RSS."""
    wrapper = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); w = time.perf_counter() - t; "
        "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
        "print(w, u.ru_maxrss / 1024, u.ru_utime + u.ru_stime, p.returncode)"
    )
    proc = subprocess.run([PYTHON, "-c", wrapper, *argv], capture_output=True, text=True, cwd=ROOT)
    wall, rss, cpu, code = proc.stdout.split()
    if code not in ("0", "1"):
        print(f"  {label}: exit {code}")
    return float(wall), float(rss), float(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="1GB", help="CSV size (default 1GB), e.g. 200MB")
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--workdir", default="/tmp")
    parser.add_argument("--repeat", type=int, default=1, help="runs per command; the best wall time is kept")
    args = parser.parse_args()
    work = Path(args.workdir)
    size = parse_size(args.size)
    csv_path = work / f"spillwatch-bench-{size}.csv"
    xlsx_path = work / f"spillwatch-bench-{args.xlsx_rows}.xlsx"
    t = time.perf_counter()
    make_csv(csv_path, size)
    make_xlsx(xlsx_path, args.xlsx_rows)
    print(f"inputs ready in {time.perf_counter() - t:.1f}s: {csv_path} ({csv_path.stat().st_size / 1e6:,.0f} MB), "
          f"{xlsx_path} ({xlsx_path.stat().st_size / 1e6:,.1f} MB)")
    print("start-up of the scanning child (name data and models):")
    print(subprocess.run([PYTHON, "-c", START_UP], capture_output=True, text=True, cwd=ROOT).stdout, end="")
    # the CLI installed beside the interpreter running the bench (a worktree has no .venv of its own)
    scan = [str(Path(PYTHON).parent / "spillwatch"), "scan", "--json"]
    measurements = [
        ("csv: plain csv module pass", [PYTHON, "-c", PLAIN_CSV, str(csv_path)]),
        ("csv: spillwatch scan --json", scan + [str(csv_path)]),
        ("csv: matcher.scan.scan_file()", [PYTHON, "-c", SCAN_FILE, str(csv_path)]),
        ("xlsx: bare python-calamine read", [PYTHON, "-c", BARE_CALAMINE, str(xlsx_path)]),
        ("xlsx: spillwatch scan --json", scan + [str(xlsx_path)]),
        ("xlsx: matcher.scan.scan_file()", [PYTHON, "-c", SCAN_FILE, str(xlsx_path)]),
    ]
    # interleaved rounds, best wall and CPU time of each command: on a shared machine the load
    # changes between runs, and interleaving spreads it over all commands alike
    runs: dict[str, list[tuple[float, float, float]]] = {label: [] for label, _ in measurements}
    for _ in range(args.repeat):
        for label, argv in measurements:
            runs[label].append(one_run(label, argv))
    results: dict[str, tuple[float, float, float]] = {}
    for label, _ in measurements:
        got = runs[label]
        results[label] = (min(r[0] for r in got), max(r[1] for r in got), min(r[2] for r in got))
        wall, rss, cpu = results[label]
        print(f"{label:36s} wall {wall:7.2f} s   CPU {cpu:7.2f} s   peak RSS {rss:7.1f} MB")
    csv_ratio = results["csv: spillwatch scan --json"][0] / results["csv: plain csv module pass"][0]
    csv_cpu_ratio = results["csv: spillwatch scan --json"][2] / results["csv: plain csv module pass"][2]
    xlsx_ratio = results["xlsx: spillwatch scan --json"][0] / results["xlsx: bare python-calamine read"][0]
    print(f"csv  ratio scan/plain    wall {csv_ratio:.2f}x, CPU {csv_cpu_ratio:.2f}x (target <= 1.5x); scan peak RSS "
          f"{results['csv: spillwatch scan --json'][1]:.0f} MB (target < 300 MB)")
    api_ratio = results["xlsx: matcher.scan.scan_file()"][0] / results["xlsx: bare python-calamine read"][0]
    print(f"xlsx ratio scan/calamine {xlsx_ratio:.2f}x (CLI, includes CLI start-up); "
          f"scan_file()/calamine {api_ratio:.2f}x")
    load = os.getloadavg()[0]
    print(f"python {sys.version.split()[0]} on {os.uname().sysname} {os.uname().machine}, {os.cpu_count()} CPUs, "
          f"load average {load:.1f} at the end")


if __name__ == "__main__":
    main()
