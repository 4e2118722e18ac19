"""Run crawls: each in a subprocess (``python -m crawler run``) with a hard time limit.

Entry points for the CLI and the service loop:

- :func:`run_crawl` — run a :class:`CrawlJob`; returns its :class:`Manifest`;
- :func:`crawl_site` — a full crawl of a configured site (catalog row, WARCs under
  ``DATA_DIR/crawls/<site id>/warcs``);
- :func:`fetch_urls` — fetch a given list of URLs of a site now (watch-page bursts);
- :func:`crawl_adhoc` — ``spillwatch crawl --url URL --out DIR``, no config needed.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from core.config import Config
from core.settings import Settings
from crawler.job import CATALOG_URL_ENV, CrawlJob, job_adhoc, job_for_site, job_for_urls
from crawler.lifetime import PARENT_PID_ENV
from crawler.manifest import Manifest
from crawler.progress import COUNTERS
from crawler.repair import crawl_is_running, repair_open_files

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[dict[str, Any]], None]
TERMINATE_GRACE = 20.0  # seconds between SIGTERM (Scrapy closes cleanly) and SIGKILL


def site_out_dir(settings: Settings, site_id: str) -> Path:
    return settings.data_path / "crawls" / site_id


def run_crawl(job: CrawlJob, *, catalog: Engine | None = None, on_progress: ProgressCallback | None = None,
              python: str = sys.executable, grace: float = TERMINATE_GRACE,
              crawl_id: int | None = None, stop: threading.Event | None = None) -> Manifest:
    """Run ``job`` in a subprocess, at most ``job.time_limit`` seconds (then SIGTERM, then SIGKILL).

    Before and after, ``*.warc.gz.open`` files of crawls that are not running are repaired.  The
    manifest is written to ``<out>/manifests/<name>.json`` and, with a ``catalog``, to a ``crawls`` row
    (and one ``warc_files`` row per file, status ``pending``, for the indexer)."""
    out = job.out_path
    for folder in (job.warc_dir, job.manifest_path.parent, job.log_path.parent, job.lock_path.parent):
        folder.mkdir(parents=True, exist_ok=True)
    leftovers = repair_open_files(job.warc_dir, job.lock_path.parent)
    manifest = Manifest(crawl=job.name, site_id=job.site_id, kind=job.kind, started_at=_now(),
                        seeds=list(job.seeds), log_file=str(job.log_path),
                        manifest_file=str(job.manifest_path))
    manifest.repaired = [str(r.path) for r in leftovers if not r.deleted]
    if catalog is not None:
        _close_abandoned_crawls(catalog, job)
        # a crawl requested through the catalog's queue (scheduler, "crawl now") keeps its row
        manifest.crawl_id = (_claim_crawl(catalog, manifest, crawl_id) if crawl_id is not None
                             else _insert_crawl(catalog, manifest))
    job_file = out / "manifests" / f"{job.name}.job.json"
    job_file.write_text(replace(job, catalog_url=None).to_json(), encoding="utf-8")
    env = {**os.environ, "PYTHONUNBUFFERED": "1", PARENT_PID_ENV: str(os.getpid())}  # crawler/lifetime.py
    if job.catalog_url:
        env[CATALOG_URL_ENV] = job.catalog_url
    last: dict[str, Any] = {}
    with open(job.log_path, "ab") as log:
        process = subprocess.Popen(
            [python, "-m", "crawler", "run", "--job", str(job_file)],
            stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL, text=True,
            env=env,
        )
        reader = threading.Thread(target=_read_progress, args=(process.stdout, last, on_progress),
                                  name=f"progress-{job.name}", daemon=True)
        reader.start()
        status, reason = _wait(process, job.time_limit, grace, stop)
        reader.join(timeout=5)
    if status == "finished" and last.get("event") != "finished":
        status, reason = "failed", "crawl process ended without a summary; see the log"
    if status == "finished":
        reason = str(last.get("reason", "finished"))
        if reason == "closespider_timeout":  # the crawl's own soft limit, just before the hard one
            status, reason = "killed", f"time limit of {job.time_limit:.0f} s reached; stopped cleanly"
    if last.get("warc_write_error"):  # whatever Scrapy's reason: what was fetched is not all archived
        status = "failed"
        lost = list(last.get("not_archived") or [])
        reason = (f"{last['warc_write_error']}; {len(lost)} fetched URL(s) not archived; free space (see "
                  "min_free_disk) and they are fetched again")
        manifest.not_archived = lost
        logger.error("crawl %s failed: %s", job.name, reason)
    repaired = repair_open_files(job.warc_dir, job.lock_path.parent, prefix=job.name)
    manifest.repaired += [str(r.path) for r in repaired if not r.deleted]
    manifest.status = status
    manifest.reason = reason
    manifest.finished_at = _now()
    for name in COUNTERS:
        setattr(manifest, name, int(last.get(name, 0)))
    manifest.seconds = float(last.get("seconds", 0.0))
    manifest.warc_files = [str(p) for p in sorted(job.warc_dir.glob(f"{job.name}-*.warc.gz"))]
    try:
        manifest.write(job.manifest_path)
    except OSError as exc:  # a full disk: the catalog row below still says what happened
        logger.error("cannot write the manifest %s: %s", job.manifest_path, exc)
    if catalog is not None:
        _finish_crawl(catalog, manifest)
    job_file.unlink(missing_ok=True)
    logger.info("crawl %s %s: %d pages, %d bytes, %d errors, %d WARC files", job.name, status,
                manifest.pages, manifest.bytes, manifest.errors, len(manifest.warc_files))
    return manifest


def crawl_site(config: Config, site_id: str, *, catalog: Engine | None = None,
               on_progress: ProgressCallback | None = None, crawl_id: int | None = None,
               stop: threading.Event | None = None, **overrides: Any) -> Manifest:
    """Full crawl of a configured site; ``overrides`` set :class:`CrawlJob` fields (e.g. max_pages)."""
    from core.catalog import open_catalog

    site = config.site(site_id)
    engine = catalog if catalog is not None else open_catalog(config.settings)
    job = job_for_site(site, config.settings, site_out_dir(config.settings, site_id),
                       catalog_url=_url(engine))
    for name, value in overrides.items():
        setattr(job, name, value)
    return run_crawl(job, catalog=engine, on_progress=on_progress, crawl_id=crawl_id, stop=stop)


def fetch_urls(config: Config, site_id: str, urls: list[str], *, catalog: Engine | None = None,
               on_progress: ProgressCallback | None = None, crawl_id: int | None = None,
               stop: threading.Event | None = None) -> Manifest:
    """Fetch exactly ``urls`` (depth 0) with the site's policy: for watch-page bursts."""
    from core.catalog import open_catalog

    site = config.site(site_id)
    engine = catalog if catalog is not None else open_catalog(config.settings)
    job = job_for_urls(site, urls, config.settings, site_out_dir(config.settings, site_id),
                       catalog_url=_url(engine))
    return run_crawl(job, catalog=engine, on_progress=on_progress, crawl_id=crawl_id, stop=stop)


