"""The notifier kinds are one vocabulary: config, registry, docs and --help; alert settings are documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from alerts.notifiers import NOTIFIERS
from core.config import NOTIFIER_KINDS, Channel
from core.settings import SETTINGS
from spillwatch.cli import build_parser

DOCS = (Path(__file__).resolve().parents[2] / "docs" / "alerts.md").read_text(encoding="utf-8")


def test_kinds_agree_everywhere():
    assert tuple(NOTIFIERS) == NOTIFIER_KINDS
    assert "unknown notifier kind 'pager'" in str(pytest.raises(ValueError, Channel, name="c", kind="pager").value)
    help_text = next(a for a in build_parser()._actions if a.dest == "command_name").choices["alerts"].format_help()
    for kind in NOTIFIERS:
        assert f"### `kind: {kind}`" in DOCS
        assert kind in help_text


def test_alert_settings_are_documented():
    names = [s.name for s in SETTINGS if s.name.startswith(("alert_", "smtp_", "slack_", "webhook_"))
             or s.name in ("min_alert_severity", "base_url", "allow_private_addresses")]
    assert len(names) >= 15
    missing = [n for n in names if f"| `{n}` |" not in DOCS]
    assert not missing, f"document these settings in docs/alerts.md: {missing}"
