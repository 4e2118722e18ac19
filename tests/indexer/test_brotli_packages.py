"""The original crash of issue 14 (failure 1), reproduced: warcio 1.8 with Google's ``Brotli`` as the
``brotli`` module raises ``AttributeError`` on every ``br`` record read through warcio's decoder. In
this environment ``import brotli`` finds pywb's ``brotlipy`` instead (a package directory shadows
Google's ``brotli.py``), so the crash is reproduced here by loading Google's module from its file and
putting it where warcio looks. The indexer's path (raw entity + ``brotlicffi``, the package the project
requires) and pywb's (warcio given ``brotlicffi``: indexer/warcio_brotli.py) must not depend on which
``brotli`` wins."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import brotlicffi
import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import BufferedReader, try_brotli_init

from core.catalog.schema import captures, findings
from indexer.errors import RecordProblem
from indexer.warc_reader import WarcReader, WarcRecord
from indexer.warcio_brotli import use_brotlicffi
from tests.indexer.conftest import count, rows
from tests.indexer.test_content_encodings import HTML, _write
from tests.indexer.test_two_crawls import detainee_csv
from web.archive import read_payload


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _googles_brotli(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """Google's ``brotli`` module (the ``Brotli`` distribution, required by Scrapy), loaded from its
    files: its ``brotli.py`` and its ``_brotli`` extension (brotlipy has a ``_brotli`` of its own)."""
    try:
        files = importlib.metadata.distribution("Brotli").files or []
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("Google's Brotli is not installed (Scrapy requires it: reinstall the test dependencies)")
    found = {f.name.split(".")[0]: Path(str(f.locate())) for f in files
             if f.name == "brotli.py" or (f.name.startswith("_brotli.") and f.name.endswith((".so", ".pyd")))}
    assert set(found) == {"brotli", "_brotli"}, files
    monkeypatch.setitem(sys.modules, "_brotli", _load("_brotli", found["_brotli"]))
    module = _load("brotli", found["brotli"])
    assert hasattr(module, "Decompressor") and "brotlipy" not in str(module.__file__)
    return module


@pytest.fixture
def googles_brotli_in_warcio(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """warcio's ``br`` decoder built on Google's module, as in an environment without brotlipy."""
    monkeypatch.setitem(sys.modules, "brotli", _googles_brotli(monkeypatch))
    monkeypatch.setitem(BufferedReader.DECOMPRESSORS, "br", BufferedReader.DECOMPRESSORS.get("br"))
    try_brotli_init()
    yield


def _br_warc(path: Path) -> Path:
    return _write(path, [("http://example.org/", "text/html", brotlicffi.compress(HTML), "br"),
                         ("http://example.org/people.csv", "text/csv", brotlicffi.compress(detainee_csv()), "br")])


def test_warcio_with_googles_brotli_crashes_on_br(googles_brotli_in_warcio: None, tmp_path: Path) -> None:
    with _br_warc(tmp_path / "br.warc.gz").open("rb") as fh:
        record = next(iter(ArchiveIterator(fh)))
        with pytest.raises(AttributeError, match="unused_data"):
            record.content_stream().read()


def test_indexing_br_does_not_use_warcios_brotli(googles_brotli_in_warcio: None, make_indexer, catalog,
                                                tmp_path: Path) -> None:
    warc = _br_warc(tmp_path / "br.warc.gz")
    items = list(WarcReader(warc))
    assert [i for i in items if isinstance(i, RecordProblem)] == []
    records = [i for i in items if isinstance(i, WarcRecord)]
    assert records[0].payload == HTML and records[1].payload == detainee_csv()
    summary = make_indexer().index_paths([warc])
    assert summary.errors == 0 and summary.problems == []
    assert count(catalog, captures) == 2 and rows(catalog, findings)[0]["severity"] == "critical"
    assert read_payload({"warc_file": str(warc), "warc_offset": records[0].offset}, tmp_path).body == HTML


def test_warcio_given_brotlicffi_reads_br(googles_brotli_in_warcio: None, monkeypatch: pytest.MonkeyPatch,
                                          tmp_path: Path) -> None:
    """What pywb's process does (web/pywb_child.py): warcio's own decoder then works whatever
    ``import brotli`` finds."""
    use_brotlicffi()
    with _br_warc(tmp_path / "br.warc.gz").open("rb") as fh:
        assert next(iter(ArchiveIterator(fh))).content_stream().read() == HTML
    decompressor = BufferedReader.DECOMPRESSORS["br"]()
    assert isinstance(decompressor, brotlicffi.Decompressor)
    assert io.BytesIO(decompressor.decompress(brotlicffi.compress(b"x" * 10))).read() == b"x" * 10
