"""docs/architecture.md §5 rule 4: no raw personal value leaves in an alert or a log line.

Raw synthetic names, birth dates and A-numbers are planted where a careless alert would pick them up
(capture titles, link anchor text, column headers, the matcher's reasons) and — once each — in the
sample, as values the matcher failed to mask.  Every message delivered over every notifier (email
through aiosmtpd, Slack and webhook through a real HTTP server), immediate and digest, new and
reappeared, plus the log records and the outbox rows, is scanned for them.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from alerts.dispatcher import Dispatcher
from alerts.incident_alerts import enqueue_for_finding
from alerts.outbox import utcnow
from core.catalog.schema import deliveries, findings
from core.config import Channel, Route
from tests.alerts.rows import insert_finding, leaks, mask_id, mask_name


def test_no_raw_value_in_any_delivered_message_or_log(engine, make_config, crowd, slack_server, smtp_server,
                                                       caplog):
    caplog.set_level(logging.DEBUG)
    channels = [Channel(name="mail", kind="email", to=["alerts@ngo.example.org"]),
                Channel(name="slack", kind="slack", url_env="SLACK_URL"),
                Channel(name="hook", kind="webhook", url_env="HOOK_URL", secret_env="HOOK_KEY")]
    routes = [Route(name="now", channels=["mail", "slack", "hook"], min_severity="low"),
              Route(name="digest", channels=["mail", "slack", "hook"], mode="hourly", min_severity="low")]
    config = make_config(channels, routes, smtp_host="127.0.0.1", smtp_port=smtp_server.port,
                         smtp_security="none")
    with engine.begin() as conn:
        fids = [insert_finding(conn, crowd[i * 4:(i + 1) * 4], number=i, kind=kind, severity=severity)
                for i, (kind, severity) in enumerate([("person_table", "critical"), ("hidden_content", "high"),
                                                       ("failed_redaction", "low")])]
        for fid in fids:
            enqueue_for_finding(conn, fid, "new", config)
        conn.execute(update(findings).where(findings.c.id == fids[0]).values(
            reappeared_at=datetime(2022, 11, 29, 9, 0, tzinfo=UTC)))
        enqueue_for_finding(conn, fids[0], "reappeared", config)
    environ = {"SLACK_URL": slack_server.url, "HOOK_URL": slack_server.url, "HOOK_KEY": "k"}
    later = [utcnow()]
    dispatcher = Dispatcher(engine, config, environ=environ, clock=lambda: later[0])
    immediate = dispatcher.run_once()
    later[0] = later[0].replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    digest = dispatcher.run_once()
    assert immediate.sent == 12 and immediate.messages == 12, immediate.errors
    assert digest.sent == 12 and digest.messages == 3, digest.errors

    delivered: list[str] = []
    for message in smtp_server.parsed():
        delivered += [part.get_content() for part in message.walk() if part.get_content_maintype() == "text"]
        delivered.append(str(message))
    delivered += [json.dumps(post.json, ensure_ascii=False) for post in slack_server.received]
    delivered += [post.body.decode() for post in slack_server.received]
    assert len(smtp_server.messages) == 5 and len(slack_server.received) == 10

    for text in delivered:
        assert leaks(text, crowd) == [], text[:300]
    logs = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert logs and leaks(logs, crowd) == []
    with engine.connect() as conn:
        outbox = json.dumps([dict(r._mapping) for r in conn.execute(select(deliveries))], default=str)
    assert leaks(outbox, crowd) == []

    # the alerts do carry what analysts need: the masked forms
    everything = "\n".join(delivered)
    assert mask_name(crowd[3].name) in everything and mask_id(crowd[1].a_number) in everything
    assert f"{crowd[3].birth_date.year}-**-**" in everything
