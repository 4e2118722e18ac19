"""Jinja filters and globals.

Archived text is never marked safe: :func:`highlight` escapes every segment itself and only adds the
``<mark>`` elements around matched words.  Templates use autoescape everywhere else.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, request
from markupsafe import Markup, escape

from core.media_names import describe_media_type
from core.models import Severity
from matcher.masking import mask_text
from web import labels
from web.snippet_masking import mask_snippet

SEVERITIES = Severity.names(worst_first=True)


def fmt_dt(value: datetime | None) -> str:
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def fmt_dt_seconds(value: datetime | None) -> str:
    """To the second: captures of a watched page a few seconds apart must be told apart."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def fmt_duration(value: timedelta | float | None) -> str:
    if value is None:
        return "—"
    seconds = int(value.total_seconds() if isinstance(value, timedelta) else value)
    if seconds < 0:
        return "—"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [f"{days}d"] if days else []
    if hours or days:
        parts.append(f"{hours}h")
    parts.append(f"{minutes}m")
    return " ".join(parts)


def fmt_size(value: int | None) -> str:
    if value is None:
        return "—"
    size = float(value)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{value} B"


def highlight(fragments: Sequence[Sequence[tuple[str, bool]]], masked: bool = False,
              keep: frozenset[str] = frozenset()) -> Markup:
    """Search highlight fragments as HTML: every segment escaped, matched ones in ``<mark>``.  Masked
    fragments keep the words typed whole in ``keep`` and the non-personal words (web/snippet_masking.py)."""
    out: list[Markup] = []
    for fragment in fragments:
        parts: list[Markup] = []
        for text, matched in fragment:
            shown = mask_snippet(text, keep) if masked and text != "…" else text
            parts.append(Markup("<mark>{}</mark>").format(shown) if matched else escape(shown))
        out.append(Markup("<span class=\"fragment\">{}</span>").format(Markup("").join(parts)))
    return Markup(" ").join(out)


def code_spans(text: str) -> Markup:
    """Markdown-style `code` spans of a trusted description (OpenAPI's) as <code>; everything escaped."""
    parts = str(text).split("`")
    return Markup("").join(Markup("<code>{}</code>").format(part) if i % 2 else escape(part)
                           for i, part in enumerate(parts))


def url_with(**changes: Any) -> str:
    """The current URL with some query arguments replaced (None removes one)."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = [str(value)]
    from urllib.parse import urlencode

    query = urlencode([(k, v) for k, values in args.items() for v in values])
    return request.path + ("?" + query if query else "")


def init_app(app: Flask) -> None:
    from web.views.api_docs import schema_name

    app.jinja_env.filters.update(code_spans=code_spans, schema_name=schema_name, dts=fmt_dt_seconds,
                                 column_label=labels.column_type, column_summary=labels.column_summary,
                                 kind_label=labels.finding_kind, file_name=labels.file_name,
                                 severity_meaning=labels.severity_meaning, score_words=labels.score_words,
                                 media_label=describe_media_type)
    app.jinja_env.filters.update(dt=fmt_dt, duration=fmt_duration, size=fmt_size, highlight=highlight,
                                 mask=mask_text)
    app.jinja_env.globals.update(url_with=url_with, SEVERITIES=SEVERITIES)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
