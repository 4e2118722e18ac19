"""Scrapy settings for a :class:`crawler.job.CrawlJob`: the one place a crawl's knobs are set."""

from __future__ import annotations

from typing import Any

from crawler.job import CrawlJob
from crawler.render_settings import render_extensions, render_settings


def scrapy_settings(job: CrawlJob) -> dict[str, Any]:
    settings = _settings(job)
    settings.update(render_settings(job))  # scrapy-playwright, for sites with render: browser / auto
    settings["EXTENSIONS"].update(render_extensions(job))
    return settings


def _settings(job: CrawlJob) -> dict[str, Any]:
    return {
        "BOT_NAME": "spillwatch",
        "USER_AGENT": job.user_agent,
        "ROBOTSTXT_OBEY": job.obey_robots,
        "ROBOTSTXT_USER_AGENT": "Spillwatch",
        # politeness
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": job.concurrent_per_host,
        "DOWNLOAD_DELAY": job.download_delay,
        "DOWNLOAD_DELAY_JITTER": 0.5 if job.download_delay > 0 else 0,
        "AUTOTHROTTLE_ENABLED": job.autothrottle,
        "AUTOTHROTTLE_START_DELAY": job.download_delay,
        "AUTOTHROTTLE_MAX_DELAY": max(60.0, job.download_delay),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(job.concurrent_per_host),
        # limits
        "DOWNLOAD_TIMEOUT": job.download_timeout,
        "DOWNLOAD_MAXSIZE": 0,  # crawler.limits keeps the first max_response_size bytes instead
        "DOWNLOAD_WARNSIZE": 0,
        "URLLENGTH_LIMIT": job.max_url_length,
        "REDIRECT_MAX_TIMES": 10,
        "RETRY_TIMES": 1,
        # soft limit: close cleanly just before crawler.run's hard limit kills the process
        "CLOSESPIDER_TIMEOUT": max(job.time_limit - 30.0, job.time_limit * 0.8),
        # breadth-first, so max_pages keeps the pages nearest the seeds
        "DEPTH_LIMIT": 0,
        "DEPTH_PRIORITY": 1,
        "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
        "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
        # every status reaches the spider (errors are counted there; 304s are crawled through)
        "HTTPERROR_ALLOW_ALL": True,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": job.log_level,
        "TWISTED_DNS_RESOLVER": "crawler.egress.GuardedResolver",
        "DOWNLOADER_MIDDLEWARES": {
            "crawler.egress.EgressMiddleware": 10,
            "crawler.dedup.ConditionalRequestMiddleware": 420,
            "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
            "crawler.limits.BoundedDecompressionMiddleware": 590,
            # a proxy would bypass the pinned, checked addresses of the egress guard
            "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware": None,
        },
        "EXTENSIONS": {
            "crawler.limits.ResponseSizeLimit": 100,
            "crawler.warc_writer.WarcWriterExtension": 200,
            "crawler.progress.ProgressReporter": 300,
        },
        # read by crawler components (Scrapy style: components build themselves from settings)
        "SPILLWATCH_CRAWL_NAME": job.name,
        "SPILLWATCH_SITE_ID": job.site_id or "",
        "SPILLWATCH_ALLOW_PRIVATE": job.allow_private,
        "SPILLWATCH_SCOPE_HOSTS": job.scope_hosts,
        "SPILLWATCH_MAX_RESPONSE_SIZE": job.max_response_size,
        "SPILLWATCH_WARC_ENABLED": job.write_warc,
        "SPILLWATCH_WARC_DIR": str(job.warc_dir),
        "SPILLWATCH_WARC_ROTATE_SIZE": job.warc_rotate_size,
        "SPILLWATCH_PROGRESS_INTERVAL": job.progress_interval,
        "SPILLWATCH_RENDER": job.render,
    }
