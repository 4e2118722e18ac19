"""WARCs written by pywb's recorder (another archiving tool, recording the local agency site through
``/rec/record/``) index: every http(s) capture ``cdxj-indexer`` lists is a Spillwatch capture at the
same SURT, time, offset and length, and the person-level CSV it recorded is a finding."""

from __future__ import annotations

from pathlib import Path

from core.catalog.schema import findings
from indexer.cdxj import export_lines
from indexer.pipeline import discover
from spillwatch.demo.agency_documents import CSV_TYPE
from spillwatch.demo.agency_site import AgencySite
from tests.indexer.cdxj_reference import compare
from tests.indexer.conftest import rows
from tests.indexer.pywb_recorder import record_with_pywb
from tests.indexer.test_two_crawls import detainee_csv


def test_pywb_recorded_warc_indexes_like_cdxj_indexer(make_indexer, catalog, tmp_path: Path) -> None:
    with AgencySite() as site:
        leak = site.publish("/statistics/releases/detainees-fy2023.csv", detainee_csv(), CSV_TYPE)
        urls = [site.url(path) for path in site.paths()]
        files = record_with_pywb(urls, tmp_path / "pywb")
    assert files, "pywb's recorder wrote no WARC"
    summary = make_indexer().index_paths(files)
    assert summary.errors == 0, summary.problems
    with catalog.connect() as conn:
        lines = list(export_lines(conn))
    result = compare(discover(files), lines, summary.problems)
    assert result.reference >= len(urls) - 1 and result.missing == [] and result.different == []
    assert result.same == result.reference and result.named_problems == []
    assert [f["url"] for f in rows(catalog, findings)] == [leak]
