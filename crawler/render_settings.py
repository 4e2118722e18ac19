"""Scrapy settings of a rendering crawl: scrapy-playwright with Debian's chromium, one browser, a small
page pool, limits (docs/crawler.md "Rendered crawling").  No Playwright import here: plain crawls never
load the browser's libraries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.job import CrawlJob

CONTEXT = "spillwatch"
CHROMIUM_ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    "--dns-prefetch-disable", "--disable-features=NetworkPrediction",
    # WebRTC: no UDP outside a proxy (there is none), so no ICE candidates reach anything
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp", "--webrtc-ip-handling-policy=disable_non_proxied_udp",
)


def render_settings(job: CrawlJob) -> dict[str, Any]:
    """Scrapy settings that bring in scrapy-playwright for a rendering crawl (none for plain crawls)."""
    if job.render == "plain":
        return {}
    handler = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
    return {
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        # requests without meta["playwright"] go through Scrapy's own HTTP handler, as in a plain crawl
        "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": job.chromium_path, "headless": True,
                                      "args": list(CHROMIUM_ARGS), "timeout": 60_000},
        "PLAYWRIGHT_CONTEXTS": {CONTEXT: {
            "service_workers": "block", "accept_downloads": False, "user_agent": job.user_agent,
            "viewport": {"width": 1280, "height": 800}, "java_script_enabled": True,
        }},
        "PLAYWRIGHT_MAX_CONTEXTS": 1,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": max(1, job.render_pages),
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": job.render_page_timeout * 1000,
        # our route handler (RenderSession._route) takes every request; one reaching scrapy-playwright's
        # handler means it was not installed: refused (fail closed)
        "PLAYWRIGHT_ABORT_REQUEST": "crawler.browser_guard.refuse_unguarded",
        "PLAYWRIGHT_PROCESS_REQUEST_HEADERS": None,  # the browser's own headers, as a visitor sends them
        "SPILLWATCH_RENDER_MEMORY_LIMIT": job.render_memory_limit,
    }


def render_extensions(job: CrawlJob) -> dict[str, int | None]:
    """The memory limit of the crawl process and its browser together (crawler/browser_memory.py)."""
    if job.render == "plain":
        return {}
    return {"crawler.browser_memory.BrowserMemoryLimit": 150}
