"""With ``warc_storage: s3://`` and the local copy gone, browsable replay (pywb) and ``spillwatch export
wacz|cdxj`` read the WARC files from the bucket (a real S3 server, tests/services/s3.py): pywb's record
loader by range reads, exports by range reads (WACZ) or whole streamed files (``cdxj --warcs``)."""

from __future__ import annotations

import gzip
import io
import json
import re
import uuid
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from core.catalog.schema import captures
from core.warc_store import S3Store, open_store
from indexer.pipeline import Indexer
from indexer.record_source import record_bytes
from spillwatch.cli import main
from tests.indexer.warc_builder import write_warc
from tests.web.conftest import WebEnv, build_env, close_env, settings_for
from web import create_replay_app

SITE = "https://stored.example.gov"
DAY = datetime(2026, 4, 2, tzinfo=UTC)
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5e2b7d90000000049454e44ae426082")
PAGE = (b"<html><head><title>Stored page</title></head><body><h1>Kept on S3</h1><img src='/logo.png'>"
        b"<a href='/b.html'>Other page</a></body></html>")


@pytest.fixture
def stored(s3_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[WebEnv, Path]]:
    """An archive whose WARC file is on S3 only: indexed, uploaded, then deleted here."""
    for name, value in s3_server.environ.items():
        monkeypatch.setenv(name, value)
    bucket = s3_server.create_bucket(f"warcs-{uuid.uuid4().hex[:10]}")
    settings = settings_for(tmp_path, warc_storage=f"s3://{bucket}/archive", s3_endpoint_url=s3_server.url)
    env = build_env(settings, tmp_path)
    folder = settings.data_path / "crawls" / "stored" / "warcs"
    folder.mkdir(parents=True)
    warc = write_warc(folder / "stored-00000.warc.gz", [
        (f"{SITE}/", 200, "text/html", PAGE, DAY),
        (f"{SITE}/b.html", 200, "text/html", b"<html><body><p>Page B text</p></body></html>", DAY),
        (f"{SITE}/logo.png", 200, "image/png", PNG, DAY),
    ])
    Indexer(env.config, env.engine, env.search).index_paths([warc])
    store = open_store(settings)
    assert isinstance(store, S3Store)
    store.publish(warc)
    yield env, warc
    close_env(env)


def _entry(env: WebEnv, capture_id: int) -> str:
    """The replay link the capture page gives an analyst."""
    page = env.client("analyst").get(f"/captures/{capture_id}/view").get_data(as_text=True)
    src = re.search(r'<iframe class="replay" sandbox src="([^"]+)"', page)
    assert src
    return src.group(1)[len(env.app.extensions["spillwatch"].replay_url):]


def test_a_page_of_a_file_kept_on_s3_only_is_browsed(stored: tuple[WebEnv, Path]) -> None:
    env, warc = stored
    expected = warc.read_bytes()
    warc.unlink()  # the UI's machine has no copy
    with env.engine.connect() as conn:
        home = conn.execute(select(captures.c.id).where(captures.c.url == f"{SITE}/")).scalar_one()
    app = create_replay_app(env.config)
    try:
        http = app.test_client()
        moved = http.get(_entry(env, home))
        assert moved.status_code == 302
        token = moved.headers["Location"].split("/")[2]
        page = http.get(moved.headers["Location"])
        assert page.status_code == 200, page.data[:500]
        assert b"Kept on S3" in page.data
        image = http.get(f"/replay/{token}/archive/20260402000000im_/{SITE}/logo.png")
        assert image.status_code == 200 and image.data == PNG
    finally:
        app.extensions["spillwatch_pywb"].stop()
    assert not warc.exists()  # read by range, the file not fetched
    assert len(expected) > 0


def test_export_wacz_and_cdxj_read_files_kept_on_s3_only(stored: tuple[WebEnv, Path], tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    env, warc = stored
    content = warc.read_bytes()
    warc.unlink()
    lost = write_warc(warc.with_name("lost-00000.warc.gz"), [(f"{SITE}/lost.html", 200, "text/html", b"<p>x</p>", DAY)])
    Indexer(env.config, env.engine, env.search).index_paths([lost])
    lost.unlink()  # neither here nor in the bucket: reported, the rest still exported
    for name in ("warc_storage", "s3_endpoint_url"):
        monkeypatch.setenv(f"SPILLWATCH_{name.upper()}", str(getattr(env.settings, name)))
    data = ["--data-dir", str(env.settings.data_path)]
    out = tmp_path / "stored.wacz"
    only = ["--url", f"{SITE}/", "--match-type", "host"]
    assert main([*data, "export", "wacz", "-o", str(out), *only]) == 0
    assert f"not exported: {SITE}/lost.html" in capsys.readouterr().err
    with zipfile.ZipFile(out) as wacz:
        (name,) = [n for n in wacz.namelist() if n.startswith("archive/")]
        exported = wacz.read(name)
    assert b"Kept on S3" in gzip.decompress(exported) and PNG in gzip.decompress(exported)
    assert not warc.exists()  # the WACZ was written from range reads
    folder, index = tmp_path / "collection", tmp_path / "index.cdxj"
    assert main([*data, "export", "cdxj", "-o", str(index), "--warcs", str(folder), *only]) == 0
    err = capsys.readouterr().err
    assert f"{lost}: not copied" in err and "1 WARC file(s) copied" in err
    copy = folder / "crawls" / "stored" / "warcs" / warc.name
    assert copy.read_bytes() == content  # streamed down whole
    lines = [line for line in index.read_text().splitlines() if "lost.html" not in line]
    assert len(lines) == 3
    for line in lines:  # each line names the copy, and the record is at its offset there
        entry = json.loads(line.split(" ", 2)[2])
        assert entry["filename"] == f"crawls/stored/warcs/{warc.name}"
        record = record_bytes(folder / entry["filename"], int(entry["offset"]), int(entry["length"]))
        assert gzip.GzipFile(fileobj=io.BytesIO(record)).read(8) == b"WARC/1.1"