def crawl_adhoc(url: str, out_dir: Path, settings: Settings, *, max_pages: int = 10_000,
                allow_private: bool = False, on_progress: ProgressCallback | None = None,
                **overrides: Any) -> Manifest:
    """Crawl from one URL into ``out_dir`` (WARCs, manifest, dedup state); no config, no catalog."""
    job = job_adhoc(url, out_dir, settings, max_pages=max_pages, allow_private=allow_private)
    for name, value in overrides.items():
        setattr(job, name, value)
    return run_crawl(job, on_progress=on_progress)


# -- subprocess -----------------------------------------------------------------------------------

def _wait(process: subprocess.Popen[str], time_limit: float, grace: float,
          stop: threading.Event | None = None) -> tuple[str, str]:
    deadline = time.monotonic() + time_limit
    code: int | None = None
    while code is None and time.monotonic() < deadline and not (stop is not None and stop.is_set()):
        try:
            code = process.wait(timeout=min(0.5, max(0.0, deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            continue
        except KeyboardInterrupt:
            # Ctrl-C reached the crawl process too (same process group): Scrapy closes cleanly
            logger.warning("interrupted; waiting up to %.0f s for the crawl to close its files", grace)
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            return "killed", "interrupted"
    if code is None and stop is not None and stop.is_set():
        logger.info("service stopping: asking the crawl to close its WARC files")
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace)
            return "killed", "stopped by the service (SIGTERM); WARC files closed"
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            return "killed", "stopped by the service; killed after the grace period"
    if code is None:
        logger.warning("crawl reached its time limit (%.0f s); stopping it", time_limit)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace)
            return "killed", f"time limit of {time_limit:.0f} s reached; stopped"
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            return "killed", f"time limit of {time_limit:.0f} s reached; killed"
    if code == 0:
        return "finished", ""
    if code < 0:
        return "killed", f"crawl process killed by signal {-code}"
    return "failed", f"crawl process exited with code {code}; see the log"


def _read_progress(stream: IO[str] | None, last: dict[str, Any], on_progress: ProgressCallback | None) -> None:
    if stream is None:
        return
    for line in stream:
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            event = json.loads(line)
        except ValueError:
            continue
        last.clear()
        last.update(event)
        if on_progress is not None:
            on_progress(event)


# -- catalog --------------------------------------------------------------------------------------

def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _insert_crawl(catalog: Engine, manifest: Manifest) -> int:
    from core.catalog.schema import crawls

    with catalog.begin() as connection:
        result = connection.execute(insert(crawls).values(
            site_id=manifest.site_id, kind=manifest.kind, status="running",
            started_at=datetime.fromisoformat(manifest.started_at), pages=0, bytes=0, errors=0,
            warc_files=[], manifest_path=manifest.manifest_file, message=""))
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])


