"""Crawl throughput with and without the WARC writer, in the same run (issue 3 benchmark).

Generates a local agency site (default 2,000 pages and 100 documents), crawls it several times
alternating WARC writing off/on (fresh output folder each time, so no deduplication), and prints
pages/s, MB/s and the overhead ratio.  Target: WARC writing costs under 10% of throughput.

    .venv/bin/python bench/crawl.py [--pages 2000] [--documents 100] [--rounds 2] [--concurrency 8]

With ``--render`` it compares instead plain and rendered crawling (``render: browser``, headless
Chromium) of the same site in the same run: pages/s and the peak memory (PSS) of the crawl process
and everything it started (Playwright's driver, Chromium's processes), sampled every 0.1 s.

    .venv/bin/python bench/crawl.py --render [--pages 200] [--documents 20] [--rounds 2]
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import tempfile
import threading
from pathlib import Path

import psutil

from crawler.browser_memory import tree_memory
from crawler.job import CrawlJob, crawl_name
from crawler.run import run_crawl
from spillwatch.demo.agency_documents import CSV_TYPE, XLSX_TYPE
from spillwatch.demo.agency_site import AgencySite

FANOUT = 10


def build_site(site: AgencySite, pages: int, documents: int) -> int:
    rng = random.Random(3)
    total = 0
    for index in range(pages):
        children = [index * FANOUT + k for k in range(1, FANOUT + 1) if index * FANOUT + k < pages]
        links = "".join(f'<li><a href="/archive/p{c}.html">Release notes {c}</a></li>' for c in children)
        docs = ""
        if index < documents:
            ext = "csv" if index % 2 else "xlsx"
            docs = f'<li><a href="/archive/files/table-{index}.{ext}">Table {index}</a></li>'
        text = " ".join(rng.choice(["statistics", "border", "detention", "quarterly", "release", "office",
                                    "aggregate", "country", "total", "report"]) for _ in range(300))
        html = (f"<!DOCTYPE html><html><head><title>Page {index}</title></head><body><h1>Page {index}</h1>"
                f"<p>{text}</p><ul>{links}{docs}</ul></body></html>")
        site.set_page(f"/archive/p{index}.html", html)
        total += len(html)
    for index in range(documents):
        if index % 2:
            body = "country,year,count\n" + "".join(f"C{n},{2000 + n % 25},{rng.randint(1, 9999)}\n"
                                                    for n in range(4000))
            data, kind = body.encode(), CSV_TYPE
            site.publish(f"/archive/files/table-{index}.csv", data, kind, link_from=None)
        else:
            data, kind = rng.randbytes(150_000), XLSX_TYPE  # incompressible, like a real xlsx
            site.publish(f"/archive/files/table-{index}.xlsx", data, kind, link_from=None)
        total += len(data)
    site.add_link("/", "/archive/p0.html", "Archive")
    return total


class PeakMemory:
    """Peak memory of this process's descendants (the crawl process, Playwright, Chromium), summed as the
    crawl's own limit sums it (crawler.browser_memory.tree_memory: PSS, so shared pages count once)."""

    def __init__(self) -> None:
        self.peak = 0
        self.peak_rss = 0  # RSS summed over the processes: counts shared pages once per process
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.wait(0.1):
            total = rss = 0
            for child in me.children():
                try:
                    total += tree_memory(child)
                    rss += sum(p.memory_info().rss for p in [child, *child.children(recursive=True)])
                except psutil.Error:  # ended between listing and reading
                    continue
            self.peak = max(self.peak, total)
            self.peak_rss = max(self.peak_rss, rss)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def crawl(site: AgencySite, out: Path, write_warc: bool, concurrency: int, max_pages: int,
          render: str = "plain") -> dict:
    job = CrawlJob(name=crawl_name("bench"), out_dir=str(out), seeds=[site.url("/archive/p0.html")],
                   allow_private=True, download_delay=0.0, autothrottle=False, concurrent_per_host=concurrency,
                   write_warc=write_warc, sitemaps=False, max_depth=10, max_pages=max_pages, obey_robots=False,
                   log_level="WARNING", time_limit=900, render=render, render_max_pages=max_pages)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with PeakMemory() as memory:
        manifest = run_crawl(job)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert manifest.status == "finished", manifest
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {"pages": manifest.pages, "seconds": manifest.seconds, "mb": manifest.downloaded_bytes / 1e6,
            "warc_mb": manifest.bytes / 1e6, "cpu": cpu, "pss_mb": memory.peak / 2**20,
            "rss_mb": memory.peak_rss / 2**20}


