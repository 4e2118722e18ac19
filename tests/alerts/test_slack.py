"""Slack notifier against a real local HTTP server answering like Slack's incoming webhook."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from alerts.dispatcher import Dispatcher
from alerts.incident_alerts import enqueue_for_finding
from alerts.render import slack_limits_problems
from core.catalog.schema import deliveries
from core.config import Channel, Route
from tests.alerts.rows import incident_of, insert_finding

SLACK = Channel(name="ngo-slack", kind="slack", url_env="NGO_SLACK_URL", rate_limit_per_minute=100)
ROUTE = Route(name="urgent", channels=["ngo-slack"])


def _setup(engine, make_config, crowd, server, findings=1, **settings):
    config = make_config([SLACK], [ROUTE], **settings)
    ids = []
    with engine.begin() as conn:
        for number in range(findings):
            fid = insert_finding(conn, crowd, number=number)
            enqueue_for_finding(conn, fid, "new", config)
            ids.append(fid)
    dispatcher = Dispatcher(engine, config, environ={"NGO_SLACK_URL": server.url})
    return config, dispatcher, ids


def _drain(dispatcher, timeout=8.0):
    """Run passes until nothing is pending any more (or time is up)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        dispatcher.run_once()
        with dispatcher.engine.connect() as conn:
            states = Counter(r.status for r in conn.execute(deliveries.select()))
        if not states.keys() & {"pending", "failed", "sending"}:
            return states
        time.sleep(0.03)
    return states


def _posts_per_finding(server):
    return Counter(item.json["blocks"][-2]["elements"][0]["url"] for item in server.posted)


def test_200_ok_posts_block_kit_once(engine, make_config, crowd, slack_server):
    _, dispatcher, ids = _setup(engine, make_config, crowd, slack_server)
    stats = dispatcher.run_once()
    assert (stats.sent, stats.failed, stats.messages) == (1, 0, 1)
    assert len(slack_server.received) == 1
    post = slack_server.received[0]
    assert post.path == "/services/T000/B000/XXXX"
    assert post.headers["content-type"].startswith("application/json")
    message = post.json
    assert slack_limits_problems(message) == []
    assert message["text"].startswith("[Spillwatch] CRITICAL: Table of people")
    kinds = [b["type"] for b in message["blocks"]]
    assert kinds == ["header", "section", "section", "section", "actions", "context"]
    assert message["blocks"][0]["text"] == {"type": "plain_text", "emoji": True,
                                             "text": "CRITICAL: Table of people"}
    summary = message["blocks"][1]["text"]["text"]
    assert "*6,252 records*" in summary and "F***_d*************_*.xlsx" in summary
    assert "*ICE detention statistics*" in summary
    fields = {f["text"].split("\n")[0]: f["text"].split("\n")[1] for f in message["blocks"][2]["fields"]}
    assert fields["*Column types*"] == "person_name, birth_date, gov_id, nationality, detention_facility"
    assert fields["*Where in file*"] == "sheet 'Sheet2' (hidden)"
    assert fields["*Page*"].startswith("<https://www.ice.gov/d*****/d********-m*********|")
    button = message["blocks"][4]["elements"][0]
    assert button["type"] == "button" and button["text"]["text"] == "Open incident"
    assert button["url"] == f"https://spillwatch.ngo.example/incidents/{incident_of(engine, ids[0])}"
    assert "Masked sample" in message["blocks"][3]["text"]["text"]
    # a second pass sends nothing: the delivery is recorded as sent
    assert dispatcher.run_once().handled == 0
    assert len(slack_server.received) == 1


def test_429_waits_retry_after_then_posts(engine, make_config, crowd, slack_server):
    slack_server.script = [("429", 1)]
    _, dispatcher, _ = _setup(engine, make_config, crowd, slack_server)
    first = dispatcher.run_once()
    assert first.deferred == 1 and first.sent == 0
    with engine.connect() as conn:
        row = conn.execute(deliveries.select()).one()
    assert row.status == "pending" and row.attempts == 0  # a 429 is not a failed attempt
    assert "retry after 1s" in row.last_error
    assert dispatcher.run_once().handled == 0  # not before Retry-After has passed
    states = _drain(dispatcher)
    assert states == {"sent": 1}
    assert len(slack_server.received) == 2
    gap = slack_server.received[1].at - slack_server.received[0].at
    assert gap >= 0.95, f"retried after {gap:.2f}s although Retry-After said 1s"
    assert len(slack_server.posted) == 1


def test_500_then_200_retries_with_backoff(engine, make_config, crowd, slack_server):
    slack_server.script = ["500", "500"]
    _, dispatcher, _ = _setup(engine, make_config, crowd, slack_server)
    stats = dispatcher.run_once()
    assert stats.failed == 1
    with engine.connect() as conn:
        row = conn.execute(deliveries.select()).one()
    assert row.status == "failed" and row.attempts == 1 and "HTTP 500" in row.last_error
    assert _drain(dispatcher) == {"sent": 1}
    assert len(slack_server.received) == 3 and len(slack_server.posted) == 1
    with engine.connect() as conn:
        row = conn.execute(deliveries.select()).one()
    assert row.attempts == 3 and row.last_error == ""


