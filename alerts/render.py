"""Rendering, kept apart from sending: an :class:`~alerts.content.Envelope` becomes an
``email.message.EmailMessage``, a Slack Block Kit dict or a webhook JSON dict.  Nothing here opens
a connection, so the demo can write "what would have been sent" to a folder.

Email templates are Jinja2 templates rendered in the sandbox (``ImmutableSandboxedEnvironment``)
with autoescape on for ``.html`` and ``StrictUndefined``; a folder given by ``alert_template_dir``
overrides the built-in ``email.txt``, ``email.html`` and ``email_subject.txt``.  Slack messages are
built in Python because Block Kit has hard limits (checked by :func:`slack_limits_problems`).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import ImmutableSandboxedEnvironment

from alerts.content import AlertContent, Envelope
from alerts.errors import DeliveryError

DEFAULT_MAX_SIZE = 10**6  # the alert_max_message_size default
SEVERITY_COLORS = {"critical": "#b00020", "high": "#e65100", "medium": "#f9a825", "low": "#607d8b"}
SEVERITY_EMOJI = {"critical": ":rotating_light:", "high": ":warning:", "medium": ":large_orange_diamond:",
                  "low": ":information_source:"}

# Slack's documented limits (api.slack.com/reference/block-kit).
SLACK_MAX_BLOCKS = 50
SLACK_HEADER_TEXT = 150
SLACK_SECTION_TEXT = 3000
SLACK_FIELDS = 10
SLACK_FIELD_TEXT = 2000
SLACK_BUTTON_TEXT = 75
SLACK_URL = 3000
SLACK_FALLBACK_TEXT = 4000
SLACK_CONTEXT_ELEMENTS = 10


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "unknown"


def _thousands(value: int) -> str:
    return f"{int(value):,}"


class Renderer:
    """The sandboxed template environment; one per dispatcher (cheap to build)."""

    def __init__(self, template_dir: str | Path | None = None, max_size: int = DEFAULT_MAX_SIZE) -> None:
        self.max_size = max_size
        loaders: list[Any] = []
        if template_dir:
            folder = Path(template_dir)
            if not folder.is_dir():
                raise ValueError(f"alert_template_dir {folder} is not a folder; create it or unset the "
                                 "setting to use the built-in templates")
            loaders.append(FileSystemLoader(str(folder)))
        loaders.append(PackageLoader("alerts", "templates"))
        self.env = ImmutableSandboxedEnvironment(
            loader=ChoiceLoader(loaders),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False,
                                         default=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["when"] = _when
        self.env.filters["thousands"] = _thousands

    def render(self, name: str, **context: Any) -> str:
        """The rendered template, streamed and stopped past ``max_size`` characters (a template may loop
        without end: the delivery fails permanently instead of building a huge message)."""
        parts: list[str] = []
        size = 0
        for chunk in self.env.get_template(name).generate(**context):
            size += len(chunk)
            if size > self.max_size:
                raise DeliveryError(f"alert template {name} renders more than {self.max_size:,} characters; "
                                    "shorten the template or raise alert_max_message_size", permanent=True)
            parts.append(chunk)
        return "".join(parts)


def message_id(key: str, sender: str) -> str:
    """Deterministic per delivery: a resend after a crash carries the same Message-ID, so mail
    clients and list servers can drop the duplicate."""
    domain = sender.rpartition("@")[2] or "spillwatch.invalid"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def render_email(envelope: Envelope, *, sender: str, recipients: list[str], renderer: Renderer | None = None,
                 now: datetime | None = None) -> EmailMessage:
    renderer = renderer or Renderer()
    context = {"envelope": envelope, "items": envelope.items, "colors": SEVERITY_COLORS}
    html: str | None = None
    if envelope.notice is not None:  # a service notice: plain text, no finding
        subject = f"[Spillwatch service] {' '.join(envelope.notice[0].split())}"[:250]
        text = envelope.notice[1] + "\n"
    else:
        subject = " ".join(renderer.render("email_subject.txt", **context).split())[:250]
        text = renderer.render("email.txt", subject=subject, **context)
        html = renderer.render("email.html", subject=subject, **context)
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Date"] = format_datetime(now or envelope.generated_at)
    msg["Message-ID"] = message_id(envelope.key, sender)
    msg["List-Id"] = f"Spillwatch alerts <{quote(envelope.channel, safe='')}.alerts.spillwatch.invalid>"
    msg["List-Unsubscribe"] = f"<mailto:{sender}?subject={quote('unsubscribe ' + envelope.channel)}>"
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Spillwatch-Delivery"] = envelope.key
    if envelope.test:
        msg["X-Spillwatch-Test"] = "yes"
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    return msg


def _cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def slack_escape(text: str) -> str:
    """Slack mrkdwn needs &, < and > escaped; ``|`` would end a link label."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_link(url: str, label: str) -> str:
    if len(url) > SLACK_URL or "|" in url or ">" in url:
        return slack_escape(label)
    return f"<{url}|{slack_escape(label).replace('|', '¦')}>"


