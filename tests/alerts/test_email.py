"""Email notifier against a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import re
import time
from email.utils import parsedate_to_datetime

from aiosmtpd.smtp import AuthResult

from alerts.dispatcher import Dispatcher
from alerts.incident_alerts import enqueue_for_finding
from alerts.notifiers.email import EmailNotifier
from core.catalog.schema import deliveries
from core.config import Channel, Route
from tests.alerts.rows import incident_of, insert_finding, leaks, mask_name
from tests.alerts.servers import SmtpServer
from tests.alerts.tls import make_certificates

MAIL = Channel(name="ngo-email", kind="email", to=["alerts@ngo.example.org", "oncall@ngo.example.org"])
ROUTE = Route(name="urgent", channels=["ngo-email"])


def _config(make_config, server: SmtpServer, **settings):
    values = {"smtp_host": "127.0.0.1", "smtp_port": server.port, "smtp_security": "none",
              "smtp_from": "spillwatch@watch.ngo.example", **settings}
    return make_config([MAIL], [ROUTE], **values)


def _enqueue(engine, config, crowd, **finding):
    with engine.begin() as conn:
        fid = insert_finding(conn, crowd, **finding)
        enqueue_for_finding(conn, fid, "new", config)
    return fid


def test_multipart_headers_links_and_masking(engine, make_config, crowd, smtp_server):
    config = _config(make_config, smtp_server)
    fid = _enqueue(engine, config, crowd)
    stats = Dispatcher(engine, config, environ={}).run_once()
    assert stats.sent == 1, stats.errors
    assert len(smtp_server.messages) == 1
    mail_from, rcpt_tos, raw = smtp_server.messages[0]
    assert mail_from == "spillwatch@watch.ngo.example"
    assert rcpt_tos == ["alerts@ngo.example.org", "oncall@ngo.example.org"]
    msg = smtp_server.parsed()[0]
    assert msg.get_content_type() == "multipart/alternative"
    parts = [p.get_content_type() for p in msg.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    assert msg["Subject"] == ("[Spillwatch] CRITICAL: Table of people, 6,252 records in "
                              "F***_d*************_*.xlsx on ICE detention statistics")  # file names are masked
    assert re.fullmatch(r"<[0-9a-f]{32}@watch\.ngo\.example>", msg["Message-ID"])
    assert parsedate_to_datetime(msg["Date"]).tzinfo is not None
    assert msg["List-Unsubscribe"].strip() == "<mailto:spillwatch@watch.ngo.example?subject=unsubscribe%20ngo-email>"
    assert msg["Auto-Submitted"] == "auto-generated"
    incident = incident_of(engine, fid)
    assert msg["X-Spillwatch-Delivery"] == f"incident:{incident}:new:urgent:ngo-email"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    link = f"https://spillwatch.ngo.example/incidents/{incident}"
    for body in (text, html):
        assert link in body
        assert "https://www.ice.gov/d*****/d********/F***_d*************_*.xlsx" in body
        assert "https://www.ice.gov/d*****/d********-m*********" in body
        assert "person_name, birth_date, gov_id, nationality, detention_facility" in body
        assert "6,252" in body and "2022-11-28 15:04 UTC" in body
        assert mask_name(crowd[3].name) in body  # the masked sample is there…
        assert leaks(body, crowd) == []  # …and nothing raw
    assert f'href="{link}"' in html
    assert leaks(raw.decode("utf-8", "replace"), crowd) == []


def test_4xx_answer_is_retried_5xx_is_dead(engine, make_config, crowd, smtp_server):
    config = _config(make_config, smtp_server)
    smtp_server.script = ["451 4.3.0 mailbox busy, try later", "550 5.7.1 rejected by policy"]
    _enqueue(engine, config, crowd, number=1)
    _enqueue(engine, config, crowd, number=2)
    dispatcher = Dispatcher(engine, config, environ={})
    stats = dispatcher.run_once()
    assert (stats.failed, stats.dead, stats.sent) == (1, 1, 0)
    with engine.connect() as conn:
        rows = {r.id: r for r in conn.execute(deliveries.select())}
    assert rows[1].status == "failed" and "451" in rows[1].last_error
    assert rows[2].status == "dead" and "550" in rows[2].last_error
    time.sleep(0.25)
    assert dispatcher.run_once().sent == 1
    assert len(smtp_server.messages) == 1


def test_starttls_and_login(engine, make_config, crowd, tmp_path):
    server_ctx, client_ctx = make_certificates(tmp_path)
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((mechanism, auth_data.login, session.ssl is not None))
        ok = auth_data.login == b"spillwatch" and auth_data.password == b"s3cret"
        return AuthResult(success=ok, handled=False)

    smtp = SmtpServer(tls_context=server_ctx, require_starttls=True, authenticator=authenticator,
                      auth_require_tls=True).start()
    try:
        config = _config(make_config, smtp, smtp_security="starttls", smtp_username="spillwatch",
                         smtp_password="s3cret")
        _enqueue(engine, config, crowd)
        factory = lambda channel, settings, environ: EmailNotifier(channel, settings, ssl_context=client_ctx)  # noqa: E731
        stats = Dispatcher(engine, config, environ={}, notifier_factory=factory).run_once()
        assert stats.sent == 1, stats.errors
        assert logins and logins[0][1:] == (b"spillwatch", True)
        assert len(smtp.messages) == 1
    finally:
        smtp.stop()


def test_wrong_password_is_dead_with_a_hint(engine, make_config, crowd, tmp_path):
    server_ctx, client_ctx = make_certificates(tmp_path)
    smtp = SmtpServer(tls_context=server_ctx, require_starttls=True,
                      authenticator=lambda *a: AuthResult(success=False, handled=False),
                      auth_require_tls=True).start()
    try:
        config = _config(make_config, smtp, smtp_security="starttls", smtp_username="spillwatch",
                         smtp_password="wrong")
        _enqueue(engine, config, crowd)
        factory = lambda channel, settings, environ: EmailNotifier(channel, settings, ssl_context=client_ctx)  # noqa: E731
        stats = Dispatcher(engine, config, environ={}, notifier_factory=factory).run_once()
        assert stats.dead == 1 and "SPILLWATCH_SMTP_PASSWORD" in stats.errors[0]
        assert smtp.messages == []
    finally:
        smtp.stop()


def test_untrusted_certificate_is_refused(engine, make_config, crowd, tmp_path):
    server_ctx, _ = make_certificates(tmp_path)
    smtp = SmtpServer(tls_context=server_ctx, require_starttls=True).start()
    try:
        config = _config(make_config, smtp, smtp_security="starttls")
        _enqueue(engine, config, crowd)
        stats = Dispatcher(engine, config, environ={}).run_once()  # system CAs do not know the test CA
        assert stats.failed == 1 and "CERTIFICATE_VERIFY_FAILED" in stats.errors[0]
        assert smtp.messages == []
    finally:
        smtp.stop()


def test_implicit_tls(engine, make_config, crowd, tmp_path):
    server_ctx, client_ctx = make_certificates(tmp_path)
    smtp = SmtpServer(ssl_context=server_ctx).start()
    try:
        config = _config(make_config, smtp, smtp_security="tls")
        _enqueue(engine, config, crowd)
        factory = lambda channel, settings, environ: EmailNotifier(channel, settings, ssl_context=client_ctx)  # noqa: E731
        stats = Dispatcher(engine, config, environ={}, notifier_factory=factory).run_once()
        assert stats.sent == 1, stats.errors
        assert len(smtp.messages) == 1
    finally:
        smtp.stop()
