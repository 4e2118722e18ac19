"""`spillwatch run` as a real process: schedules in the catalog, SIGTERM, restart, JSON logs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import OperationalError

from core.catalog import schema as s
from core.catalog.db import create_catalog_engine
from core.config import load_config
from spillwatch.demo.agency_site import AgencySite
from spillwatch.service.loop import Service, wait_for
from tests.services.procs import free_port


@pytest.fixture
def site() -> Iterator[AgencySite]:
    with AgencySite(test_routes=True, slow_seconds=8.0) as agency:
        yield agency


def write_config(tmp_path: Path, base_url: str, *, schedule: str = "interval: 1h",
                 seeds: str | None = None) -> Path:
    path = tmp_path / "spillwatch.yml"
    path.write_text(f"""\
settings:
  data_dir: {tmp_path / 'data'}
  allow_private_addresses: true
  download_delay: 0
  log_json: true
  web_port: {free_port()}
  replay_port: {free_port()}
sites:
  - id: agency
    seeds: [{seeds or base_url + '/'}]
    allow_private_addresses: true
    obey_robots: false
    schedule: {{{schedule}}}
    watch_pages:
      - url: {base_url}/statistics/
        interval: 1h
""")
    return path


def start_run(config: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "spillwatch", "--config", str(config), "run", "--no-ui"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})


def test_schedules_live_in_the_catalog_and_follow_the_config(tmp_path: Path, site: AgencySite) -> None:
    path = write_config(tmp_path, site.base_url, schedule='cron: "0 3 * * *"')
    config = load_config(path, {}, {})
    service = Service(config, serve_http=False)
    service.start()
    try:
        with service.engine.connect() as conn:
            jobs = list(conn.exec_driver_sql("SELECT id FROM apscheduler_jobs ORDER BY id").scalars())
        assert jobs == ["crawl:agency", f"watch:agency:{site.base_url}/statistics/"]
        assert "hour='3'" in str(service.scheduler.get_job("crawl:agency").trigger)
    finally:
        service.stop()
        service.wait()
    # the site loses its schedule: its stored job goes on the next start
    path.write_text(path.read_text().replace('    schedule: {cron: "0 3 * * *"}\n', ""))
    service = Service(load_config(path, {}, {}), serve_http=False)
    service.start()
    try:
        assert [j.id for j in service.scheduler.get_jobs()] == [f"watch:agency:{site.base_url}/statistics/"]
    finally:
        service.stop()
        service.wait()


def test_sigterm_closes_warc_files_and_a_restart_resumes(tmp_path: Path, site: AgencySite) -> None:
    # the slow route keeps the crawl busy long enough to be interrupted
    path = write_config(tmp_path, site.base_url, seeds=f"{site.base_url}/slow/, {site.base_url}/")
    process = start_run(path)
    try:
        engine = create_catalog_engine(f"sqlite:///{tmp_path / 'data' / 'catalog.sqlite3'}")

        def crawling() -> bool:
            try:
                with engine.connect() as conn:
                    return conn.execute(select(s.crawls.c.id).where(s.crawls.c.status == "running")).first() \
                        is not None
            except OperationalError:  # the catalog does not exist yet while the service starts
                return False

        warc_dir = tmp_path / "data" / "crawls" / "agency" / "warcs"
        assert wait_for(crawling, 60), "no crawl started"
        assert wait_for(lambda: any(warc_dir.glob("*.warc.gz.open")), 30), "the crawl wrote no WARC file"
        time.sleep(0.5)  # records are being written; the slow page is still downloading
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err[-2000:]
    logs = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert logs and all({"time", "level", "logger", "message"} <= set(entry) for entry in logs)
    assert any("SIGTERM" in entry["message"] for entry in logs)
    warcs = list(warc_dir.glob("*"))
    assert warcs and not [w for w in warcs if w.name.endswith(".open")]
    for warc in warcs:
        check = subprocess.run([str(Path(sys.executable).with_name("warcio")), "check", str(warc)],
                               capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    with engine.connect() as conn:
        statuses = conn.execute(select(s.crawls.c.status)).scalars().all()
        leases = conn.execute(select(s.service_leases)).all()
    assert "running" not in statuses and not leases
    # pending work left behind: a WARC file nobody indexed yet and an undelivered alert
    with engine.begin() as conn:
        conn.execute(s.warc_files.update().values(status="pending", resume_offset=0))
        conn.execute(insert(s.crawls).values(site_id="agency", kind="full", status="queued",
                                             started_at=datetime.now(UTC), warc_files=[],
                                             message=json.dumps({"seeds": [site.base_url + "/"]})))
    service = Service(load_config(path, {}, {}), serve_http=False, poll_interval=0.2)
    service.start()
    try:
        def resumed() -> bool:
            with engine.connect() as conn:
                pending = conn.execute(select(s.warc_files.c.id).where(s.warc_files.c.status == "pending")).first()
                queued = conn.execute(select(s.crawls.c.id).where(s.crawls.c.status.in_(("queued", "running")))
                                      ).first()
            return pending is None and queued is None

        assert wait_for(resumed, 120), "pending WARC files or the queued crawl were not resumed"
        with engine.connect() as conn:
            assert conn.execute(select(s.captures.c.id)).first() is not None
    finally:
        service.stop()
        service.wait()
        engine.dispose()
