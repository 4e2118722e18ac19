"""Search latency with facets, as the UI and ``spillwatch search`` ask, against a bare FTS5 top-20.

    .venv/bin/python bench/search.py [--docs 20000] [--queries 300] [--elasticsearch]

Generates ``--docs`` synthetic documents once into ``/tmp/spillwatch-bench-search-N.sqlite3`` (kept for
the next run; the time it took is printed), then runs the same query mix (frequent, middling and rare
words, two-word ANDs, a site filter, a prefix) through ``SqliteSearch.search`` with facets (count,
top 20, four facet counts) and through the baseline: ``SELECT rowid FROM search_fts WHERE search_fts
MATCH ? ORDER BY bm25(...) LIMIT 20``.  Prints p50/p95/max per side and the ratio.  With
``--elasticsearch`` the same documents and queries run on a node started by the test
suite's helper (``tests/services/elasticsearch.py``; a 2 GB heap beyond 100,000 documents).  Prints
figures; passes or fails nothing.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.models import SearchDocument  # noqa: E402
from core.settings import SETTINGS_BY_NAME  # noqa: E402
from indexer.search import SearchBackend, SearchQuery  # noqa: E402
from indexer.search.query import parse_query  # noqa: E402
from indexer.search.sqlite_fts import _BM25, SqliteSearch, fts_expression, scoped  # noqa: E402

COMMON = ("detention statistics border enforcement fiscal year release monthly report office agency country "
          "citizenship releases average stay facility removals encounters table press archive notes policy "
          "asylum court hearing family office field operations budget program grant contract").split()
SITES = [f"agency-{n:02d}" for n in range(20)]
TYPES = ["text/html"] * 12 + ["application/pdf"] * 4 + ["text/csv", "application/json",
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]
SEVERITIES = ("low", "medium", "high", "critical")


def vocabulary(rng: random.Random, size: int = 30_000) -> list[str]:
    """Common words first, then pseudo-words (Zipf ranks: a few very frequent, a long rare tail)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = list(COMMON)
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(letters) for _ in range(rng.randint(4, 10)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def documents(count: int, seed: int = 15, words_per_doc: int = 60) -> Iterator[SearchDocument]:
    rng = random.Random(seed)
    words = vocabulary(rng)
    cumulative = list(accumulate(1 / (rank + 1) for rank in range(len(words))))  # once, not per choices()
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for n in range(count):
        finding = rng.random() < 0.02
        text = " ".join(rng.choices(words, cum_weights=cumulative, k=words_per_doc))
        yield SearchDocument(
            id=f"doc-{n}", url=f"https://{rng.choice(SITES)}.example.gov/p/{n}", site=rng.choice(SITES),
            media_type=rng.choice(TYPES), captured_at=start + timedelta(minutes=n), title=" ".join(
                rng.choices(words, cum_weights=cumulative, k=6)), text=text, has_finding=finding,
            severity=rng.choice(SEVERITIES) if finding else None, capture_id=n + 1, extra={},
        )


def build(path: Path, count: int, words_per_doc: int = 60) -> float:
    """Index ``count`` documents into ``path`` unless it holds them already; seconds it took (0: reused)."""
    backend = SqliteSearch(path)
    backend.ensure_ready()
    try:
        if backend.count() >= count:
            return 0.0
        backend.clear()
        started = time.monotonic()
        batch: list[SearchDocument] = []
        for doc in documents(count, words_per_doc=words_per_doc):
            batch.append(doc)
            if len(batch) == 5000:
                backend.index(batch)
                batch.clear()
        backend.index(batch)
        return time.monotonic() - started
    finally:
        backend.close()


def query_mix(count: int, seed: int = 7, broad: bool = False) -> list[SearchQuery]:
    """What analysts type: words of middling and rare frequency, two-word ANDs, a prefix, a site filter.
    ``broad``: instead, the ten most frequent words (each in most documents, like searching "the"),
    reported on their own line — every match must be scored to rank them, whatever the engine does."""
    rng = random.Random(seed)
    words = vocabulary(random.Random(15))
    if broad:
        return [SearchQuery(text=words[n % 10]) for n in range(count)]
    mix: list[SearchQuery] = []
    for n in range(count):
        kind = n % 6
        if kind == 0:
            text = rng.choice(words[30:300])
        elif kind == 1:
            text = rng.choice(words[300:3000])
        elif kind == 2:
            text = rng.choice(words[3000:30_000])  # rare
        elif kind == 3:
            text = f"{rng.choice(words[30:300])} {rng.choice(words[300:3000])}"
        elif kind == 4:
            text = rng.choice(words[100:1000])[:4] + "*"
        else:
            text = rng.choice(words[30:300])
        sites = (rng.choice(SITES),) if kind == 5 else ()
        mix.append(SearchQuery(text=text, sites=sites))
    return mix


def timed(run: Callable[[SearchQuery], object], queries: list[SearchQuery],
          before: Callable[[], object] | None = None) -> list[float]:
    for query in queries[:10]:
        run(query)  # warm the page cache and the statement cache (the first queries, timed again below)
    out = []
    for query in queries:
        if before is not None:
            before()  # untimed: e.g. empty Elasticsearch's request cache
        started = time.perf_counter()
        run(query)
        out.append((time.perf_counter() - started) * 1000)
    return out


def line(label: str, ms: list[float]) -> str:
    ordered = sorted(ms)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"{label:<44} p50 {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms   max {ordered[-1]:7.1f} ms"


def p95(ms: list[float]) -> float:
    return sorted(ms)[int(len(ms) * 0.95) - 1]


def bench_sqlite(path: Path, queries: list[SearchQuery], broad: list[SearchQuery], rank_window: int) -> None:
    backend = SqliteSearch(path, rank_window=rank_window)
    backend.ensure_ready()  # an index file from before search_meta gets it here, not in the timings
    raw = sqlite3.connect(path)

    def baseline(query: SearchQuery) -> object:
        expression = scoped(fts_expression(parse_query(query.text)), query.masked)
        return raw.execute(f"SELECT rowid FROM search_fts WHERE search_fts MATCH ? ORDER BY {_BM25} LIMIT 20",
                           (expression,)).fetchall()

    try:
        for label, mix in (("analyst mix", queries), ("broad words", broad)):
            base = timed(baseline, mix)
            full = timed(backend.search, mix)
            windowed = sum(1 for q in mix if backend.search(q).ranked_among is not None)
            print(f"{label} ({len(mix)} queries, {windowed} matching more than the rank window of {rank_window:,}):")
            print(line("  baseline: FTS5 MATCH … ORDER BY bm25 LIMIT 20", base))
            print(line("  SqliteSearch.search with facets", full))
            print(f"  ratio at p95: {p95(full) / p95(base):.2f}x the baseline")
    finally:
        backend.close()
        raw.close()


def fill_elasticsearch(backend: SearchBackend, count: int, words_per_doc: int) -> None:
    """Index ``count`` documents unless the index holds them already (a node given by ``--es-url``)."""
    backend.refresh()
    if backend.count() == count:
        print(f"elasticsearch: {count:,} documents already indexed")
        return
    backend.clear()
    started = time.monotonic()
    batch: list[SearchDocument] = []
    for doc in documents(count, words_per_doc=words_per_doc):
        batch.append(doc)
        if len(batch) == 2000:
            backend.index(batch)
            batch.clear()
    backend.index(batch)
    backend.refresh()
    print(f"elasticsearch: indexed {count:,} documents in {time.monotonic() - started:.0f} s")


def bench_elasticsearch(count: int, queries: list[SearchQuery], broad: list[SearchQuery], url: str = "",
                        words_per_doc: int = 60) -> None:
    """On the node at ``url`` (index ``bench-search``, kept for the next run), or on a node started here.
    Each mix runs twice: as analysts meet it (the shard request cache answers a query asked before since
    the last refresh) and with that cache emptied before every query (untimed), i.e. every query new."""
    from indexer.search.elastic import ElasticsearchSearch
    from tests.services.elasticsearch import start_node

    heap = "2g" if count > 100_000 else "512m"  # the test suite's node has 512 MB
    node = None if url else start_node(Path(tempfile.mkdtemp(prefix="spillwatch-bench-es-")), heap)
    try:
        index = "bench-search" if words_per_doc == 60 else f"bench-w{words_per_doc}-search"  # no template overlap
        backend = ElasticsearchSearch(node.url if node is not None else url, index)
        backend.ensure_ready()
        fill_elasticsearch(backend, count, words_per_doc)

        def uncached() -> object:
            return backend.client.indices.clear_cache(index=backend.index_name, request=True)

        for label, mix in (("analyst mix", queries), ("broad words", broad)):
            print(f"elasticsearch, {label} ({len(mix)} queries, {len({q.text for q in mix})} distinct):")
            print(line("  ElasticsearchSearch.search with facets", timed(backend.search, mix)))
            print(line("  the same, request cache emptied each time", timed(backend.search, mix, uncached)))
        backend.close()
    finally:
        if node is not None:
            node.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--words", type=int, default=60, help="words of text per document (default 60)")
    parser.add_argument("--path", type=Path, help="index file (default /tmp/spillwatch-bench-search-N.sqlite3)")
    parser.add_argument("--rank-window", type=int, default=int(SETTINGS_BY_NAME["search_rank_window"].default),
                        help="the search_rank_window setting (default: its default; 0: rank every match)")
    parser.add_argument("--elasticsearch", action="store_true", help="also on Elasticsearch")
    parser.add_argument("--es-url", default="", help="with --elasticsearch: a running node to use (index "
                        "bench-search, kept) instead of starting one")
    args = parser.parse_args()
    suffix = "" if args.words == 60 else f"-w{args.words}"
    path = args.path or Path(tempfile.gettempdir()) / f"spillwatch-bench-search-{args.docs}{suffix}.sqlite3"
    seconds = build(path, args.docs, args.words)
    made = f"generated in {seconds:.0f} s" if seconds else "reused"
    print(f"{args.docs:,} documents in {path} ({made}; {path.stat().st_size / 1e6:.0f} MB), "
          f"{args.queries} queries, SQLite {sqlite3.sqlite_version}")
    queries = query_mix(args.queries)
    broad = query_mix(max(20, args.queries // 10), broad=True)
    bench_sqlite(path, queries, broad, args.rank_window)
    if args.elasticsearch:
        bench_elasticsearch(args.docs, queries, broad, args.es_url, args.words)


if __name__ == "__main__":
    main()
