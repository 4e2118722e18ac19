"""The vocabularies of the config file, each listed once, and what every config model shares: the
strict base model (``extra="forbid"``: a typo is an error) and the checks of a choice, a duration
and a list of regular expressions."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from core.models import FindingKind, Severity
from core.settings import parse_duration

# The vocabularies of the config file, each listed once: document types the crawler follows, the
# notifier kinds (alerts/notifiers/ registers one class per kind; tests/alerts/test_registry.py
# checks both sides), finding kinds and severities from core.models.
DOCUMENT_TYPES = ("html", "pdf", "csv", "tsv", "xls", "xlsx", "ods", "docx", "json", "zip")
FINDING_KINDS = tuple(kind.value for kind in FindingKind)
SEVERITIES = Severity.names()
NOTIFIER_KINDS = ("email", "slack", "webhook", "apprise")
# How a site's HTML pages are fetched (docs/crawler.md "Rendered crawling"): `plain` by Scrapy only;
# `browser` also rendered by headless Chromium; `auto` rendered when the page has scripts and little
# text (crawler/render.py `needs_render`).
RENDER_MODES = ("plain", "auto", "browser")
# How a public archive is asked whether it holds a copy (docs/disclosure.md "Mirror sweep"): the
# CDX server API (the Wayback Machine's, pywb's) or a Memento TimeMap.
MIRROR_KINDS = ("cdx", "memento")


def one_of(value: str, choices: tuple[str, ...], what: str) -> str:
    if value not in choices:
        raise ValueError(f"unknown {what} {value!r}; expected one of: {', '.join(map(repr, choices))}")
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def check_duration(value: str | int | float) -> str | int | float:
    parse_duration(value)
    return value


def check_regexes(values: list[str]) -> list[str]:
    for pattern in values:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"{pattern!r} is not a valid regular expression ({exc})") from None
    return values
