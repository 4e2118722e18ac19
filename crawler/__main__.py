"""``python -m crawler run --job FILE``: one crawl, in its own process (Twisted's reactor cannot
restart, and a crash or leak must not take the service down).  Started by :mod:`crawler.run`."""

from __future__ import annotations

import argparse
import fcntl
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from scrapy.crawler import CrawlerProcess

from crawler.job import CATALOG_URL_ENV, CrawlJob
from crawler.lifetime import die_with_parent, parent_pid_from_env, site_lock
from crawler.scrapy_settings import scrapy_settings
from crawler.spider import SiteSpider


def run_job(job: CrawlJob) -> int:
    job.lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(job.lock_path, "a+") as lock:
        # held while the crawl writes; crawler.repair skips .open files of a crawl whose lock is held
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        with site_lock(job.catalog_url, job.site_id):  # no two crawls of one site at once, on any machine
            process = CrawlerProcess(scrapy_settings(job))
            process.crawl(SiteSpider, job=job)
            process.start()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run one crawl job")
    run.add_argument("--job", required=True, type=Path, help="job file written by crawler.run")
    args = parser.parse_args(argv)
    die_with_parent(parent_pid_from_env())  # a crawl never outlives the worker or service that started it
    try:
        job = CrawlJob.from_json(args.job.read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError) as exc:
        print(f"python -m crawler: cannot read job {args.job}: {exc}", file=sys.stderr)
        return 2
    job.catalog_url = job.catalog_url or os.environ.get(CATALOG_URL_ENV) or None
    try:
        return run_job(job)
    except BlockingIOError:
        logging.getLogger(__name__).error("crawl %s is already running (lock %s)", job.name, job.lock_path)
        return 3


if __name__ == "__main__":
    sys.exit(main())
