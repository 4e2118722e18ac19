"""Indexing speed: records/s into SQLite and into Elasticsearch, next to a bare warcio read.

    .venv/bin/python bench/index.py                       # SQLite only
    .venv/bin/python bench/index.py --start-es            # also a throw-away Elasticsearch node
    .venv/bin/python bench/index.py --es-url http://127.0.0.1:9200

Generates one WARC (one gzip member per record, request + response pairs as a crawler writes
them) holding two crawls of a synthetic agency site: HTML pages (nav, paragraphs, a table,
links) and documents (CSV, XLSX, PDF, JSON).  The second crawl has revisit records for unchanged
payloads, pages whose only change is a timestamp, pages that really changed and new documents.
The bare read is a warcio ``ArchiveIterator`` pass reading every record's content: the limit any
indexer built on warcio has.  Prints figures; passes or fails nothing.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.catalog import open_catalog  # noqa: E402
from core.config import Config  # noqa: E402
from core.settings import resolve  # noqa: E402
from indexer.pipeline import index_paths  # noqa: E402
from indexer.search import open_search  # noqa: E402
from spillwatch.demo.agency_documents import aggregate_csv, aggregate_json, aggregate_pdf, aggregate_xlsx  # noqa: E402

WORDS = ("detention statistics border enforcement fiscal year release monthly report office agency "
         "country citizenship book-ins releases average stay facility removals encounters data table "
         "press contact publication archive quarterly annual methodology notes definitions").split()
DOCS = (("csv", "text/csv", aggregate_csv), ("xlsx", "application/vnd.openxmlformats-officedocument."
        "spreadsheetml.sheet", aggregate_xlsx), ("pdf", "application/pdf", aggregate_pdf),
        ("json", "application/json", aggregate_json))


def _digest(body: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode()


def _page(rng: random.Random, n: int, version: int, stamp: str, with_table: bool) -> bytes:
    paragraphs = "".join(
        "<p>" + " ".join(rng.choice(WORDS) for _ in range(rng.randint(30, 90))) + ".</p>\n" for _ in range(6)
    )
    rows = "".join(f"<tr><td>{rng.choice(WORDS)}</td><td>{rng.randint(1, 9999)}</td></tr>" for _ in range(8))
    table = f"<table><tr><th>Item</th><th>Count</th></tr>{rows}</table>" if with_table else ""
    links = "".join(f'<li><a href="/page/{rng.randrange(5000)}.html">{rng.choice(WORDS)}</a></li>' for _ in range(15))
    docs = "".join(f'<li><a href="/docs/{(n * 7 + k) % 900}.{DOCS[k % 4][0]}">release {k}</a></li>' for k in range(2))
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Page {n} v{version}</title>"
        "<style>body{font-family:sans-serif}</style><script>var analytics = {id: 1};</script></head><body>"
        "<nav><a href='/'>Home</a> | <a href='/statistics/'>Statistics</a></nav>"
        f"<main><h1>Page {n}</h1>{paragraphs}{table}"
        f"<ul>{links}{docs}</ul></main><footer>Generated {stamp}</footer></body></html>"
    ).encode()


def generate(path: Path, pages: int, documents: int, table_share: float = 0.1, seed: int = 1) -> int:
    """Write the benchmark WARC; returns the number of records."""
    rng = random.Random(seed)
    doc_bodies = {kind: builder() for kind, _ctype, builder in DOCS}
    records = 0
    start = datetime(2026, 1, 1, tzinfo=UTC)
    originals: dict[str, tuple[str, str]] = {}
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "spillwatch bench"}))
        records += 1
        for crawl in (1, 2):
            when = start + timedelta(days=crawl)
            for i in range(pages + documents):
                if i < pages:
                    url = f"http://agency.example/page/{i}.html"
                    roll = rng.random() if crawl == 2 else 1.0
                    version = 2 if roll < 0.05 else 1
                    stamp = when.isoformat() if roll < 0.15 else "2026-01-01T00:00:00"
                    body = _page(random.Random(i * 10 + version), i, version, stamp,
                                 with_table=(i % 1000) < table_share * 1000)
                    ctype = "text/html; charset=utf-8"
                else:
                    k = i - pages
                    kind, ctype, _builder = DOCS[k % 4]
                    url = f"http://agency.example/docs/{k}.{kind}"
                    # CSV and JSON documents differ by a line or by trailing white space (still valid JSON)
                    body = doc_bodies[kind] + (b"" if kind in ("xlsx", "pdf") else
                                               f"\n{k}".encode() if kind == "csv" else b" " * (k + 1))
                stamp_text = (when + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
                digest = _digest(body)
                http = StatusAndHeaders("200 OK", [("Content-Type", ctype), ("Content-Length", str(len(body)))],
                                        protocol="HTTP/1.1")
                if url in originals and originals[url][0] == digest:
                    record = writer.create_revisit_record(url, digest, url, originals[url][1], http_headers=http)
                    record.rec_headers.replace_header("WARC-Date", stamp_text)
                else:
                    record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http,
                                                       warc_headers_dict={"WARC-Date": stamp_text,
                                                                          "WARC-Payload-Digest": digest})
                    originals[url] = (digest, stamp_text)
                request = writer.create_warc_record(
                    url, "request", payload=io.BytesIO(b""),
                    http_headers=StatusAndHeaders(f"GET {url[21:]} HTTP/1.1", [("Host", "agency.example")],
                                                  is_http_request=True),
                    warc_headers_dict={"WARC-Date": stamp_text})
                writer.write_request_response_pair(request, record)
                records += 2
    return records


def bare_read(path: Path) -> tuple[int, float, float]:
    started, cpu = time.perf_counter(), time.process_time()
    n = 0
    with path.open("rb") as fh:
        for record in ArchiveIterator(fh, arc2warc=True):
            record.content_stream().read()
            n += 1
    return n, time.perf_counter() - started, time.process_time() - cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def index_into(path: Path, data_dir: Path, **settings: str) -> tuple[int, int, float, float, float]:
    """Records, captures, wall seconds, CPU seconds of this process and of the read-ahead process."""
    config = Config(settings=resolve({}, {}, {"data_dir": str(data_dir), **settings}))
    engine = open_catalog(config.settings)
    search = open_search(config.settings)
    started, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    summary = index_paths([path], config, engine, search)
    elapsed, cpu, children = (time.perf_counter() - started, time.process_time() - cpu,
                              _children_cpu() - children)
    search.close()
    engine.dispose()
    return summary.records, summary.captures, elapsed, cpu, children


def _report(label: str, got: int, captures: int, seconds: float, cpu: float, children: float, bare: float) -> None:
    ahead = f" + read-ahead process {children:.2f}s" if children else ""
    print(f"{label} {got} records in {seconds:6.2f}s = {got / seconds:8.0f} records/s ({captures} captures); "
          f"{seconds / bare:.1f}x the bare read (CPU: indexer {cpu:.2f}s{ahead})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=5400)
    parser.add_argument("--documents", type=int, default=600)
    parser.add_argument("--table-share", type=float, default=0.1,
                        help="share of pages holding a data table (default 0.1; every page is 1.0)")
    parser.add_argument("--es-url", help="index into this Elasticsearch too")
    parser.add_argument("--one-process", action="store_true",
                        help="also index into SQLite without the read-ahead process (index_read_ahead_size=0)")
    parser.add_argument("--start-es", action="store_true", help="start a throw-away Elasticsearch node "
                        "(tests/services) and index into it too")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="spillwatch-bench-"))
    warc = work / "bench.warc.gz"
    records = generate(warc, args.pages, args.documents, args.table_share)
    size = warc.stat().st_size
    print(f"WARC: {records} records ({args.pages} pages, {args.table_share:.0%} with a table, + "
          f"{args.documents} documents; 2 crawls), {size / 2**20:.1f} MiB")
    n, bare, bare_cpu = bare_read(warc)
    print(f"bare warcio read:         {n} records in {bare:6.2f}s = {n / bare:8.0f} records/s "
          f"(CPU {bare_cpu:.2f}s)")
    if args.one_process:
        _report("index into SQLite, one process:", *index_into(warc, work / "one", index_read_ahead_size="0"),
                bare)
    _report("index into SQLite:       ", *index_into(warc, work / "sqlite"), bare)
    node = None
    es_url = args.es_url
    if args.start_es and not es_url:
        from tests.services.elasticsearch import start_node

        node = start_node(Path(tempfile.mkdtemp(prefix="spillwatch-bench-es-")))
        es_url = node.url
    try:
        if es_url:
            _report("index into Elasticsearch:", *index_into(
                warc, work / "es", search_backend="elasticsearch", elasticsearch_url=es_url,
                elasticsearch_index=f"spillwatch-bench-{int(time.time())}"), bare)
    finally:
        if node is not None:
            node.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
