"""A minimal crawler for the indexer tests: fetches a real local HTTP site with urllib and writes
request/response records with warcio, as a crawler would (real bytes, real WARC files).

The project's crawler has tests of its own; the indexer must not depend on it.
"""

from __future__ import annotations

import io
import urllib.error
import urllib.request
from collections import deque
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from indexer.extract_html import extract


def _fetch(url: str) -> tuple[int, str, list[tuple[str, str]], bytes]:
    request = urllib.request.Request(url, headers={"User-Agent": "spillwatch-test"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.reason, list(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.reason, list(error.headers.items()), error.read()


def crawl(base_url: str, out: Path, *, start: str = "/", extra: tuple[str, ...] = (),
          when: datetime | None = None) -> Path:
    """Fetch every page of ``base_url`` reachable from ``start`` (plus ``extra`` paths) into ``out``."""
    host = urlsplit(base_url).netloc
    queue = deque([base_url + start, *(base_url + p for p in extra)])
    seen: set[str] = set(queue)
    with out.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        writer.write_record(writer.create_warcinfo_record(out.name, {"software": "spillwatch-test-crawl"}))
        while queue:
            url = queue.popleft()
            status, reason, headers, body = _fetch(url)
            date = (when or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
            http = StatusAndHeaders(f"{status} {reason}", headers, protocol="HTTP/1.1")
            response = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http,
                                                 warc_headers_dict={"WARC-Date": date})
            path = urlsplit(url).path or "/"
            req = StatusAndHeaders(f"GET {path} HTTP/1.1", [("Host", host)], is_http_request=True)
            request = writer.create_warc_record(url, "request", payload=io.BytesIO(b""), http_headers=req,
                                                warc_headers_dict={"WARC-Date": date})
            writer.write_request_response_pair(request, response)
            content_type = dict((k.lower(), v) for k, v in headers).get("content-type", "")
            if status == 200 and content_type.startswith("text/html"):
                for link in extract(body, url, content_type).links:
                    if urlsplit(link.url).netloc == host and link.url not in seen:
                        seen.add(link.url)
                        queue.append(link.url)
    return out
