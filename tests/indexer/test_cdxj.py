"""``spillwatch export cdxj`` writes pywb's CDXJ, sorted by SURT, and agrees with ``cdxj-indexer``
on every http(s) capture of the shared corpus (issue 14, failure 7)."""

from __future__ import annotations

import json
from pathlib import Path

from core.catalog.db import create_catalog_engine
from indexer.cdxj import export_lines
from indexer.pipeline import discover
from spillwatch.cli import main
from tests.indexer.cdxj_reference import compare


def _keys(lines: list[str]) -> list[str]:
    """'SURT TIMESTAMP' of each line: what pywb's binary search needs sorted."""
    return [" ".join(line.split(" ", 2)[:2]) for line in lines]


def test_corpus_export_agrees_with_cdxj_indexer(make_indexer, catalog, corpus: Path) -> None:
    summary = make_indexer().index_paths([corpus])
    with catalog.connect() as conn:
        lines = list(export_lines(conn))
    assert _keys(lines) == sorted(_keys(lines)) and len(lines) == summary.captures
    result = compare(discover([corpus]), lines, summary.problems)
    assert result.missing == [] and result.different == []
    assert result.same + len(result.named_problems) == result.reference
    assert result.same >= 24 and len(result.named_problems) == 1  # warcio's wrong-chunks record


def test_export_cdxj_command_selects_and_writes(tmp_path: Path, corpus: Path, capsys) -> None:
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "index", "--json", str(corpus)]) == 0
    capsys.readouterr()
    out = tmp_path / "index.cdxj"
    assert main(["--data-dir", str(data), "export", "cdxj", "-o", str(out), "--relative-to", str(corpus)]) == 0
    lines = out.read_text().splitlines()
    assert _keys(lines) == sorted(_keys(lines)) and all(not json.loads(li.split(" ", 2)[2])["filename"].startswith("/")
                                          for li in lines)
    assert main(["--data-dir", str(data), "export", "cdxj", "--url", "http://example.com/", "--from", "2014",
                 "--to", "2014"]) == 0
    only = capsys.readouterr().out.splitlines()
    assert only and all(li.startswith("com,example)/ 2014") for li in only)
    assert main(["--data-dir", str(data), "export", "cdxj", "--from", "20xx"]) == 2
    assert "--from='20xx'" in capsys.readouterr().err
    engine = create_catalog_engine(f"sqlite:///{data / 'catalog.sqlite3'}")
    with engine.connect() as conn:
        assert len(list(export_lines(conn))) == len(lines)
