"""Dispatcher behaviour: digests, rate limits, backoff, and bad input that never stops a batch."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from alerts.dispatcher import Dispatcher
from alerts.incident_alerts import enqueue_for_finding
from alerts.notifiers import build_notifier
from alerts.retry import RetryPolicy
from core.catalog.schema import deliveries
from core.config import Channel, Route
from tests.alerts.rows import incident_of, insert_finding
from tests.alerts.servers import free_port

OK = Channel(name="ok-slack", kind="slack", url_env="OK_URL", rate_limit_per_minute=100)


def _states(engine, channel=None):
    query = select(deliveries)
    if channel:
        query = query.where(deliveries.c.channel == channel)
    with engine.connect() as conn:
        return Counter(r.status for r in conn.execute(query))


def _enqueue(engine, config, crowd, count, **finding):
    ids = []
    with engine.begin() as conn:
        for number in range(count):
            fid = insert_finding(conn, crowd, number=number, **finding)
            enqueue_for_finding(conn, fid, "new", config)
            ids.append(fid)
    return ids


def test_hourly_digest_is_one_message_at_the_end_of_the_window(engine, make_config, crowd, slack_server):
    config = make_config([OK], [Route(name="digest", channels=["ok-slack"], mode="hourly")])
    t0 = datetime(2022, 11, 28, 15, 4, tzinfo=UTC)
    with engine.begin() as conn:
        for number in range(3):
            enqueue_for_finding(conn, insert_finding(conn, crowd, number=number), "new", config,
                                now=t0 + timedelta(minutes=number * 10))
    now = [t0 + timedelta(minutes=50)]
    dispatcher = Dispatcher(engine, config, environ={"OK_URL": slack_server.url}, clock=lambda: now[0])
    assert dispatcher.run_once().handled == 0  # 15:54: the window ends at 16:00
    now[0] = datetime(2022, 11, 28, 16, 0, 1, tzinfo=UTC)
    stats = dispatcher.run_once()
    assert (stats.sent, stats.messages) == (3, 1)
    (post,) = slack_server.received
    message = post.json
    assert message["blocks"][0]["text"]["text"] == "Spillwatch hourly digest: 3 findings"
    assert [b["accessory"]["url"] for b in message["blocks"][1:4]] == [
        f"https://spillwatch.ngo.example/incidents/{incident_of(engine, i)}" for i in (1, 2, 3)]
    assert _states(engine) == {"sent": 3}


def test_rate_limit_per_channel(engine, make_config, crowd, slack_server):
    slow = Channel(name="slow-slack", kind="slack", url_env="OK_URL", rate_limit_per_minute=2)
    config = make_config([slow, OK], [Route(name="r", channels=["slow-slack", "ok-slack"])])
    _enqueue(engine, config, crowd, 5)
    stats = Dispatcher(engine, config, environ={"OK_URL": slack_server.url}).run_once()
    assert stats.sent == 7 and stats.rate_limited == 3
    assert _states(engine, "slow-slack") == {"sent": 2, "pending": 3}
    assert _states(engine, "ok-slack") == {"sent": 5}


def test_broken_finding_rows_never_stop_the_batch(engine, make_config, crowd, slack_server):
    config = make_config([OK], [Route(name="r", channels=["ok-slack"])])
    with engine.begin() as conn:
        good1 = insert_finding(conn, crowd, number=1)
        bad_columns = insert_finding(conn, crowd, number=2, columns="person_name,birth_date")
        bad_sample = insert_finding(conn, crowd, number=3, sample={"rows": 3})
        good2 = insert_finding(conn, crowd, number=4)
        for fid in (good1, bad_columns, bad_sample, good2):
            enqueue_for_finding(conn, fid, "new", config)
    stats = Dispatcher(engine, config, environ={"OK_URL": slack_server.url}).run_once()
    assert (stats.sent, stats.dead) == (2, 2)
    with engine.connect() as conn:
        rows = {r.finding_id: r for r in conn.execute(select(deliveries))}
    assert rows[bad_columns].status == "dead"
    assert rows[bad_columns].last_error.startswith(f"finding {bad_columns}: columns is str, expected a list")
    assert f"spillwatch alerts retry {rows[bad_columns].id}" in rows[bad_columns].last_error
    assert rows[bad_sample].status == "dead" and "sample is not a list of rows" in rows[bad_sample].last_error
    assert rows[good1].status == rows[good2].status == "sent"


def test_unreachable_and_unconfigured_channels_only_fail_themselves(engine, make_config, crowd, slack_server):
    closed = f"http://127.0.0.1:{free_port()}/hook"
    channels = [Channel(name="gone-slack", kind="slack", url_env="GONE_URL"),
                Channel(name="mail", kind="email", to=["a@ngo.example"]),
                Channel(name="no-url", kind="slack", url_env="UNSET_URL"),
                OK]
    config = make_config(channels, [Route(name="r", channels=[c.name for c in channels])])
    _enqueue(engine, config, crowd, 3)
    stats = Dispatcher(engine, config, environ={"OK_URL": slack_server.url, "GONE_URL": closed}).run_once()
    assert stats.sent == 3 and stats.failed == 9
    assert _states(engine, "ok-slack") == {"sent": 3}
    with engine.connect() as conn:
        errors = {r.channel: r.last_error for r in conn.execute(select(deliveries))}
    assert "ConnectError" in errors["gone-slack"]
    assert "smtp_host is empty; set SPILLWATCH_SMTP_HOST" in errors["mail"]
    assert "UNSET_URL is empty" in errors["no-url"]


def test_unexpected_notifier_error_is_isolated(engine, make_config, crowd, slack_server):
    config = make_config([OK, Channel(name="buggy", kind="slack", url_env="OK_URL")],
                         [Route(name="r", channels=["buggy", "ok-slack"])])
    _enqueue(engine, config, crowd, 2)

    def factory(channel, settings, environ):
        notifier = build_notifier(channel, settings, environ)
        if channel.name == "buggy":
            def send(message):
                raise KeyError("bug in a notifier")
            notifier.send = send
        return notifier

    stats = Dispatcher(engine, config, environ={"OK_URL": slack_server.url}, notifier_factory=factory).run_once()
    assert stats.sent == 2 and stats.failed == 2 and "unexpected KeyError" in stats.errors[0]


def test_channel_removed_from_config_dead_letters(engine, make_config, crowd, slack_server):
    config = make_config([OK], [Route(name="r", channels=["ok-slack"])])
    _enqueue(engine, config, crowd, 1)
    other = make_config([Channel(name="new", kind="slack")], [Route(name="r", channels=["new"])])
    stats = Dispatcher(engine, other, environ={}).run_once()
    assert stats.dead == 1 and "no longer in the config" in stats.errors[0]


def test_backoff_is_exponential_capped_and_jittered():
    policy = RetryPolicy(base=30, max_delay=3600, max_attempts=8)
    rng = random.Random(1)
    for attempt, ceiling in [(1, 30), (2, 60), (3, 120), (4, 240), (8, 3600), (20, 3600)]:
        delays = [policy.delay(attempt, rng) for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len({round(d, 6) for d in delays}) > 150  # jitter: not in lockstep
    assert not policy.exhausted(7) and policy.exhausted(8)


def test_backoff_is_recorded_in_the_outbox(engine, make_config, crowd):
    closed = f"http://127.0.0.1:{free_port()}/hook"
    config = make_config([OK], [Route(name="r", channels=["ok-slack"])], alert_retry_delay="10s",
                         alert_retry_max_delay="1h")
    _enqueue(engine, config, crowd, 1)
    now = [datetime.now(UTC)]
    dispatcher = Dispatcher(engine, config, environ={"OK_URL": closed}, clock=lambda: now[0])
    waits = []
    for _ in range(3):
        dispatcher.run_once()
        with engine.connect() as conn:
            row = conn.execute(select(deliveries)).one()
        wait = (row.next_attempt_at.replace(tzinfo=UTC) - now[0]).total_seconds()
        waits.append(wait)
        now[0] = now[0] + timedelta(seconds=wait + 0.001)
    assert 5 <= waits[0] <= 10 and 10 <= waits[1] <= 20 and 20 <= waits[2] <= 40
    assert row.attempts == 3 and row.status == "failed"


def test_run_forever_wakes_on_commit_and_stops(engine, make_config, crowd, slack_server):
    config = make_config([OK], [Route(name="r", channels=["ok-slack"])], alert_poll_interval="30s")
    dispatcher = Dispatcher(engine, config, environ={"OK_URL": slack_server.url})
    stop = threading.Event()
    thread = threading.Thread(target=dispatcher.run_forever, args=(stop,), daemon=True)
    thread.start()
    time.sleep(0.2)
    _enqueue(engine, config, crowd, 1)
    committed = time.monotonic()
    dispatcher.wake()
    assert slack_server.wait_for(1, timeout=5)
    latency = slack_server.received[0].at - committed
    assert latency < 1.0, f"delivery took {latency:.3f}s after commit although the dispatcher was woken"
    stop.set()
    thread.join(timeout=2)
    assert not thread.is_alive()


def test_run_forever_survives_a_catalog_error(engine, make_config, crowd, slack_server, caplog):
    from sqlalchemy.exc import OperationalError

    config = make_config([OK], [Route(name="r", channels=["ok-slack"])])
    dispatcher = Dispatcher(engine, config, environ={"OK_URL": slack_server.url})
    real_run_once = dispatcher.run_once
    calls = []

    def flaky_run_once(only_ids=None):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("SELECT …", {}, Exception("database is locked"))
        return real_run_once(only_ids)

    dispatcher.run_once = flaky_run_once
    _enqueue(engine, config, crowd, 1)
    stop = threading.Event()
    thread = threading.Thread(target=dispatcher.run_forever, args=(stop,), daemon=True)
    thread.start()
    assert slack_server.wait_for(1, timeout=5)
    stop.set()
    thread.join(timeout=2)
    assert "catalog error" in caplog.text and len(calls) >= 2


def test_rate_limited_run_forever_does_not_spin(engine, make_config, crowd, slack_server):
    slow = Channel(name="slow-slack", kind="slack", url_env="OK_URL", rate_limit_per_minute=1)
    config = make_config([slow], [Route(name="r", channels=["slow-slack"])], alert_poll_interval="0.5s")
    _enqueue(engine, config, crowd, 3)
    dispatcher = Dispatcher(engine, config, environ={"OK_URL": slack_server.url})
    passes = []
    real_run_once = dispatcher.run_once
    dispatcher.run_once = lambda only_ids=None: passes.append(1) or real_run_once(only_ids)
    stop = threading.Event()
    thread = threading.Thread(target=dispatcher.run_forever, args=(stop,), daemon=True)
    thread.start()
    time.sleep(1.2)
    stop.set()
    thread.join(timeout=2)
    assert len(slack_server.received) == 1  # one a minute
    assert len(passes) <= 4, f"{len(passes)} passes in 1.2s while rate limited: the loop spins"
