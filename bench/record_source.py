"""What reading one record back costs when the file cannot be seeked into (indexer/record_source.py).

    .venv/bin/python bench/record_source.py [--megabytes 64] [--repeat 3]

Writes one WARC of synthetic HTML pages (about ``--megabytes`` of records) three ways: one gzip member
per record (the baseline: a seek), one gzip stream for the whole file, and inside a WACZ-like ZIP as a
deflated member; indexes each with the reader, then times ``record_bytes`` of the first, middle and
last record of each (best of ``--repeat``). Prints figures; fails nothing.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from indexer.record_source import record_bytes  # noqa: E402
from indexer.wacz import member_path  # noqa: E402
from indexer.warc_reader import WarcReader, WarcRecord  # noqa: E402
from tests.indexer.warc_builder import write_warc  # noqa: E402

PAGE = b"<html><body>" + b"<p>%d row of an archived page with some words in it</p>" * 400 + b"</body></html>"


def _pages(megabytes: int) -> list[tuple[str, int, str, bytes, datetime]]:
    count = max(3, megabytes * 2**20 // (len(PAGE) + 600))
    when = datetime(2026, 1, 1, tzinfo=UTC)
    return [(f"https://agency.example.gov/p{n}.html", 200, "text/html", PAGE.replace(b"%d", b"%d" % n), when)
            for n in range(count)]


def _sources(folder: Path, megabytes: int) -> dict[str, str]:
    pages = _pages(megabytes)
    members = write_warc(folder / "members.warc.gz", pages)
    plain = write_warc(folder / "plain.warc", pages, gzip=False)
    whole = folder / "whole.warc.gz"
    whole.write_bytes(gzip.compress(plain.read_bytes(), compresslevel=6))
    wacz = folder / "deflated.wacz"
    with zipfile.ZipFile(wacz, "w") as archive:
        archive.write(members, "archive/data.warc.gz", compress_type=zipfile.ZIP_DEFLATED)
    return {"per-record gzip (seek)": str(members), "whole-file gzip": str(whole),
            "deflated WACZ member": member_path(wacz, "archive/data.warc.gz")}


def _time(path: str, offset: int, length: int, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        record_bytes(path, offset, length)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="spillwatch-record-source-") as work:
        sources = _sources(Path(work), args.megabytes)
        print(f"{'source':<24} {'records':>8} {'first':>10} {'middle':>10} {'last':>10}")
        baseline: list[float] = []
        for label, path in sources.items():
            records = [r for r in WarcReader(path) if isinstance(r, WarcRecord)]
            picks = [records[0], records[len(records) // 2], records[-1]]
            times = [_time(path, r.offset, r.length, args.repeat) for r in picks]
            baseline = baseline or times
            ratios = " ".join(f"{t / b:7.0f}x" for t, b in zip(times, baseline, strict=True))
            print(f"{label:<24} {len(records):>8} " + " ".join(f"{t * 1000:8.2f}ms" for t in times)
                  + f"   vs seek: {ratios}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
