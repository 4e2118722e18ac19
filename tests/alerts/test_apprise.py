"""``kind: apprise`` against a real local HTTP receiver (apprise's ``json://`` scheme POSTs JSON to it):
the same masking, outbox, retries and egress guard as the other notifiers."""

from __future__ import annotations

import time

import apprise
import pytest

from alerts.dispatcher import Dispatcher
from alerts.incident_alerts import enqueue_for_finding
from alerts.notifiers import build_notifier
from alerts.notifiers.apprise_channel import destination
from alerts.notifiers.base import NotConfigured
from alerts.preview import write_finding_previews
from core.config import Channel, Route
from tests.alerts.rows import insert_finding, leaks

APPRISE = Channel(name="ngo-ntfy", kind="apprise", url_env="NGO_APPRISE_URL")
ROUTE = Route(name="urgent", channels=["ngo-ntfy"])


def _queue(engine, config, crowd, number: int = 1) -> int:
    with engine.begin() as conn:
        fid = insert_finding(conn, crowd, number=number)
        enqueue_for_finding(conn, fid, "new", config)
    return fid


def test_json_receiver_gets_one_masked_message(engine, make_config, crowd, slack_server):
    config = make_config([APPRISE], [ROUTE])
    _queue(engine, config, crowd)
    url = slack_server.url.replace("http://", "json://")
    stats = Dispatcher(engine, config, environ={"NGO_APPRISE_URL": url}).run_once()
    assert (stats.sent, stats.dead, stats.failed) == (1, 0, 0), stats.errors
    (post,) = slack_server.posted
    body = post.json
    assert body["title"].startswith("[Spillwatch] CRITICAL: Table of people, 6,252 records in")
    assert "Column types:  person_name, birth_date, gov_id" in body["message"]
    assert "https://spillwatch.ngo.example/incidents/" in body["message"]
    assert leaks(post.body.decode(), crowd) == []  # masked like every other alert


def test_failures_are_retried_then_sent(engine, make_config, crowd, slack_server):
    config = make_config([APPRISE], [ROUTE])
    _queue(engine, config, crowd)
    slack_server.script = ["500"]
    dispatcher = Dispatcher(engine, config, environ={"NGO_APPRISE_URL": slack_server.url.replace("http", "json")})
    first = dispatcher.run_once()
    assert first.failed == 1 and "apprise could not deliver to json://127.0.0.1" in first.errors[0]
    assert slack_server.url.split("//")[1] not in first.errors[0]  # the URL (a secret) is not in the error
    time.sleep(0.3)  # alert_retry_delay is 0.05 s in the tests
    assert dispatcher.run_once().sent == 1
    assert len(slack_server.received) == 2 and len(slack_server.posted) == 1


def test_private_receiver_refused_without_the_setting(engine, make_config, crowd, slack_server):
    config = make_config([APPRISE], [ROUTE], allow_private_addresses="false")
    _queue(engine, config, crowd)
    stats = Dispatcher(engine, config, environ={"NGO_APPRISE_URL": slack_server.url.replace("http", "json")}
                       ).run_once()
    assert stats.dead == 1 and "refused by the egress guard" in stats.errors[0]
    assert slack_server.received == []


def test_channel_switches_itself_off_with_what_to_set(make_config):
    settings = make_config([APPRISE], [ROUTE]).settings
    with pytest.raises(NotConfigured, match="NGO_APPRISE_URL is empty"):
        build_notifier(APPRISE, settings, {})
    with pytest.raises(NotConfigured, match="not an apprise URL"):
        build_notifier(APPRISE, settings, {"NGO_APPRISE_URL": "nosuchscheme://x/y"})
    with pytest.raises(ValueError, match="apprise channel needs 'url_env'"):
        Channel(name="a", kind="apprise")


def test_the_guard_checks_the_host_apprise_will_contact():
    def where(url: str) -> str:
        return destination(apprise.Apprise.instantiate(url))

    assert where("tgram://123456789:abcdefghijklmnopq/12345") == "https://api.telegram.org/bot"
    assert where("ntfy://alerts-topic") == "https://ntfy.sh"
    assert where("ntfys://ntfy.example.org/topic") == "https://ntfy.example.org/"
    assert where("matrix://user:pw@10.0.0.5:8008/#room") == "http://10.0.0.5:8008/"


def test_preview_is_the_text_apprise_would_send(engine, make_config, crowd, tmp_path):
    config = make_config([APPRISE], [ROUTE])
    with engine.begin() as conn:
        fid = insert_finding(conn, crowd)
    with engine.connect() as conn:
        (path,) = write_finding_previews(conn, config, fid, tmp_path, kinds=("apprise",))
    text = path.read_text(encoding="utf-8")
    assert path.name.endswith(".apprise.txt") and text.startswith("[Spillwatch] CRITICAL")
    assert leaks(text, crowd) == []