def compare_render(site: AgencySite, tmp: str, args: argparse.Namespace) -> None:
    """Plain and rendered crawls of the same site, alternating, WARC written in both."""
    results: dict[str, list[dict]] = {"plain": [], "browser": []}
    for round_no in range(args.rounds):
        for mode in results:
            out = Path(tmp) / f"r{round_no}-{mode}"
            result = crawl(site, out, True, args.concurrency, args.pages + args.documents + 10, render=mode)
            results[mode].append(result)
            print(f"  round {round_no + 1} {mode:7}: {result['pages']} pages in {result['seconds']:.2f} s = "
                  f"{result['pages'] / result['seconds']:.1f} pages/s, peak memory {result['pss_mb']:.0f} MB PSS "
                  f"({result['rss_mb']:.0f} MB RSS summed), "
                  f"CPU (crawl process tree) {result['cpu']:.1f} s, {result['warc_mb']:.1f} MB of WARC")
    for mode, runs in results.items():
        print(f"{mode:7}: best {max(r['pages'] / r['seconds'] for r in runs):.1f} pages/s, peak memory "
              f"{max(r['pss_mb'] for r in runs):.0f} MB PSS ({max(r['rss_mb'] for r in runs):.0f} MB RSS summed), "
              f"{min(r['warc_mb'] for r in runs):.1f} MB of WARC")
    ratio = statistics.median((b["pages"] / b["seconds"]) / (p["pages"] / p["seconds"])
                              for p, b in zip(results["plain"], results["browser"], strict=True))
    print(f"rendered / plain throughput (median per-round ratio): {ratio:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--documents", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent requests to the host")
    parser.add_argument("--render", action="store_true", help="compare plain and rendered (Chromium) crawling")
    args = parser.parse_args()
    with AgencySite(default_pages=True) as site, tempfile.TemporaryDirectory(prefix="sw-bench-") as tmp:
        size = build_site(site, args.pages, args.documents)
        print(f"site: {args.pages} pages + {args.documents} documents, {size / 1e6:.1f} MB; "
              f"concurrency {args.concurrency}; {args.rounds} round(s) each")
        if args.render:
            compare_render(site, tmp, args)
            return
        results: dict[bool, list[dict]] = {False: [], True: []}
        for round_no in range(args.rounds):
            for write_warc in (False, True):
                out = Path(tmp) / f"r{round_no}-{'warc' if write_warc else 'nowarc'}"
                result = crawl(site, out, write_warc, args.concurrency, args.pages + args.documents + 10)
                results[write_warc].append(result)
                print(f"  round {round_no + 1} {'with' if write_warc else 'without'} WARC: {result['pages']} "
                      f"pages in {result['seconds']:.2f} s = {result['pages'] / result['seconds']:.0f} pages/s, "
                      f"{result['mb'] / result['seconds']:.1f} MB/s"
                      + f", crawler CPU {result['cpu']:.2f} s"
                      + (f", {result['warc_mb']:.1f} MB of WARC" if write_warc else ""))
    # best-of-N is the least disturbed by other load on the machine (as timeit does)
    rate = {k: max(r["pages"] / r["seconds"] for r in v) for k, v in results.items()}
    mbs = {k: max(r["mb"] / r["seconds"] for r in v) for k, v in results.items()}
    median = {k: statistics.median(r["pages"] / r["seconds"] for r in v) for k, v in results.items()}
    cpu = {k: min(r["cpu"] for r in v) for k, v in results.items()}
    # each round runs both variants back to back: the median of the per-round ratios cancels slow
    # changes in machine load
    paired = statistics.median((w["pages"] / w["seconds"]) / (n["pages"] / n["seconds"])
                               for n, w in zip(results[False], results[True], strict=True))
    overhead = 1 - rate[True] / rate[False]
    for key, label in ((False, "without WARC"), (True, "with WARC   ")):
        print(f"{label}: best {rate[key]:.0f} pages/s, {mbs[key]:.2f} MB/s (median {median[key]:.0f} pages/s); "
              f"crawler CPU {cpu[key]:.2f} s")
    print(f"WARC overhead: {overhead * 100:.1f}% of throughput on best-of-{args.rounds} (ratio with/without "
          f"{rate[True] / rate[False]:.3f}); median per-round ratio {paired:.3f} "
          f"({(1 - paired) * 100:.1f}% overhead); {(cpu[True] / cpu[False] - 1) * 100:.1f}% more crawler CPU; "
          f"target < 10%: {'met' if overhead < 0.10 and 1 - paired < 0.10 else 'NOT met'}")


if __name__ == "__main__":
    main()
