"""What the masking policy in the index costs: extraction, bulk indexing and queries with viewer views,
against the same work without them, in one process.  Prints figures; passes or fails nothing.

    .venv/bin/python bench/masking.py [--pages 2000]

- extraction: ``indexer.extract_html`` on synthetic pages with a person table (visible text + links,
  the baseline) and the extra masked-cells text (:func:`indexer.extract_html.cells_masked_text`);
- indexing: ``SqliteSearch.index`` of the same documents with their viewer views (as the indexer
  builds them) and with none (the baseline: viewer fields empty, ``vis`` open);
- queries: the same queries as an analyst (original fields) and as a viewer (viewer fields).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer import extract_html  # noqa: E402
from indexer.loader import build_document  # noqa: E402
from indexer.search import SearchQuery  # noqa: E402
from indexer.search.sqlite_fts import SqliteSearch  # noqa: E402

WORDS = ("detention statistics border enforcement fiscal year release monthly report office agency country "
         "citizenship releases average stay facility removals encounters table press archive notes").split()
FIRST = ["Maria", "José", "Ahmed", "Olga", "Chen", "Fatima", "Luis", "Amina", "Pedro", "Irina"]
LAST = ["Hernández", "García", "Okafor", "Petrova", "Wang", "Haddad", "Ramírez", "Diallo", "Silva", "Nowak"]


def page(rng: random.Random) -> bytes:
    prose = "".join("<p>" + " ".join(rng.choice(WORDS) for _ in range(60)) + ".</p>" for _ in range(5))
    rows = "".join(f"<tr><td>{rng.choice(FIRST)} {rng.choice(LAST)}</td><td>19{rng.randint(40, 99)}-0"
                   f"{rng.randint(1, 9)}-1{rng.randint(0, 9)}</td><td>A{rng.randint(10**8, 3 * 10**8)}</td></tr>"
                   for _ in range(20))
    return (f"<html><head><title>Release</title></head><body>{prose}<table><tr><th>Name</th><th>Born</th>"
            f"<th>ID</th></tr>{rows}</table><a href='/x.csv'>data</a></body></html>").encode()


def timed(run: object) -> float:
    started = time.perf_counter()
    run()  # type: ignore[operator]
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    args = parser.parse_args()
    rng = random.Random(13)
    pages = [page(rng) for _ in range(args.pages)]

    def baseline() -> None:
        for data in pages:
            root = extract_html.parse(data, "text/html")
            assert root is not None
            extract_html.links(root, "https://x.example.gov/")
            extract_html.visible_text(root)

    base = timed(baseline)
    full = timed(lambda: [extract_html.extract(p, "https://x.example.gov/", "text/html") for p in pages])
    print(f"extraction of {args.pages} pages with a table: {base:.2f} s without, {full:.2f} s with the masked "
          f"cells text ({full / base:.2f}x)")

    extracted = [extract_html.extract(p, "https://x.example.gov/", "text/html") for p in pages]
    at = datetime(2023, 1, 1, tzinfo=UTC)
    docs = [build_document(surt=f"gov,example,x)/{i}", payload_digest=f"sha1:{i}", url=f"https://x.example.gov/{i}",
                           site="x", media_type="text/html", captured_at=at, title=e.title, text=e.text,
                           capture_id=i, severity="high" if i % 10 == 0 else None, extra={}, has_tables=True,
                           cells_masked=e.viewer_text) for i, e in enumerate(extracted)]
    plain = [replace(d, masked_title=None, masked_text=None, has_finding=False, severity=None) for d in docs]
    with tempfile.TemporaryDirectory() as folder:
        with_views, without = SqliteSearch(Path(folder) / "a.sqlite3"), SqliteSearch(Path(folder) / "b.sqlite3")
        with_views.ensure_ready()
        without.ensure_ready()
        plain_time = timed(lambda: without.index(plain))
        view_time = timed(lambda: with_views.index(docs))
        sizes = [(Path(folder) / name).stat().st_size for name in ("a.sqlite3", "b.sqlite3")]
        print(f"indexing {len(docs)} documents into SQLite FTS5: {plain_time:.2f} s without viewer views, "
              f"{view_time:.2f} s with ({view_time / plain_time:.2f}x); file {sizes[1] / 2**20:.1f} MiB -> "
              f"{sizes[0] / 2**20:.1f} MiB")
        queries = ["detention", "release notes", "fisc*", '"border enforcement"', "-archive"]
        for masked in (False, True):
            spent = timed(lambda m=masked: [with_views.search(SearchQuery(text=q, masked=m)) for q in queries * 20])
            print(f"  {len(queries) * 20} queries as {'a viewer ' if masked else 'an analyst'}: "
                  f"{spent * 1000 / (len(queries) * 20):.1f} ms each")
        with_views.close()
        without.close()


if __name__ == "__main__":
    main()