def _claim_crawl(catalog: Engine, manifest: Manifest, crawl_id: int) -> int:
    from core.catalog.schema import crawls

    with catalog.begin() as connection:
        connection.execute(update(crawls).where(crawls.c.id == crawl_id).values(
            site_id=manifest.site_id, kind=manifest.kind, status="running",
            started_at=datetime.fromisoformat(manifest.started_at), manifest_path=manifest.manifest_file))
    return crawl_id


def _close_abandoned_crawls(catalog: Engine, job: CrawlJob) -> None:
    """Rows still ``running`` for crawls of this folder whose process is gone (the service itself was
    killed mid-crawl): mark them ``failed``; their WARC files have just been repaired."""
    from core.catalog.schema import crawls

    with catalog.begin() as connection:
        rows = connection.execute(select(crawls.c.id, crawls.c.manifest_path).where(
            crawls.c.status == "running", crawls.c.site_id == job.site_id)).all()
        for crawl_id, manifest_path in rows:
            if not manifest_path or Path(manifest_path).parent != job.manifest_path.parent:
                continue
            name = Path(manifest_path).name.removesuffix(".json")
            if crawl_is_running(job.lock_path.parent / f"{name}.lock"):
                continue
            connection.execute(update(crawls).where(crawls.c.id == crawl_id).values(
                status="failed", finished_at=datetime.now(UTC),
                message="crawl process ended without finishing (crash or kill); WARC files repaired"))
            logger.warning("crawl %s (catalog id %d) was abandoned; marked failed", name, crawl_id)


def _finish_crawl(catalog: Engine, manifest: Manifest) -> None:
    from core.catalog.schema import crawls, warc_files

    assert manifest.crawl_id is not None
    with catalog.begin() as connection:
        connection.execute(update(crawls).where(crawls.c.id == manifest.crawl_id).values(
            status=manifest.status, finished_at=datetime.fromisoformat(manifest.finished_at or _now()),
            pages=manifest.pages, bytes=manifest.bytes, errors=manifest.errors,
            warc_files=manifest.warc_files, manifest_path=manifest.manifest_file, message=manifest.reason))
        known = set(connection.execute(select(warc_files.c.path).where(
            warc_files.c.path.in_(manifest.warc_files + manifest.repaired))).scalars())
        for path in manifest.warc_files + [p for p in manifest.repaired if p not in manifest.warc_files]:
            if path in known or not Path(path).exists():
                continue
            connection.execute(insert(warc_files).values(
                path=path, size=Path(path).stat().st_size, crawl_id=manifest.crawl_id, status="pending",
                resume_offset=0, records=0, errors=[]))
            known.add(path)
