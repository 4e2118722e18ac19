"""Twenty analysts at once: latency, errors and memory of the web server on a 50k-page archive.

    .venv/bin/python bench/load.py                        # SQLite, 50,000 pages, 20 clients, 2,000 requests
    .venv/bin/python bench/load.py --pages 5000 --requests 500
    .venv/bin/python bench/load.py --es-url http://127.0.0.1:9200   # Elasticsearch instead of SQLite
    .venv/bin/python bench/load.py --data /tmp/load-archive          # keep (and reuse) the archive

Builds a synthetic archive (HTML pages with a large vocabulary — words, surnames and reference
numbers, so that prefix queries expand to thousands of terms — plus person-level CSV rosters that
become findings), indexes it with the real indexer, starts ``spillwatch serve`` (waitress) as a
process, and runs clients that log in and mix UI searches (a share of them broad prefix queries such
as ``r*``), API searches, capture pages and finding pages.  Twice: with the query bounds switched
off (``search_time_budget=0``, ``search_max_prefix_terms=0``: the baseline) and with the defaults.
Prints p50/p95/p99 latency, errors (5xx, timeouts, refused connections), "refine your search"
answers (422) and the server's peak RSS.  Passes or fails nothing.
"""

from __future__ import annotations

import argparse
import csv
import http.cookiejar
import io
import json
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from faker import Faker
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.catalog import open_catalog  # noqa: E402
from core.catalog.schema import captures, findings  # noqa: E402
from core.config import Config  # noqa: E402
from core.settings import resolve  # noqa: E402
from indexer.pipeline import index_paths  # noqa: E402
from indexer.search import open_search  # noqa: E402
from web import accounts  # noqa: E402

PASSWORD = "load-bench-" + "x" * 12
USER = "loadbench"


def _record(writer: WARCWriter, url: str, body: bytes, content_type: str, when: datetime) -> None:
    http = StatusAndHeaders("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))],
                            protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(
        url, "response", payload=io.BytesIO(body), http_headers=http,
        warc_headers_dict={"WARC-Date": when.strftime("%Y-%m-%dT%H:%M:%SZ")}))


def generate(folder: Path, pages: int, rosters: int, seed: int = 12) -> list[str]:
    """WARC files of ``pages`` HTML pages and ``rosters`` person-level CSVs; returns the words used."""
    fake = Faker(["en_US", "es_MX", "fr_FR"])
    Faker.seed(seed)
    rng = random.Random(seed)
    words = sorted({w.lower() for w in fake.words(3000)} | {fake.last_name().lower() for _ in range(4000)})
    start = datetime(2026, 1, 1, tzinfo=UTC)
    folder.mkdir(parents=True, exist_ok=True)
    per_file = 10_000
    for part in range(0, pages, per_file):
        with (folder / f"load-{part // per_file:03d}.warc.gz").open("wb") as fh:
            writer = WARCWriter(fh, gzip=True)
            for n in range(part, min(pages, part + per_file)):
                text = " ".join(rng.choice(words) for _ in range(rng.randint(80, 200)))
                ref = f"ref{secrets.token_hex(4)} case{rng.randint(100000, 999999)}"
                body = (f"<html><head><title>{rng.choice(words).title()} report {n}</title></head><body>"
                        f"<p>{text}</p><p>{ref}</p></body></html>").encode()
                site = f"agency{n % 5}.example.gov"
                _record(writer, f"https://{site}/reports/{n}.html", body, "text/html",
                        start + timedelta(seconds=n))
    with (folder / "rosters.warc.gz").open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for n in range(rosters):
            buffer = io.StringIO()
            out = csv.writer(buffer)
            out.writerow(["Last Name", "First Name", "Date of Birth", "Country of Citizenship", "A-Number"])
            for _ in range(200):
                out.writerow([fake.last_name(), fake.first_name(), fake.date_of_birth(minimum_age=18).isoformat(),
                              fake.country(), f"A{rng.randint(100000000, 999999999)}"])
            _record(writer, f"https://agency0.example.gov/releases/roster-{n}.csv", buffer.getvalue().encode(),
                    "text/csv", start + timedelta(days=1, seconds=n))
    return words


def build(data: Path, pages: int, rosters: int, backend: dict[str, str]) -> tuple[list[str], list[int], list[int]]:
    """The indexed archive in ``data`` (reused when already there), a user; words, capture and finding ids."""
    settings = resolve({}, {}, {"data_dir": str(data), **backend})
    marker = data / "load-words.json"
    if not marker.exists():
        started = time.monotonic()
        words = generate(data / "warcs", pages, rosters)
        engine, search = open_catalog(settings), open_search(settings)
        summary = index_paths([data / "warcs"], Config(settings=settings), engine, search)
        search.close()
        print(f"archive: {summary.captures} captures, {summary.findings} findings indexed in "
              f"{time.monotonic() - started:.0f} s")
        with engine.begin() as conn:
            accounts.create(conn, USER, "analyst", PASSWORD)
        engine.dispose()
        marker.write_text(json.dumps(words))
    words = json.loads(marker.read_text())
    engine = open_catalog(settings)
    with engine.connect() as conn:
        capture_ids = list(conn.execute(captures.select().with_only_columns(captures.c.id)).scalars())
        finding_ids = list(conn.execute(findings.select().with_only_columns(findings.c.id)).scalars())
    engine.dispose()
    return words, capture_ids, finding_ids


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(data: Path, backend: dict[str, str], bounded: bool) -> tuple[subprocess.Popen[bytes], str]:
    port, replay = _free_port(), _free_port()
    options = [f"search_backend={backend.get('search_backend', 'sqlite')}"]
    options += [f"{k}={v}" for k, v in backend.items() if k != "search_backend"]
    if not bounded:
        options += ["search_time_budget=0", "search_max_prefix_terms=0"]
    command = [sys.executable, "-m", "spillwatch", "--data-dir", str(data)]
    for option in options:
        command += ["--set", option]
    command += ["serve", "--port", str(port), "--replay-port", str(replay)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "/login", timeout=2)
            return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Client:
    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.token = token
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = self.opener.open(base + "/login", timeout=60).read().decode()
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
        form = urllib.parse.urlencode({"name": USER, "password": PASSWORD,
                                       "csrf_token": csrf.group(1) if csrf else ""}).encode()
        self.opener.open(base + "/login", data=form, timeout=60).read()

    def get(self, path: str, api: bool = False) -> int:
        request = urllib.request.Request(self.base + path)
        if api:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with self.opener.open(request, timeout=120) as answer:
                answer.read()
                return int(answer.status)
        except urllib.error.HTTPError as exc:
            exc.read()
            return int(exc.code)


