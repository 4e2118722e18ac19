"""Spillwatch crawler: a Scrapy spider per site that snapshots it into WARC files (docs/architecture.md §3).

Public entry points (see ``docs/crawler.md``):

- :func:`crawler.run.run_crawl` runs one :class:`crawler.job.CrawlJob` in a subprocess with a
  hard time limit and returns its :class:`crawler.manifest.Manifest`;
- :func:`crawler.run.crawl_site`, :func:`crawler.run.fetch_urls` and :func:`crawler.run.crawl_adhoc`
  build the job from the config (a site), a list of URLs (watch-page bursts) or a single URL;
- :func:`crawler.repair.repair_open_files` repairs ``*.warc.gz.open`` files left by a crash.

This package never imports the indexer, the matcher or a search backend.
"""
