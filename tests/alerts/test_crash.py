"""A dispatcher killed with SIGKILL between sending and recording resumes without losing a delivery
and without duplicating one beyond the documented guarantee (at most one extra copy per crash)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import yaml
from sqlalchemy import select

from alerts.incident_alerts import enqueue_for_finding
from core.catalog import open_catalog
from core.catalog.schema import deliveries
from core.config import load_config
from tests.alerts.rows import incident_of, insert_finding, insert_site

ROOT = Path(__file__).resolve().parents[2]
FINDINGS = 10


def _write_config(tmp_path: Path) -> Path:
    config = {
        "settings": {"data_dir": str(tmp_path / "data"), "allow_private_addresses": True,
                     "alert_timeout": "1s", "alert_poll_interval": "0.1s", "alert_retry_delay": "0.05s",
                     "alert_retry_max_delay": "0.2s", "base_url": "https://spillwatch.ngo.example"},
        "sites": [{"id": "ice", "name": "ICE detention statistics", "seeds": ["https://www.ice.gov/"]}],
        "alerts": {"channels": [{"name": "ngo-slack", "kind": "slack", "url_env": "NGO_SLACK_URL",
                                 "rate_limit_per_minute": 1000}],
                   "routes": [{"name": "urgent", "channels": ["ngo-slack"]}]},
    }
    path = tmp_path / "spillwatch.yml"
    path.write_text(yaml.safe_dump(config))
    return path


def _dispatcher(config_path: Path, slack_url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "NGO_SLACK_URL": slack_url}
    return subprocess.Popen([sys.executable, "-m", "spillwatch", "--config", str(config_path), "alerts",
                             "dispatch", "--forever"], cwd=ROOT, env=env, stdout=log.open("wb"),
                            stderr=subprocess.STDOUT)


def _statuses(engine) -> Counter[str]:
    with engine.connect() as conn:
        return Counter(r.status for r in conn.execute(select(deliveries.c.status)))


def test_sigkill_between_send_and_record_resends_at_most_once(tmp_path, crowd, slack_server):
    config_path = _write_config(tmp_path)
    config = load_config(config_path, environ={})
    engine = open_catalog(config.settings)
    with engine.begin() as conn:
        insert_site(conn)
        ids = [insert_finding(conn, crowd, number=n) for n in range(FINDINGS)]
        for fid in ids:
            enqueue_for_finding(conn, fid, "new", config)
    # Slack takes the 4th message (it is posted) but the answer never reaches the dispatcher: it dies first.
    slack_server.script = ["ok", "ok", "ok", "hold"]
    first = _dispatcher(config_path, slack_server.url, tmp_path / "first.log")
    try:
        assert slack_server.wait_for(4, timeout=20, posted=True), (tmp_path / "first.log").read_text()
        first.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        first.wait(timeout=5)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == -signal.SIGKILL
    assert _statuses(engine) == {"sent": 3, "sending": 1, "pending": FINDINGS - 4}
    slack_server.release()

    second = _dispatcher(config_path, slack_server.url, tmp_path / "second.log")
    try:
        deadline = time.monotonic() + 20
        while _statuses(engine) != {"sent": FINDINGS} and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _statuses(engine) == {"sent": FINDINGS}, (tmp_path / "second.log").read_text()
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=10)
    assert second.returncode == 0, (tmp_path / "second.log").read_text()

    posts = Counter(p.json["blocks"][-2]["elements"][0]["url"] for p in slack_server.posted)
    links = {f"https://spillwatch.ngo.example/incidents/{incident_of(engine, fid)}" for fid in ids}
    assert set(posts) == links, "a delivery was lost"
    duplicated = [link for link, n in posts.items() if n > 1]
    assert duplicated == [f"https://spillwatch.ngo.example/incidents/{incident_of(engine, ids[3])}"]  # in flight
    assert max(posts.values()) == 2  # at most one extra copy for one crash
    resent = [p.at for p in slack_server.posted if p.json["blocks"][-2]["elements"][0]["url"] == duplicated[0]][1]
    assert resent - killed_at >= 2.5, "resent before the claim's lease (3 x alert_timeout) expired"
    with engine.connect() as conn:
        attempts = {r.finding_id: r.attempts for r in conn.execute(select(deliveries))}
    assert attempts[ids[3]] == 2 and all(attempts[f] == 1 for f in ids if f != ids[3])
