"""The service never exits because one worker died (issue 12 item 1): the worker is restarted, the
service says it is degraded and why, and stopping still works when the lease cannot be released."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from core.config import load_config
from spillwatch.demo.agency_site import AgencySite
from spillwatch.service import loop
from spillwatch.service.loop import Service, wait_for
from tests.e2e.test_service import write_config


def test_a_crashed_worker_is_restarted_and_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(loop, "RESTART_DELAY", 0.2)
    with AgencySite() as site:
        service = Service(load_config(write_config(tmp_path, site.base_url), {}, {}), serve_http=False,
                          poll_interval=0.1)
        calls = {"n": 0}

        def crash_once(*_args: Any) -> bool:
            calls["n"] += 1
            if calls["n"] == 1:
                raise RuntimeError("a bug in the fetch worker")
            return False

        monkeypatch.setattr(service.bursts, "fetch_due", crash_once)
        monkeypatch.setattr(service, "_next_queued", lambda: None)
        service.start()
        try:
            assert wait_for(lambda: calls["n"] >= 3, 20), "the crawl worker was not restarted"
            assert "crawl-worker" in service.state.degraded
            assert "RuntimeError" in service.state.degraded["crawl-worker"]
            assert not service.stop_event.is_set()
            assert all(thread.is_alive() for thread in service.threads)
        finally:
            def release() -> None:
                raise OperationalError("DELETE FROM service_leases", {}, Exception("database or disk is full"))

            monkeypatch.setattr(service.lease, "release", release)
            service.stop()
            with caplog.at_level(logging.ERROR, logger="spillwatch.service"):
                service.wait()  # does not raise: the lease expires by itself
    assert any("cannot release the scheduler lease" in r.getMessage() for r in caplog.records)


def test_an_admin_route_that_does_not_exist_is_a_config_error(tmp_path: Path) -> None:
    from core.errors import ConfigError

    with AgencySite() as site:
        path = write_config(tmp_path, site.base_url)
    path.write_text(path.read_text().replace("settings:\n", "settings:\n  admin_alert_route: ops\n", 1))
    with pytest.raises(ConfigError, match=r"settings.admin_alert_route: no route named 'ops'"):
        load_config(path, {}, {})
