"""Progress of a running crawl, one JSON object per line on stdout (read by :mod:`crawler.run`).

``{"event": "progress", "pages": 120, "bytes": 3400000, "errors": 2, ...}`` every
``SPILLWATCH_PROGRESS_INTERVAL`` seconds and ``{"event": "finished", "reason": ..., ...}`` at the end.
"""

from __future__ import annotations

import json
import sys
import time
from typing import TYPE_CHECKING, Any, TextIO

from scrapy import Spider, signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

COUNTERS = {
    "pages": "spillwatch/pages",
    "errors": "spillwatch/errors",
    "bytes": "spillwatch/warc_bytes",
    "records": "spillwatch/warc_records",
    "revisits": "spillwatch/revisits",
    "not_modified": "spillwatch/not_modified",
    "truncated": "spillwatch/truncated",
    "egress_denied": "spillwatch/egress_denied",
    "downloaded_bytes": "downloader/response_bytes",
    "requests": "downloader/request_count",
    "warc_write_errors": "spillwatch/warc_write_errors",
}


def snapshot(stats: Any) -> dict[str, int]:
    return {name: int(stats.get_value(key, 0) or 0) for name, key in COUNTERS.items()}


class ProgressReporter:
    def __init__(self, crawler: Crawler, interval: float, out: TextIO) -> None:
        self.crawler = crawler
        self.interval = interval
        self.out = out
        self.loop: task.LoopingCall | None = None
        self.opened = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressReporter:
        interval = crawler.settings.getfloat("SPILLWATCH_PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured("SPILLWATCH_PROGRESS_INTERVAL is 0: no progress lines")
        ext = cls(crawler, interval, sys.stdout)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def emit(self, event: str, **extra: Any) -> None:
        assert self.crawler.stats is not None
        line = {"event": event, **snapshot(self.crawler.stats), **extra}
        stats = self.crawler.stats
        line["queued"] = int(stats.get_value("scheduler/enqueued", 0) or 0) - int(
            stats.get_value("scheduler/dequeued", 0) or 0)
        write_error = stats.get_value("spillwatch/warc_write_error")
        if write_error:  # why the crawl's WARC files are incomplete, and which URLs were not archived
            line["warc_write_error"] = str(write_error)
            line["not_archived"] = list(stats.get_value("spillwatch/not_archived") or [])
        self.out.write(json.dumps(line) + "\n")
        self.out.flush()

    def spider_opened(self, spider: Spider) -> None:
        self.opened = time.monotonic()
        self.loop = task.LoopingCall(self.emit, "progress")
        self.loop.start(self.interval, now=False)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.emit("finished", reason=reason, seconds=round(time.monotonic() - self.opened, 3))
