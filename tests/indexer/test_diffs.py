"""Text and table diffs between two captures, computed from the WARC records."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.catalog.schema import captures
from indexer.diffs import CaptureNotFound, table_diff, text_diff
from tests.indexer.conftest import rows
from tests.indexer.test_two_crawls import detainee_csv
from tests.indexer.warc_builder import write_warc

PAGE = "<html><head><title>Releases</title><script>var x = 1;</script></head><body><h1>Releases</h1>{}</body></html>"


def test_text_and_table_diffs(make_indexer, catalog, tmp_path: Path) -> None:
    day1, day2 = datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 2, 2, tzinfo=UTC)
    table_v1 = detainee_csv(seed=3, rows_count=20)
    lines = table_v1.decode().splitlines()
    table_v2 = ("\n".join(lines[:-2] + [lines[1].replace("A2", "A9", 1)]) + "\n").encode()  # 2 rows gone, 1 new
    page1 = PAGE.format("<p>Monthly report.</p><p>Yearly report.</p>").encode()
    page2 = PAGE.format("<p>Monthly report.</p><p>Quarterly report.</p><p>Yearly report.</p>").encode()
    make_indexer().index_paths([
        write_warc(tmp_path / "a.warc.gz", [("http://agency.example/", 200, "text/html", page1, day1),
                                            ("http://agency.example/t.csv", 200, "text/csv", table_v1, day1)]),
        write_warc(tmp_path / "b.warc.gz", [("http://agency.example/", 200, "text/html", page2, day2),
                                            ("http://agency.example/t.csv", 200, "text/csv", table_v2, day2)]),
    ])
    pages = [r["id"] for r in rows(catalog, captures, captures.c.url == "http://agency.example/", order=captures.c.id)]
    tables = [r["id"] for r in rows(catalog, captures, captures.c.url == "http://agency.example/t.csv",
                                    order=captures.c.id)]

    diff = text_diff(catalog, pages[0], pages[1])
    assert diff.added == 1 and diff.removed == 0 and diff.significance > 0
    assert [line.text for line in diff.lines if line.kind == "insert"] == ["Quarterly report."]
    assert not any("var x" in line.text for line in diff.lines)

    (table,) = table_diff(catalog, tables[0], tables[1])
    assert table.rows_a == 20 and table.rows_b == 19
    assert table.added_count == 1 and table.removed_count == 2 and table.status == "changed"
    name = lines[1].split(",")[0]
    assert name not in str(table.added) and name not in str(table.removed)  # masked by default
    (raw,) = table_diff(catalog, tables[0], tables[1], unmasked=True)
    assert raw.removed[0][0] in table_v1.decode()

    with pytest.raises(CaptureNotFound, match="no capture"):
        text_diff(catalog, pages[0], 999_999)
