"""What ``spillwatch scan small.csv`` imports (issue 15 item 9: it answers in < 300 ms): only its own
command module and the matcher's parts a small UTF-8 CSV needs; the libraries behind other formats
and values come when a file needs them (bench/cli_startup.py measures the time)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """import sys
from spillwatch.cli import main
status = main(sys.argv[1:])
print(sorted(m for m in sys.modules if m.startswith('spillwatch.commands.') or m.split('.')[0] in {heavy}),
      file=sys.stderr)
"""
# imported when a file needs them, never for a small UTF-8 CSV (nor the other commands' modules)
HEAVY = ("faker", "pycountry", "phonenumbers", "rapidfuzz", "charset_normalizer", "stdnum", "probablepeople",
         "python_calamine", "pdfplumber", "openpyxl", "docx", "lxml", "numpy", "pandas", "tqdm", "sqlalchemy",
         "alembic", "yaml", "pydantic")


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", PROBE.format(heavy=set(HEAVY)), *args], cwd=cwd,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120,
                          check=False)


def imported(done: subprocess.CompletedProcess[str]) -> str:
    return done.stderr.strip().splitlines()[-1]


def test_scan_of_a_small_csv_imports_its_command_and_no_heavy_library(tmp_path: Path) -> None:
    (tmp_path / "small.csv").write_text("fruit,price\napple,1\npear,2\n", encoding="utf-8")
    for mode in ([], ["--in-process"]):
        done = run(["scan", *mode, "small.csv"], tmp_path)
        assert done.stdout == "small.csv [text/csv]: nothing found\n"
        assert imported(done) == "['spillwatch.commands.base', 'spillwatch.commands.scan']"


def test_scan_imports_the_libraries_a_file_needs(tmp_path: Path) -> None:
    rows = "".join(f"{given} {family},+1 202-555-01{i:02},{country}\n" for i, (given, family, country) in enumerate(
        [("María", "González", "Honduras"), ("John", "Smith", "Mexico"), ("Ana", "Pereira", "Brasil")] * 4))
    (tmp_path / "people.csv").write_bytes(("Full Name,Telephone number,Nationality\n" + rows).encode("cp1252"))
    done = run(["scan", "--in-process", "people.csv"], tmp_path)
    assert "person_table" in done.stdout and "(phone)" in done.stdout and "(nationality)" in done.stdout
    assert "'charset_normalizer'" in imported(done) and "'phonenumbers'" in imported(done)
    assert "'pycountry'" not in imported(done) and "'faker'" not in imported(done)  # shipped lists


def test_help_before_a_command_name_lists_every_command(tmp_path: Path) -> None:
    for args in (["--help", "scan"], ["-h", "scan"]):
        done = run(args, tmp_path)
        assert "check-config" in done.stdout and "worker" in done.stdout and "scan" in done.stdout


def test_a_commands_own_help_and_a_misspelt_name(tmp_path: Path) -> None:
    done = run(["scan", "--help"], tmp_path)
    assert "--max-memory SIZE" in done.stdout and "(default 2GiB)" in done.stdout
    done = run(["check-config", "--help"], tmp_path)  # check_config.py: a dash in the name
    assert done.stdout.startswith("usage: spillwatch check-config")
    done = run(["scna", "x"], tmp_path)
    assert "invalid choice: 'scna'" in done.stderr and "'worker'" in done.stderr