def plan(words: list[str], capture_ids: list[int], finding_ids: list[int], total: int, seed: int = 7
         ) -> list[tuple[str, bool]]:
    """The requests, mixed: 40% UI search (1 in 8 a broad prefix), 25% API search, 25% capture
    pages, 10% finding pages."""
    rng = random.Random(seed)
    requests: list[tuple[str, bool]] = []
    for _ in range(total):
        roll = rng.random()
        if roll < 0.65:
            if rng.random() < 0.125:
                query = rng.choice("abcdefghlmprst") + "*"
            elif rng.random() < 0.3:
                query = rng.choice(words)[:3] + "*"
            else:
                query = " ".join(rng.sample(words, rng.randint(1, 2)))
            path = f"/search?q={urllib.parse.quote(query)}"
            requests.append((("/api/v1" + path) if roll >= 0.40 else path, roll >= 0.40))
        elif roll < 0.90 or not finding_ids:
            requests.append((f"/captures/{rng.choice(capture_ids)}", False))
        else:
            requests.append((f"/findings/{rng.choice(finding_ids)}", False))
    return requests


def run_load(base: str, pid: int, token: str, requests: list[tuple[str, bool]], clients: int) -> dict[str, Any]:
    results: list[tuple[float, int]] = []
    lock = threading.Lock()
    queue = list(reversed(requests))
    peak = [rss_kib(pid)]

    def worker() -> None:
        client = Client(base, token)
        while True:
            with lock:
                if not queue:
                    return
                path, api = queue.pop()
            started = time.monotonic()
            try:
                status = client.get(path, api)
            except OSError:
                status = 599  # timeout or refused: an error
            with lock:
                results.append((time.monotonic() - started, status))

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        peak.append(rss_kib(pid))
        time.sleep(0.2)
    seconds = time.monotonic() - started
    latencies = sorted(r[0] for r in results)
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return {"requests": len(results), "seconds": seconds, "p50": quantiles[49], "p95": quantiles[94],
            "p99": quantiles[98], "errors": sum(1 for _t, s in results if s >= 500),
            "refine": sum(1 for _t, s in results if s == 422), "rss_mib": max(peak) / 1024}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=50_000)
    parser.add_argument("--rosters", type=int, default=40)
    parser.add_argument("--requests", type=int, default=2_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--data", type=Path, help="archive folder (kept; reused when it exists)")
    parser.add_argument("--es-url", help="use this Elasticsearch node instead of SQLite")
    parser.add_argument("--skip-baseline", action="store_true", help="only the bounded run")
    args = parser.parse_args()
    backend = ({"search_backend": "elasticsearch", "elasticsearch_url": args.es_url,
                "elasticsearch_index": f"spillwatch-load-{args.pages}"} if args.es_url else {})
    data = args.data or Path(tempfile.mkdtemp(prefix="spillwatch-load-"))
    words, capture_ids, finding_ids = build(data, args.pages, args.rosters, backend)
    engine = open_catalog(resolve({}, {}, {"data_dir": str(data)}))
    with engine.begin() as conn:
        account = accounts.by_name(conn, USER)
        assert account is not None, f"user {USER} missing from {data}"
        token = accounts.issue_token(conn, account.id)
    engine.dispose()
    requests = plan(words, capture_ids, finding_ids, args.requests)
    print(f"{len(capture_ids)} captures, {len(finding_ids)} findings; {args.clients} clients, "
          f"{len(requests)} requests ({'Elasticsearch' if args.es_url else 'SQLite'})")
    print(f"{'run':<34} {'p50':>7} {'p95':>7} {'p99':>7} {'errors':>6} {'refine':>6} {'req/s':>6} {'RSS MiB':>8}")
    for bounded in ([False, True] if not args.skip_baseline else [True]):
        process, base = start_server(data, backend, bounded)
        try:
            figures = run_load(base, process.pid, token, requests, args.clients)
        finally:
            process.terminate()
            process.wait(timeout=30)
        label = "bounded (defaults)" if bounded else "baseline: no time budget/prefix limit"
        print(f"{label:<34} {figures['p50']:>6.2f}s {figures['p95']:>6.2f}s {figures['p99']:>6.2f}s "
              f"{figures['errors']:>6} {figures['refine']:>6} {figures['requests'] / figures['seconds']:>6.1f} "
              f"{figures['rss_mib']:>8.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
