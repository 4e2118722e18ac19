"""`spillwatch jobs [--failed] [retry ID]` and `spillwatch worker`'s refusals, as real processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from core.catalog.db import create_catalog_engine, upgrade
from spillwatch.jobs import tasks
from tests.scale.conftest import ScaleSetup


def spillwatch(setup: ScaleSetup, config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "spillwatch", "--config", str(config), *args], capture_output=True,
                          text=True, timeout=120, env={**os.environ, **setup.environ})


def test_jobs_lists_and_retries_a_failed_job(scale_setup: ScaleSetup, tmp_path: Path) -> None:
    config = scale_setup.write_config(tmp_path / "spillwatch.yml")
    engine = create_catalog_engine(scale_setup.database_url)
    upgrade(engine)
    app = tasks.build_app(scale_setup.config.settings)
    with app.open():
        assert tasks.defer_index(app, "/data/crawls/north/warcs/a.warc.gz")
        assert not tasks.defer_index(app, "/data/crawls/north/warcs/a.warc.gz")  # its queueing lock
        assert tasks.defer_dispatch(app)
    with engine.begin() as conn:  # the index job failed after its last attempt
        job_id = conn.execute(text("UPDATE procrastinate_jobs SET status = 'failed', attempts = 5 "
                                   "WHERE task_name = :t RETURNING id"), {"t": tasks.INDEX}).scalar_one()
    listed = spillwatch(scale_setup, config, "jobs")
    assert listed.returncode == 0, listed.stderr
    assert "spillwatch.index" in listed.stdout and "spillwatch.dispatch" in listed.stdout
    failed = spillwatch(scale_setup, config, "jobs", "--failed")
    assert "spillwatch.index" in failed.stdout and "spillwatch.dispatch" not in failed.stdout
    with engine.connect() as conn:
        dispatch_id = conn.execute(text("SELECT id FROM procrastinate_jobs WHERE task_name = :t"),
                                   {"t": tasks.DISPATCH}).scalar_one()
    refused = spillwatch(scale_setup, config, "jobs", "retry", str(dispatch_id))
    assert refused.returncode == 2 and "not failed" in refused.stderr
    retried = spillwatch(scale_setup, config, "jobs", "retry", str(job_id))
    assert retried.returncode == 0, retried.stderr
    with engine.connect() as conn:
        assert conn.execute(text("SELECT status::text FROM procrastinate_jobs WHERE id = :i"), {"i": job_id}) \
            .scalar_one() == "todo"
    engine.dispose()


def test_worker_needs_the_procrastinate_queue_and_known_queues(scale_setup: ScaleSetup, tmp_path: Path) -> None:
    config = scale_setup.write_config(tmp_path / "spillwatch.yml")
    unknown = spillwatch(scale_setup, config, "worker", "--queues", "crawl,mail")
    assert unknown.returncode == 2 and "unknown queue(s) mail" in unknown.stderr
    embedded = config.read_text().replace('queue: "procrastinate"', 'queue: "embedded"')
    (tmp_path / "embedded.yml").write_text(embedded)
    refused = spillwatch(scale_setup, tmp_path / "embedded.yml", "worker")
    assert refused.returncode == 2 and "set queue: procrastinate" in refused.stderr
