"""Time from a finding's commit to its delivery on local servers (not a test: prints figures).

The finding is committed with its ``new`` event, as the indexer does; the dispatcher plans the event
into a delivery (alerts.planner) and sends it, as in the service.

    .venv/bin/python -m bench.alert_latency   (from the repository root)

For each notifier (Slack-like HTTP server, aiosmtpd): the dispatcher runs in ``run_forever``; a
finding and its deliveries are committed; the clock stops when the server has the message.  With
``wake()`` after the commit (what the service does) and without (waiting for the next poll).
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime

from alerts.dispatcher import Dispatcher
from core.catalog import open_catalog
from core.config import Alerts, Channel, Config, Route
from core.settings import resolve
from indexer.findings_store import record_event
from tests.alerts.rows import insert_finding, insert_site, people
from tests.alerts.servers import SlackLikeServer, SmtpServer


def measure(kind: str, wake: bool, count: int, poll: str = "5s") -> list[float]:
    slack, smtp = SlackLikeServer().start(), SmtpServer().start()
    settings = resolve({"data_dir": tempfile.mkdtemp(prefix="sw-latency-"), "allow_private_addresses": True,
                        "smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_security": "none",
                        "alert_poll_interval": poll}, {}, {})
    channel = (Channel(name="c", kind="email", to=["alerts@ngo.example"], rate_limit_per_minute=1000)
               if kind == "email" else Channel(name="c", kind=kind, url_env="URL", rate_limit_per_minute=1000))
    config = Config(settings=settings, alerts=Alerts(channels=[channel], routes=[Route(name="r", channels=["c"])]))
    engine = open_catalog(settings)
    with engine.begin() as conn:
        insert_site(conn)
    dispatcher = Dispatcher(engine, config, environ={"URL": slack.url})
    stop = threading.Event()
    thread = threading.Thread(target=dispatcher.run_forever, args=(stop,))
    thread.start()
    crowd, latencies = people(4), []
    try:
        for number in range(count):
            time.sleep(0.37)  # some phase against the poll loop
            with engine.begin() as conn:
                record_event(conn, insert_finding(conn, crowd, number=number), "new", datetime.now(UTC))
            committed = time.monotonic()
            if wake:
                dispatcher.wake()
            if kind == "email":
                while len(smtp.messages) <= number:
                    time.sleep(0.001)
                latencies.append(time.monotonic() - committed)
            else:
                slack.wait_for(number + 1, 30)
                latencies.append(slack.received[number].at - committed)
    finally:
        stop.set()
        thread.join()
        slack.stop()
        smtp.stop()
        engine.dispose()
    return sorted(latencies)


def main() -> None:
    for kind in ("slack", "email"):
        for wake, count in ((True, 50), (False, 20)):
            lat = measure(kind, wake, count)
            median, p95 = statistics.median(lat) * 1000, lat[int(0.95 * (count - 1))] * 1000
            print(f"{kind:6} {'wake()' if wake else 'poll 5s':8} n={count:3}  median {median:6.0f} ms"
                  f"  p95 {p95:6.0f} ms  max {max(lat) * 1000:6.0f} ms")


if __name__ == "__main__":
    main()
