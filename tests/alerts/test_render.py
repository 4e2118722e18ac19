"""Rendering without sending: Block Kit limits, escaping, the Jinja2 sandbox, previews."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest
from jinja2.exceptions import SecurityError

from alerts.content import AlertContent, Envelope, example_alert, safe_cell
from alerts.preview import write_preview
from alerts.render import Renderer, render_email, render_slack, slack_limits_problems
from core.config import Config

T = datetime(2022, 11, 28, 15, 4, tzinfo=UTC)


@pytest.fixture
def item(fast_settings) -> AlertContent:
    return example_alert(Config(settings=fast_settings()), T)


def _envelope(items, mode="immediate", test=False):
    return Envelope("finding:1:new:urgent:slack", "urgent", "slack", mode, items, T, test=test)


def test_block_kit_stays_within_limits_for_huge_values(item):
    huge = replace(item, site_name="S" * 400, file_name="f" * 600 + ".xlsx", url="https://x.gov/" + "p" * 3500,
                   column_types=[f"type_{i}" for i in range(60)], locator="L" * 500,
                   sample=[["c" * 300] * 20] * 10, page_url="https://x.gov/" + "q" * 2500, event="reappeared",
                   reappeared_at=T, hidden_content=True, failed_redaction=True)
    message = render_slack(_envelope([huge]))
    assert slack_limits_problems(message) == []
    assert message["blocks"][0]["text"]["text"] == "CRITICAL (reappeared): Table of people"


def test_digest_of_many_findings_keeps_within_fifty_blocks(item):
    items = [replace(item, finding_id=i, link=f"https://sw.example/findings/{i}") for i in range(120)]
    message = render_slack(_envelope(items, mode="daily"))
    assert slack_limits_problems(message) == []
    assert len(message["blocks"]) == 50
    assert message["blocks"][0]["text"]["text"] == "Spillwatch daily digest: 120 findings"
    assert "…and 73 more" in message["blocks"][-2]["elements"][0]["text"]
    assert message["blocks"][1]["accessory"]["url"] == "https://sw.example/findings/0"


def test_slack_text_is_escaped_so_a_site_cannot_ping_everyone(item):
    message = render_slack(_envelope([replace(item, site_name="<!channel> & <https://evil.example|click>")]))
    dumped = json.dumps(message)
    assert "<!channel>" not in dumped and "&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;" in dumped


def test_test_messages_are_marked(item):
    message = render_slack(_envelope([item], test=True))
    assert message["text"].startswith("[Spillwatch TEST]")
    assert message["blocks"][0]["text"]["text"].startswith("[TEST] ")
    mail = render_email(_envelope([item], test=True), sender="sw@ngo.example", recipients=["a@ngo.example"])
    assert mail["Subject"].startswith("[Spillwatch TEST] ") and mail["X-Spillwatch-Test"] == "yes"
    assert "THIS IS A TEST MESSAGE" in mail.get_body(("plain",)).get_content()


def test_html_part_is_autoescaped_text_part_is_not_html(item):
    evil = replace(item, site_name='<script>alert("x")</script>', locator="<img src=x onerror=alert(1)>")
    mail = render_email(_envelope([evil]), sender="sw@ngo.example", recipients=["a@ngo.example"])
    html = mail.get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html and "<img src=x" not in html
    assert '<script>alert("x")</script>' in mail.get_body(("plain",)).get_content()


def test_templates_render_in_the_sandbox(item, tmp_path):
    (tmp_path / "email_subject.txt").write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(SecurityError):
        render_email(_envelope([item]), sender="sw@ngo.example", recipients=["a@ngo.example"],
                     renderer=Renderer(tmp_path))


def test_template_dir_overrides_builtin_templates(item, tmp_path):
    (tmp_path / "email_subject.txt").write_text("Leak alert: {{ items[0].records|thousands }} records")
    mail = render_email(_envelope([item]), sender="sw@ngo.example", recipients=["a@ngo.example"],
                        renderer=Renderer(tmp_path))
    assert mail["Subject"] == "Leak alert: 6,250 records"
    assert "Open the finding" in mail.get_body(("html",)).get_content()  # other templates: built-in
    with pytest.raises(ValueError, match="is not a folder"):
        Renderer(tmp_path / "missing")


@pytest.mark.parametrize(("cell", "shown"), [
    ("M**** H*******", "M**** H*******"),
    ("1987-**-**", "1987-**-**"),
    ("1987-03-14", "****-**-**"),
    ("03/14/1987", "**/**/****"),
    ("A123456721", "A*********"),
    ("A*******21", "A*******21"),
    ("x" * 80, "x" * 39 + "…"),
    ("two\nlines", "two lines"),
])
def test_second_masking_net(cell, shown):
    assert safe_cell(cell) == shown


def test_preview_writes_what_would_have_been_sent(item, tmp_path):
    envelope = _envelope([item])
    eml = write_preview(envelope, tmp_path, kind="email", recipients=["a@ngo.example"])
    slack = write_preview(envelope, tmp_path, kind="slack")
    hook = write_preview(envelope, tmp_path, kind="webhook")
    assert eml.name == "finding_1_new_urgent_slack.eml"
    parsed = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    assert slack_limits_problems(json.loads(slack.read_text())) == []
    assert json.loads(hook.read_text())["findings"][0]["records"] == 6250


def test_finding_previews_from_the_catalog(engine, make_config, crowd, tmp_path):
    from alerts.preview import write_finding_previews
    from core.config import Channel
    from tests.alerts.rows import insert_finding, leaks

    config = make_config([Channel(name="m", kind="email", to=["alerts@ngo.example.org"])])
    with engine.begin() as conn:
        fid = insert_finding(conn, crowd)
    with engine.connect() as conn:
        paths = write_finding_previews(conn, config, fid, tmp_path / "outbox")
    assert [p.name for p in paths] == [f"finding_{fid}_new_preview.eml", f"finding_{fid}_new_preview.slack.json",
                                       f"finding_{fid}_new_preview.webhook.json",
                                       f"finding_{fid}_new_preview.apprise.txt"]
    mail = message_from_bytes(paths[0].read_bytes(), policy=policy.default)
    assert mail["To"] == "alerts@ngo.example.org"
    texts = [part.get_content() for part in mail.walk() if part.get_content_maintype() == "text"]
    texts += [path.read_text(encoding="utf-8") for path in paths[1:]]
    assert len(texts) == 5 and all(leaks(text, crowd) == [] for text in texts)
    assert f"https://spillwatch.ngo.example/findings/{fid}" in paths[1].read_text()
