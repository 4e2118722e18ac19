"""Issue 12: a full crawl failed by a full disk is run again once space returns — not at the site's next
scheduled run 6 h later — and the retry survives a restart of the service.  A real `spillwatch run`
process, a real 1.5 MB tmpfs on the site's WARC folder (tests/small_disk.py), the agency site."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path
from typing import Any

from core.catalog import schema as s
from spillwatch.demo.agency_site import AgencySite
from spillwatch.service.loop import wait_for
from tests.alerts.servers import SlackLikeServer
from tests.e2e.test_chaos import ROSTER, big_roster, run_service, slack, write_config  # noqa: F401 (fixtures)
from tests.small_disk import small_disk


def test_a_full_crawl_failed_by_a_full_disk_runs_again_when_space_returns_even_after_a_restart(
        tmp_path: Path, run_service: Any, slack: SlackLikeServer) -> None:  # noqa: F811 (fixtures)
    with AgencySite() as site, small_disk(tmp_path / "data" / "crawls" / "agency" / "warcs", "1500k") as warcs:
        site.publish(ROSTER, big_roster(40_000), "text/csv; charset=utf-8", link_from="/statistics/",
                     link_text="Detainee roster (CSV)")
        # no watch page (the roster is found by the retried full crawl), no admin route
        config = write_config(tmp_path, site, watch=False, admin_route=False, min_free_disk="10KB",
                              crawl_retry_delay="20s", crawl_retry_max_delay="20s", crawl_retry_max_attempts="5")
        service = run_service(config)

        def retries() -> list[dict[str, Any]]:
            return service.rows(s.crawl_retries)

        assert wait_for(lambda: any(r["status"] == "waiting" for r in retries()), 120), \
            service.log.read_text()[-3000:]
        failed = service.rows(s.crawls, s.crawls.c.kind == "full")
        assert [c["status"] for c in failed] == ["failed"] and "No space left on device" in failed[0]["message"]
        row = retries()[0]
        assert row["attempts"] == 1 and row["failed_crawl_id"] == failed[0]["id"]
        _status, metrics = service.get("/metrics")
        assert 'spillwatch_crawl_retries{status="waiting"} 1.0' in metrics
        assert any("failed by a WARC write error; attempt 1" in entry["message"] for entry in service.logs())

        # the service stops before the retry is due; space returns; a new service runs the retry
        service.process.send_signal(signal.SIGTERM)
        assert service.process.wait(timeout=60) == 0
        subprocess.run(["mount", "-o", "remount,size=60m", str(warcs)], check=True)
        again = run_service(config)
        assert wait_for(lambda: any(r["status"] == "done" for r in retries()), 180), again.log.read_text()[-3000:]
        full = again.rows(s.crawls, s.crawls.c.kind == "full")
        assert [c["status"] for c in full] == ["failed", "finished"]  # not the 6 h schedule: the retry
        assert retries()[0]["crawl_id"] == full[1]["id"]
        assert wait_for(lambda: any(f["url"] == site.url(ROSTER) for f in again.rows(s.findings)), 60)
        _status, metrics = again.get("/metrics")
        assert 'spillwatch_crawl_retries{status="done"} 1.0' in metrics
