"""Digest labels and encodings are normalised (issue 14, failure 3): a revisit written ``sha-256:``
resolves against a response written ``sha256:`` and the like."""

from __future__ import annotations

import base64
import hashlib
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from core.catalog.schema import captures
from core.digests import normalise_digest
from indexer.warc_reader import read_record_at
from tests.indexer.conftest import rows

BODY = b"<html><head><title>Same page</title></head><body>unchanged body text</body></html>"
SHA256 = hashlib.sha256(BODY).digest()
SHA1 = hashlib.sha1(BODY).digest()


def test_every_spelling_of_a_digest_is_one_value() -> None:
    sha256 = {"sha256:" + SHA256.hex(), "sha-256:" + SHA256.hex().upper(),
              "SHA-256:" + base64.b64encode(SHA256).decode(),
              "sha256:" + base64.b32encode(SHA256).decode(), "sha256:" + base64.urlsafe_b64encode(SHA256).decode()}
    assert len({normalise_digest(d) for d in sha256}) == 1
    sha1 = {"sha1:" + base64.b32encode(SHA1).decode(), "sha-1:" + SHA1.hex(), "SHA1:" + base64.b64encode(SHA1).decode(),
            base64.b32encode(SHA1).decode().lower()}
    assert {normalise_digest(d) for d in sha1} == {"sha1:" + base64.b32encode(SHA1).decode()}
    assert normalise_digest("md5:not-a-digest") == "md5:not-a-digest"


def _write(path: Path, response_digest: str, revisit_digest: str) -> Path:
    """A response and a revisit of it, each digest spelled as given (warcio's writer would put its
    own sha1 on the response, so the header is replaced in the written bytes)."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False, warc_version="1.1")
    http = StatusAndHeaders("200 OK", [("Content-Type", "text/html"), ("Content-Length", str(len(BODY)))],
                            protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(
        "https://example.org/page", "response", payload=io.BytesIO(BODY), http_headers=http,
        warc_headers_dict={"WARC-Date": "2026-01-01T00:00:00Z"}))
    revisit = writer.create_revisit_record("https://example.org/page", revisit_digest,
                                           "https://example.org/page", "2026-01-01T00:00:00Z", http_headers=http)
    revisit.rec_headers.replace_header("WARC-Date", "2026-01-02T00:00:00Z")
    writer.write_record(revisit)
    written = base64.b32encode(SHA1).decode()
    path.write_bytes(out.getvalue().replace(f"WARC-Payload-Digest: sha1:{written}".encode(),
                                            f"WARC-Payload-Digest: {response_digest}".encode(), 1))
    return path


@pytest.mark.parametrize(("response_digest", "revisit_digest"), [
    ("sha256:" + SHA256.hex(), "sha-256:" + SHA256.hex()),
    ("sha-256:" + SHA256.hex(), "sha256:" + base64.b32encode(SHA256).decode()),
    ("sha1:" + base64.b32encode(SHA1).decode(), "sha-1:" + SHA1.hex()),
])
def test_revisit_resolves_whatever_the_digest_spelling(make_indexer, catalog, tmp_path: Path,
                                                       response_digest: str, revisit_digest: str) -> None:
    warc = _write(tmp_path / "a.warc", response_digest, revisit_digest)
    summary = make_indexer().index_paths([warc])
    assert summary.errors == 0, summary.problems
    found = {r["record_type"]: r for r in rows(catalog, captures)}
    assert found["revisit"]["refers_to_capture_id"] == found["response"]["id"]
    assert found["revisit"]["payload_digest"] == found["response"]["payload_digest"]
    original = read_record_at(found["response"]["warc_file"], found["response"]["warc_offset"])
    assert original.payload == BODY
    assert datetime(2026, 1, 2, tzinfo=UTC) == found["revisit"]["captured_at"].replace(tzinfo=UTC)


def test_migration_rewrites_digests_stored_in_another_spelling(tmp_path: Path) -> None:
    from sqlalchemy import insert

    from core.catalog.db import create_catalog_engine, upgrade

    engine = create_catalog_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade(engine, "0005_alert_planning")
    stored = {"sha-256:" + SHA256.hex(), "sha1:" + base64.b32encode(SHA1).decode()}
    with engine.begin() as conn:
        for offset, digest in enumerate(sorted(stored)):
            conn.execute(insert(captures), {"url": "https://example.org/page", "surt": "org,example)/page",
                                            "captured_at": datetime(2026, 1, 1, tzinfo=UTC), "record_type": "response",
                                            "payload_digest": digest, "warc_file": "a.warc", "warc_offset": offset,
                                            "warc_length": 1})
    upgrade(engine)
    assert {r["payload_digest"] for r in rows(engine, captures)} == {normalise_digest(d) for d in stored}
    normal = "sha256:" + base64.b32encode(SHA256).decode().rstrip("=")
    assert normal in {r["payload_digest"] for r in rows(engine, captures)}
