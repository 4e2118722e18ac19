"""The header-row rule (``matcher/header_row.py``) on every table of the labelled corpora and of the
synthetic corpus: does it keep the header of a table that has one, and does it see that the same
table without its header row starts with data?

For each extracted table with a header and at least 5 rows, the grid is rebuilt (header + first 40
rows) and judged twice: as it is (the header must come back, data from row 2) and with the header
row removed (an empty header, data from row 1).  The corpora are read in place, never copied.

    .venv/bin/python bench/header_rows.py [--corpus ../shared/corpus/real ...] [-v]

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.models import Table  # noqa: E402
from matcher.header_row import split_header  # noqa: E402
from matcher.scan import scan_bytes, scan_file  # noqa: E402

MIN_ROWS = 5
ROWS = 40


def corpus_tables(folders: list[Path]) -> Iterator[tuple[str, Table]]:
    for folder in folders:
        for path in sorted(folder.iterdir()):
            if path.suffix == ".md" or path.name == "labels.tsv":
                continue
            for table in scan_file(path).tables:
                yield f"{path.name} {table.locator}", table


def synthetic_tables() -> Iterator[tuple[str, Table]]:
    from tests.matcher.synthetic import corpus

    for case in corpus():
        for table in scan_bytes(case.data, case.filename).tables:
            yield f"synthetic {case.name}", table


def judge(tables: Iterator[tuple[str, Table]], verbose: bool) -> tuple[int, int, int]:
    """(tables judged, headers kept, header-less grids recognised)."""
    judged = kept = headerless = 0
    for name, table in tables:
        if not any(table.header) or len(table.rows) < MIN_ROWS:
            continue
        judged += 1
        grid = [list(table.header)] + [list(r) for r in table.rows[:ROWS]]
        header, start = split_header(grid)
        if start == 1 and header[: len(table.header)] == [h.strip() for h in table.header]:
            kept += 1
        elif verbose:
            print(f"  header lost: {name}")
        header, start = split_header(grid[1:])
        if start == 0 and not any(header):
            headerless += 1
        elif verbose:
            print(f"  first data row taken as a header: {name}")
    return judged, kept, headerless


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default = [ROOT.parent / "shared" / "corpus" / "real", ROOT.parent / "shared" / "corpus" / "real2"]
    parser.add_argument("--corpus", action="append", type=Path,
                        help="labelled corpus folder (repeatable; default ../shared/corpus/real and real2)")
    parser.add_argument("-v", "--verbose", action="store_true", help="name the tables judged wrong")
    args = parser.parse_args()
    folders = [f for f in (args.corpus or default) if f.is_dir()]
    for title, tables in (("real corpora " + ", ".join(str(f) for f in folders), corpus_tables(folders)),
                          ("synthetic corpus (tests/matcher/synthetic.py)", synthetic_tables())):
        judged, kept, headerless = judge(tables, args.verbose)
        print(f"{title}: {judged} tables with a header and >= {MIN_ROWS} rows")
        print(f"  header kept                          {kept:4d}/{judged}")
        print(f"  header removed: first row seen as data {headerless:4d}/{judged}")


if __name__ == "__main__":
    main()