def _headline(item: AlertContent) -> str:
    event = f" ({item.event})" if item.event in ("reappeared", "escalated") else ""
    return f"{item.severity.upper()}{event}: {item.kind_label.split(' (')[0]}"


def _summary(item: AlertContent) -> str:
    return (f"*{item.records:,} records* exposed in {_slack_link(item.url, item.file_name)} on "
            f"*{slack_escape(item.site_name)}*")


def _fields(item: AlertContent) -> list[dict[str, str]]:
    pairs = [
        ("Severity", item.severity),
        ("Records", f"{item.records:,}"),
        ("Site", slack_escape(item.site_name)),
        ("First seen", _when(item.first_seen)),
        ("Column types", ", ".join(item.column_types) or "none recognised"),
        ("Where in file", slack_escape(item.locator) or "—"),
    ]
    if item.page_url:
        pairs.append(("Page", _slack_link(item.page_url, item.page_url)))
    if item.reappeared_at:
        pairs.append(("Reappeared", _when(item.reappeared_at)))
    if item.also_found:
        pairs.append(("Also in this file", ", ".join(item.also_found)))
    if item.hidden_content:
        pairs.append(("Hidden content", "yes"))
    if item.failed_redaction:
        pairs.append(("Failed redaction", "yes"))
    return [{"type": "mrkdwn", "text": _cap(f"*{k}*\n{v}", SLACK_FIELD_TEXT)} for k, v in pairs[:SLACK_FIELDS]]


def _sample_block(item: AlertContent) -> dict[str, Any] | None:
    if not item.sample:
        return None
    lines = "\n".join(" | ".join(row) for row in item.sample)
    body = _cap(slack_escape(lines).replace("```", "'''"), SLACK_SECTION_TEXT - 40)
    return {"type": "section", "text": {"type": "mrkdwn", "text": f"Masked sample:\n```{body}```"}}


def _button(item: AlertContent) -> dict[str, Any]:
    if item.incident_id is not None:
        return {"type": "button", "text": {"type": "plain_text", "text": "Open incident", "emoji": False},
                "url": item.link[:SLACK_URL], "style": "primary", "action_id": f"open-incident-{item.incident_id}"}
    return {"type": "button", "text": {"type": "plain_text", "text": "Open finding", "emoji": False},
            "url": item.link[:SLACK_URL], "style": "primary", "action_id": f"open-finding-{item.finding_id}"}


def _fallback(envelope: Envelope) -> str:
    prefix = "[Spillwatch TEST] " if envelope.test else "[Spillwatch] "
    if envelope.digest:
        lines = [f"{prefix}{envelope.mode} digest: {len(envelope.items)} finding(s)"]
        lines += [f"{_headline(i)} — {i.records:,} records in {i.file_name} on {i.site_name}: {i.link}"
                  for i in envelope.items[:20]]
        text = "\n".join(lines)
    else:
        item = envelope.items[0]
        text = (f"{prefix}{_headline(item)} — {item.records:,} records in {item.file_name} on "
                f"{item.site_name}: {item.link}")
    return _cap(slack_escape(text), SLACK_FALLBACK_TEXT)


