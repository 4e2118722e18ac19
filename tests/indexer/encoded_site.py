"""A real local HTTP site whose every answer is content-encoded with a given stack of codings
(``br``, ``zstd``, ``gzip``, ``gzip, br``…; empty for plain answers), whatever the request asks:
servers do send codings the client did not list."""

from __future__ import annotations

import gzip
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import brotlicffi
import zstandard

from tests.indexer.test_two_crawls import detainee_csv

ENCODERS = {
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "br": brotlicffi.compress,
    "zstd": lambda data: zstandard.ZstdCompressor().compress(data),
}
PAGES: dict[str, tuple[str, bytes]] = {
    "/": ("text/html; charset=utf-8",
          b"<html><head><title>Detention statistics</title></head><body><h1>Statistics</h1>"
          b"<p>Monthly releases of the agency.</p><a href='/about.html'>About</a> "
          b"<a href='/releases/detainees.csv'>Detainees FY2023</a></body></html>"),
    "/about.html": ("text/html; charset=utf-8",
                    b"<html><head><title>About</title></head><body><p>About the agency and its statistics "
                    b"office.</p><a href='/'>Home</a></body></html>"),
    "/releases/detainees.csv": ("text/csv", detainee_csv()),
}


class EncodedSite:
    """Serves :data:`PAGES` with ``Content-Encoding: <coding>`` (codings applied left to right)."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                page = PAGES.get(self.path)
                if page is None:
                    self.send_error(404)
                    return
                content_type, body = page
                for token in [t.strip() for t in site.coding.split(",") if t.strip()]:
                    body = ENCODERS[token](body)
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                if site.coding:
                    self.send_header("Content-Encoding", site.coding)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> EncodedSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
