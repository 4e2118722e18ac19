"""Webhook notifier: a real local receiver verifies the HMAC-SHA256 signature the way docs/alerts.md
tells receivers to."""

from __future__ import annotations

import hashlib
import hmac
import json

from alerts.dispatcher import Dispatcher
from alerts.incident_alerts import enqueue_for_finding
from core.catalog.schema import deliveries
from core.config import Channel, Route
from tests.alerts.rows import incident_of, insert_finding, leaks
from tests.alerts.servers import SlackLikeServer

HOOK = Channel(name="partner", kind="webhook", url_env="PARTNER_URL", secret_env="PARTNER_KEY")
ROUTE = Route(name="partner", channels=["partner"])
KEY = "correct horse battery staple"


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The receiver's check, as documented in docs/alerts.md."""
    expected = hmac.new(secret.encode(), headers["x-spillwatch-timestamp"].encode() + b"." + body,
                        hashlib.sha256).hexdigest()
    return hmac.compare_digest("sha256=" + expected, headers["x-spillwatch-signature"])


def _send(engine, make_config, crowd, server, environ, **settings):
    config = make_config([HOOK], [ROUTE], **settings)
    with engine.begin() as conn:
        fid = insert_finding(conn, crowd, kind="hidden_content")
        enqueue_for_finding(conn, fid, "new", config)
    return fid, Dispatcher(engine, config, environ=environ).run_once()


def test_signed_json_post(engine, make_config, crowd, slack_server):
    fid, stats = _send(engine, make_config, crowd, slack_server,
                       {"PARTNER_URL": slack_server.url, "PARTNER_KEY": KEY})
    assert stats.sent == 1, stats.errors
    post = slack_server.received[0]
    assert verify(KEY, post.headers, post.body)
    assert not verify("another key", post.headers, post.body)
    tampered = post.body.replace(b'"records":6252', b'"records":1')
    assert tampered != post.body and not verify(KEY, post.headers, tampered)
    incident = incident_of(engine, fid)
    assert post.headers["x-spillwatch-delivery"] == f"incident:{incident}:new:partner:partner"
    body = json.loads(post.body)
    assert body["type"] == "spillwatch.alert" and body["test"] is False and body["mode"] == "immediate"
    (finding,) = body["findings"]
    assert finding["finding_id"] == fid and finding["records"] == 6252
    assert finding["hidden_content"] is True and finding["failed_redaction"] is False
    assert finding["site"] == {"id": "ice", "name": "ICE detention statistics"}
    assert finding["link"] == f"https://spillwatch.ngo.example/incidents/{incident}"
    assert finding["incident_id"] == incident and finding["also_found"] == []
    assert finding["column_types"] == ["person_name", "birth_date", "gov_id", "nationality", "detention_facility"]
    assert leaks(post.body.decode(), crowd) == []


def test_global_webhook_secret_is_used_when_channel_names_none(engine, make_config, crowd, slack_server):
    channel = Channel(name="partner", kind="webhook", url_env="PARTNER_URL")
    config = make_config([channel], [ROUTE], webhook_secret="global-key")
    with engine.begin() as conn:
        enqueue_for_finding(conn, insert_finding(conn, crowd), "new", config)
    stats = Dispatcher(engine, config, environ={"PARTNER_URL": slack_server.url}).run_once()
    assert stats.sent == 1
    assert verify("global-key", slack_server.received[0].headers, slack_server.received[0].body)


def test_no_key_means_switched_off_never_unsigned(engine, make_config, crowd, slack_server):
    _, stats = _send(engine, make_config, crowd, slack_server, {"PARTNER_URL": slack_server.url})
    assert stats.failed == 1 and "PARTNER_KEY" in stats.errors[0] and "unsigned" in stats.errors[0]
    assert slack_server.received == []


def test_redirects_are_not_followed(engine, make_config, crowd):
    from http.server import BaseHTTPRequestHandler

    class Redirect(SlackLikeServer):
        def handle(self, handler: BaseHTTPRequestHandler, item, step) -> None:
            self._answer(handler, item, 302, "", {"Location": "http://169.254.169.254/latest/"})

    server = Redirect().start()
    try:
        _, stats = _send(engine, make_config, crowd, server, {"PARTNER_URL": server.url, "PARTNER_KEY": KEY})
        assert stats.dead == 1 and "redirect" in stats.errors[0]
        assert len(server.received) == 1
    finally:
        server.stop()
    with engine.connect() as conn:
        assert conn.execute(deliveries.select()).one().status == "dead"