def render_slack(envelope: Envelope) -> dict[str, Any]:
    """Block Kit message (header, summary, fields, masked sample, button to the finding) with fallback
    ``text`` for notifications and clients without blocks; always within Slack's limits."""
    if envelope.notice is not None:  # a service notice: plain text
        return {"text": _cap(slack_escape(f"Spillwatch service: {envelope.notice[0]}\n{envelope.notice[1]}"),
                             SLACK_SECTION_TEXT)}
    test = "[TEST] " if envelope.test else ""
    blocks: list[dict[str, Any]] = []
    if not envelope.digest:
        item = envelope.items[0]
        emoji = SEVERITY_EMOJI.get(item.severity, ":grey_question:")
        blocks.append({"type": "header", "text": {"type": "plain_text", "emoji": True,
                                                  "text": _cap(f"{test}{_headline(item)}", SLACK_HEADER_TEXT)}})
        blocks.append({"type": "section", "text": {"type": "mrkdwn",
                                                   "text": _cap(f"{emoji} {_summary(item)}", SLACK_SECTION_TEXT)}})
        blocks.append({"type": "section", "fields": _fields(item)})
        sample = _sample_block(item)
        if sample:
            blocks.append(sample)
        blocks.append({"type": "actions", "elements": [_button(item)]})
    else:
        count = len(envelope.items)
        title = f"{test}Spillwatch {envelope.mode} digest: {count} finding{'' if count == 1 else 's'}"
        blocks.append({"type": "header", "text": {"type": "plain_text", "emoji": True,
                                                  "text": _cap(title, SLACK_HEADER_TEXT)}})
        room = SLACK_MAX_BLOCKS - 3
        for item in envelope.items[:room]:
            text = f"*{slack_escape(_headline(item))}* — {_summary(item)}"
            if item.column_types:
                text += "\nColumn types: " + ", ".join(item.column_types)
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _cap(text, SLACK_SECTION_TEXT)},
                           "accessory": _button(item)})
        if count > room:
            blocks.append({"type": "context", "elements": [
                {"type": "mrkdwn", "text": f"…and {count - room} more; see the findings list in Spillwatch."}]})
    note = "Test message: the finding is synthetic. " if envelope.test else ""
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _cap(
        f"{note}Spillwatch sends counts, column types and masked samples only · route {envelope.route}",
        SLACK_SECTION_TEXT)}]})
    return {"text": _fallback(envelope), "blocks": blocks[:SLACK_MAX_BLOCKS]}


def slack_limits_problems(message: dict[str, Any]) -> list[str]:
    """Every way ``message`` breaks Slack's Block Kit limits (empty when it is valid)."""
    problems: list[str] = []
    if not message.get("text"):
        problems.append("no fallback text")
    if len(message.get("text", "")) > SLACK_FALLBACK_TEXT:
        problems.append("fallback text too long")
    blocks = message.get("blocks", [])
    if len(blocks) > SLACK_MAX_BLOCKS:
        problems.append(f"{len(blocks)} blocks > {SLACK_MAX_BLOCKS}")
    for index, block in enumerate(blocks):
        kind = block.get("type")
        text = block.get("text", {}).get("text", "") if isinstance(block.get("text"), dict) else ""
        if kind == "header" and (len(text) > SLACK_HEADER_TEXT or block["text"]["type"] != "plain_text"):
            problems.append(f"block {index}: header must be plain_text ≤ {SLACK_HEADER_TEXT}")
        if kind == "section":
            if len(text) > SLACK_SECTION_TEXT:
                problems.append(f"block {index}: section text > {SLACK_SECTION_TEXT}")
            fields = block.get("fields", [])
            if len(fields) > SLACK_FIELDS or any(len(f["text"]) > SLACK_FIELD_TEXT for f in fields):
                problems.append(f"block {index}: fields over the limit")
            if not text and not fields:
                problems.append(f"block {index}: section needs text or fields")
        if kind == "context" and len(block.get("elements", [])) > SLACK_CONTEXT_ELEMENTS:
            problems.append(f"block {index}: too many context elements")
        buttons = [e for e in block.get("elements", []) if e.get("type") == "button"]
        if block.get("accessory", {}).get("type") == "button":
            buttons.append(block["accessory"])
        for button in buttons:
            if len(button["text"]["text"]) > SLACK_BUTTON_TEXT or len(button.get("url", "")) > SLACK_URL:
                problems.append(f"block {index}: button over the limit")
    return problems


def render_webhook(envelope: Envelope) -> dict[str, Any]:
    """The generic webhook body (signed by the webhook notifier)."""
    if envelope.notice is not None:
        return {"type": "spillwatch.service", "delivery": envelope.key, "route": envelope.route,
                "channel": envelope.channel, "generated_at": envelope.generated_at.isoformat(),
                "subject": envelope.notice[0], "text": envelope.notice[1]}
    return {
        "type": "spillwatch.alert",
        "delivery": envelope.key,
        "test": envelope.test,
        "route": envelope.route,
        "channel": envelope.channel,
        "mode": envelope.mode,
        "generated_at": envelope.generated_at.isoformat(),
        "findings": [item.to_dict() for item in envelope.items],
    }
