"""Issue 13's alert holes: personal data in URLs and file names (3), SMTP login without TLS (9),
templates without an output cap (10)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from alerts.content import Envelope, example_alert
from alerts.dispatcher import Dispatcher
from alerts.errors import DeliveryError, NotConfigured
from alerts.incident_alerts import enqueue_for_finding
from alerts.notifiers.email import EmailNotifier
from alerts.render import Renderer, render_email
from core.config import Channel, Route
from tests.alerts.rows import NOW, insert_finding, leaks, mask_id


def test_names_ids_and_dates_in_urls_never_leave(engine, make_config, crowd, slack_server, smtp_server) -> None:
    """Hole 3: a finding at /files/<Name>_<A-number>_<birth date>.csv, linked from a page whose URL
    names the person too: email subject/body/links, Slack and webhook carry masked forms only."""
    person = crowd[0]
    first, last = person.name.split()[0], person.name.split()[-1]
    url = (f"https://www.ice.gov/files/{first}_{last}_{person.a_number}_{person.birth_date.isoformat()}.csv"
           f"?who={last}")
    page = f"https://www.ice.gov/people/{first.lower()}-{last.lower()}/{person.a_number}"
    channels = [Channel(name="mail", kind="email", to=["alerts@ngo.example.org"]),
                Channel(name="slack", kind="slack", url_env="SLACK_URL"),
                Channel(name="hook", kind="webhook", url_env="HOOK_URL", secret_env="HOOK_KEY")]
    config = make_config(channels, [Route(name="now", channels=["mail", "slack", "hook"], min_severity="low")],
                         smtp_host="127.0.0.1", smtp_port=smtp_server.port, smtp_security="none")
    with engine.begin() as conn:
        enqueue_for_finding(conn, insert_finding(conn, crowd, url=url, page=page), "new", config)
    environ = {"SLACK_URL": slack_server.url, "HOOK_URL": slack_server.url, "HOOK_KEY": "k"}
    stats = Dispatcher(engine, config, environ=environ).run_once()
    assert stats.sent == 3, stats.errors
    delivered = [str(m) for m in smtp_server.parsed()]
    delivered += [p.get_content() for m in smtp_server.parsed() for p in m.walk()
                  if p.get_content_maintype() == "text"]
    delivered += [post.body.decode() for post in slack_server.received]
    everything = "\n".join(delivered)
    for value in (first, last, first.lower(), last.lower()):
        assert value not in everything
    assert leaks(everything, crowd) == []
    assert person.a_number[1:] not in everything and str(person.birth_date.year) not in everything
    # still useful: the host, the file type and the masked shape
    assert "https://www.ice.gov/" in everything and ".csv" in everything
    assert f"{first[0]}{'*' * (len(first) - 1)}_" in everything
    webhook = json.loads(slack_server.received[-1].body)
    item = webhook["findings"][0] if "findings" in webhook else None
    if item is not None:
        assert item["file_name"].endswith(".csv") and first not in item["file_name"]


def test_smtp_login_without_tls_is_refused_unless_allowed(make_config) -> None:
    """Hole 9: a user name with smtp_security none would send the password in the clear."""
    channel = Channel(name="mail", kind="email", to=["a@ngo.example.org"])
    plain = make_config([channel], smtp_host="127.0.0.1", smtp_security="none", smtp_username="alerts")
    settings = plain.settings.replace()
    settings._values["smtp_password"] = "secret-password"
    with pytest.raises(NotConfigured, match="smtp_allow_plain_auth"):
        EmailNotifier.from_channel(channel, settings, {})
    allowed = settings.replace(smtp_allow_plain_auth="true")
    assert EmailNotifier.from_channel(channel, allowed, {}).username == "alerts"
    tls = settings.replace(smtp_security="starttls")
    assert EmailNotifier.from_channel(channel, tls, {}).username == "alerts"


def test_rendered_alerts_are_capped(tmp_path, make_config) -> None:
    """Hole 10: a template that renders 1 GB stops at alert_max_message_size."""
    (tmp_path / "email.txt").write_text("{% for i in range(100000) %}{% for j in range(1000) %}"
                                        "xxxxxxxxxx{% endfor %}{% endfor %}\n")
    config = make_config([])
    moment = datetime(2022, 11, 28, tzinfo=UTC)
    envelope = Envelope(key="k", route="r", channel="c", mode="immediate", items=[example_alert(config, moment)],
                        generated_at=moment)
    renderer = Renderer(tmp_path, max_size=config.settings.alert_max_message_size)
    with pytest.raises(DeliveryError, match="alert_max_message_size") as caught:
        render_email(envelope, sender="s@example.org", recipients=["r@example.org"], renderer=renderer)
    assert caught.value.permanent
    (tmp_path / "email.txt").write_text("{{ items[0].records }} records\n")
    message = render_email(envelope, sender="s@example.org", recipients=["r@example.org"], renderer=renderer)
    assert "6250 records" in message.get_body(("plain",)).get_content()


def test_example_alert_masks_like_real_ones(make_config) -> None:
    item = example_alert(make_config([]), datetime(2022, 11, 28, tzinfo=UTC))
    assert item.file_name.endswith(".xlsx") and "2022" not in item.url
    assert mask_id("A123456789") == "A*******89"


@pytest.mark.parametrize("value", ["Maria Hernández", "A123456721", "1987-03-14", "O'Neil_Jr 42", "Ünal-Çelik"])
def test_url_masking_is_the_samples_rule(value: str) -> None:
    from alerts.masking import mask_words
    from matcher.masking import mask_text

    assert mask_words(value) == mask_text(value)


def test_names_of_archive_members_never_leave(engine, make_config, crowd) -> None:
    """A table inside a ZIP: the alert's "Where in file" names the archive and its member, file names
    that name people as often as the URL does; they are masked by the URL's rule, the rest stays."""
    from sqlalchemy import update

    from alerts.content import load_alert
    from alerts.render import render_slack
    from core.catalog.schema import findings

    person = crowd[0]
    first, last = person.name.split()[0], person.name.split()[-1]
    member = f"{last}, {first}/{first}_{last}_{person.a_number}_{person.birth_date.isoformat()}.csv"
    url = f"https://www.ice.gov/files/{last}_{first}.zip"
    config = make_config([])
    with engine.begin() as conn:
        finding_id = insert_finding(conn, crowd, url=url)
        conn.execute(update(findings).where(findings.c.id == finding_id).values(
            locator=f"{last}_{first}.zip > {member} > sheet 'Sheet1'"))
        item = load_alert(conn, finding_id, "new", config)
    assert not leaks(item.locator, crowd), item.locator
    assert first not in item.locator and last not in item.locator, item.locator
    assert item.locator.startswith(item.file_name + " > ") and item.locator.endswith(".csv > sheet 'Sheet1'")
    envelope = Envelope(key="k", route="r", channel="c", mode="immediate", items=[item], generated_at=NOW)
    assert not leaks(json.dumps(render_slack(envelope), ensure_ascii=False), crowd)