def test_hanging_response_times_out_then_retries(engine, make_config, crowd, slack_server):
    slack_server.script = [("hang", 2.0)]
    _, dispatcher, _ = _setup(engine, make_config, crowd, slack_server)
    started = time.monotonic()
    stats = dispatcher.run_once()
    assert time.monotonic() - started < 1.5, "the send did not time out after alert_timeout (0.5s)"
    assert stats.failed == 1 and "timeout" in stats.errors[0]
    assert _drain(dispatcher) == {"sent": 1}
    assert len(slack_server.received) == 2 and len(slack_server.posted) == 1


def test_many_findings_with_failures_never_post_twice(engine, make_config, crowd, slack_server):
    slack_server.script = ["ok", "500", ("429", 1), "ok", ("hang", 1.0), "500"]
    _, dispatcher, ids = _setup(engine, make_config, crowd, slack_server, findings=6)
    assert _drain(dispatcher) == {"sent": 6}
    per_finding = _posts_per_finding(slack_server)
    assert sorted(per_finding) == sorted(f"https://spillwatch.ngo.example/incidents/{incident_of(engine, i)}"
                                         for i in ids)
    assert set(per_finding.values()) == {1}


def test_permanent_error_dead_letters_at_once(engine, make_config, crowd, slack_server):
    slack_server.script = ["400"]
    _, dispatcher, _ = _setup(engine, make_config, crowd, slack_server)
    stats = dispatcher.run_once()
    assert stats.dead == 1
    with engine.connect() as conn:
        row = conn.execute(deliveries.select()).one()
    assert row.status == "dead" and "invalid_payload" in row.last_error


def test_dead_letter_after_max_attempts(engine, make_config, crowd, slack_server):
    slack_server.script = ["500"] * 10
    _, dispatcher, _ = _setup(engine, make_config, crowd, slack_server)  # alert_max_attempts=4
    states = _drain(dispatcher)
    assert states == {"dead": 1}
    with engine.connect() as conn:
        row = conn.execute(deliveries.select()).one()
    assert row.attempts == 4 and len(slack_server.received) == 4


def test_private_address_refused_without_the_setting(engine, make_config, crowd, slack_server):
    _, dispatcher, _ = _setup(engine, make_config, crowd, slack_server, allow_private_addresses="false")
    stats = dispatcher.run_once()
    assert stats.dead == 1 and "egress guard" in stats.errors[0]
    assert slack_server.received == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://169.254.169.254/latest/meta-data/"])
def test_metadata_and_non_http_urls_never_contacted(engine, make_config, crowd, url):
    config = make_config([SLACK], [ROUTE], allow_private_addresses="false")
    with engine.begin() as conn:
        enqueue_for_finding(conn, insert_finding(conn, crowd), "new", config)
    stats = Dispatcher(engine, config, environ={"NGO_SLACK_URL": url}).run_once()
    assert stats.dead == 1


def test_hostname_is_resolved_pinned_and_sent_as_host_header(engine, make_config, crowd, slack_server):
    url = slack_server.url.replace("127.0.0.1", "localhost")
    config = make_config([SLACK], [ROUTE])
    with engine.begin() as conn:
        enqueue_for_finding(conn, insert_finding(conn, crowd), "new", config)
    stats = Dispatcher(engine, config, environ={"NGO_SLACK_URL": url}).run_once()
    assert stats.sent == 1, stats.errors  # ::1 (if listed first) refuses; the next checked address is used
    port = url.split(":")[2].split("/")[0]
    assert slack_server.received[0].headers["host"] == f"localhost:{port}"


def test_hostname_resolving_to_loopback_is_refused_by_default():
    from alerts.errors import DeliveryError
    from alerts.http import pin

    with pytest.raises(DeliveryError, match="refused by the egress guard") as caught:
        pin("https://localhost/services/T/B/X", allow_private=False)
    assert caught.value.permanent
    (first, *_) = pin("https://localhost:8443/hook?x=1", allow_private=True)
    assert first.host_header == "localhost:8443" and first.sni == "localhost" and first.url.endswith("/hook?x=1")


@pytest.mark.parametrize(("url", "allow_private"), [
    ("http://127.0.0.1:{closed}/services/T0/B0/SECRETTOKEN", "true"),  # connection refused
    ("http://localhost:{closed}/services/T0/B0/SECRETTOKEN", "false"),  # resolves to loopback: refused
    ("http://127.0.0.1:{closed}/services/T0/B0/SECRETTOKEN", "false"),  # literal loopback: refused
    ("ftp://hooks.example/services/T0/B0/SECRETTOKEN", "true"),  # scheme refused
])
def test_webhook_url_secret_never_lands_in_errors_or_logs(engine, make_config, crowd, caplog, url, allow_private):
    from tests.alerts.servers import free_port

    caplog.set_level("DEBUG")
    config = make_config([SLACK], [ROUTE], allow_private_addresses=allow_private)
    with engine.begin() as conn:
        enqueue_for_finding(conn, insert_finding(conn, crowd), "new", config)
    stats = Dispatcher(engine, config, environ={"NGO_SLACK_URL": url.format(closed=free_port())}).run_once()
    assert stats.failed + stats.dead == 1
    with engine.connect() as conn:
        row = conn.execute(deliveries.select()).one()
    assert row.last_error and "SECRETTOKEN" not in row.last_error, row.last_error
    assert "SECRETTOKEN" not in caplog.text
