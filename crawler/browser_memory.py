"""Memory limit of a rendering crawl: the crawl process and every process it started (Playwright's
driver, Chromium's browser, GPU, network and renderer processes), summed.

Scrapy's ``MEMUSAGE_LIMIT_MB`` sees the crawl process only, and scrapy-playwright's extension finds no
browser process with the Scrapy versions we run, so this extension measures the process tree itself
with psutil.  It sums PSS (proportional set size: a page shared by the browser's processes counts once
in total, not once per process); where the kernel does not report PSS, RSS (an overestimate, so the
limit trips early rather than late).  Past ``render_memory_limit`` the crawl closes cleanly (reason
``browser_memory_exceeded``): WARC files closed, manifest written.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import psutil
from scrapy import Spider, signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

CHECK_INTERVAL = 2.0


def tree_memory(process: psutil.Process | None = None) -> int:
    """Bytes of memory used by ``process`` (default: this one) and all its descendants."""
    root = process or psutil.Process()
    total = 0
    for proc in [root, *root.children(recursive=True)]:
        try:
            try:
                total += int(proc.memory_full_info().pss)
            except (AttributeError, psutil.AccessDenied):
                total += int(proc.memory_info().rss)
        except psutil.NoSuchProcess:  # ended between listing and reading
            continue
    return total


class BrowserMemoryLimit:
    def __init__(self, crawler: Crawler, limit: int) -> None:
        self.crawler = crawler
        self.limit = limit
        self.peak = 0
        self._loop = task.LoopingCall(self.check)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BrowserMemoryLimit:
        limit = crawler.settings.getint("SPILLWATCH_RENDER_MEMORY_LIMIT")
        if crawler.settings.get("SPILLWATCH_RENDER", "plain") == "plain" or limit <= 0:
            raise NotConfigured("not a rendering crawl: no browser memory limit")
        ext = cls(crawler, limit)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self._loop.start(CHECK_INTERVAL, now=False)

    def spider_closed(self, spider: Spider, reason: str = "") -> None:
        if self._loop.running:
            self._loop.stop()
        assert self.crawler.stats is not None
        self.crawler.stats.set_value("spillwatch/browser_memory_peak", self.peak)

    def check(self) -> None:
        used = tree_memory()
        self.peak = max(self.peak, used)
        if used <= self.limit:
            return
        logger.error("the crawl and its browser use %d MiB, more than render_memory_limit (%d MiB); closing the "
                     "crawl cleanly. Raise render_memory_limit or lower render_pages", used >> 20, self.limit >> 20)
        self._loop.stop()
        assert self.crawler.engine is not None
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="browser_memory_exceeded"))
