"""Write small WARC files with warcio for tests: response records with given bodies."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter


def write_warc(path: Path, responses: list[tuple[str, int, str, bytes, datetime]], gzip: bool = True) -> Path:
    """``responses``: (url, status, content type, body, date) each."""
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=gzip, warc_version="1.1")
        for url, status, content_type, body, when in responses:
            http = StatusAndHeaders(f"{status} OK", [("Content-Type", content_type),
                                                     ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
            record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http,
                                               warc_headers_dict={"WARC-Date": when.strftime("%Y-%m-%dT%H:%M:%SZ")})
            writer.write_record(record)
    return path
