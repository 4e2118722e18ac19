"""``spillwatch alerts test|list|retry|dispatch`` through the real CLI entry point."""

from __future__ import annotations

import json
import time

import pytest
import yaml

from spillwatch.cli import main


@pytest.fixture
def cli(tmp_path, monkeypatch, slack_server):
    config = {
        "settings": {"data_dir": str(tmp_path / "data"), "allow_private_addresses": True, "alert_timeout": "0.5s",
                     "alert_retry_delay": "0.05s", "alert_max_attempts": 2},
        "alerts": {"channels": [{"name": "ngo-slack", "kind": "slack", "url_env": "NGO_SLACK_URL"},
                                {"name": "partner", "kind": "webhook", "url_env": "PARTNER_URL"}],
                   "routes": [{"name": "urgent", "channels": ["ngo-slack"]},
                              {"name": "partner", "channels": ["partner"]}]},
    }
    path = tmp_path / "spillwatch.yml"
    path.write_text(yaml.safe_dump(config))
    monkeypatch.setenv("NGO_SLACK_URL", slack_server.url)
    monkeypatch.setenv("PARTNER_URL", slack_server.url)
    monkeypatch.delenv("SPILLWATCH_WEBHOOK_SECRET", raising=False)

    def run(*argv: str) -> int:
        return main(["--config", str(path), "alerts", *argv])

    return run


def test_alerts_test_list_retry(cli, capsys, slack_server, monkeypatch):
    assert cli("test", "--route", "urgent") == 0
    out = capsys.readouterr().out
    assert out.strip() == "delivery 1: route urgent → channel ngo-slack (slack): sent"
    (post,) = slack_server.received
    assert post.json["text"].startswith("[Spillwatch TEST]")

    assert cli("test") == 1  # every route: the partner webhook has no signing key
    out = capsys.readouterr().out
    assert "delivery 2: route urgent → channel ngo-slack (slack): sent" in out
    assert "delivery 3: route partner → channel partner (webhook): failed — webhook channel 'partner': " \
           "no signing key; set SPILLWATCH_WEBHOOK_SECRET" in out

    assert cli("list", "--failed") == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[1].split()[:3] == ["3", "failed", "1"]

    assert cli("list", "--json") == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["status"] for r in rows] == ["failed", "sent", "sent"]

    monkeypatch.setenv("SPILLWATCH_WEBHOOK_SECRET", "now-configured")
    assert cli("retry", "3") == 0
    out = capsys.readouterr().out
    assert "reset 1 delivery: 3" in out and "delivery 3: route partner → channel partner (webhook): sent" in out
    assert cli("retry", "3") == 1
    assert "nothing to retry" in capsys.readouterr().out


def test_retry_all_failed_and_argument_errors(cli, capsys, slack_server):
    slack_server.script = ["500", "500"]
    assert cli("test", "--route", "urgent") == 1
    time.sleep(0.1)  # alert_retry_delay is 0.05s
    assert cli("dispatch") == 0  # attempt 2 of 2: dead
    assert "dead 1" in capsys.readouterr().out
    assert cli("list", "--failed") == 0
    assert " dead " in capsys.readouterr().out
    assert cli("retry", "--all-failed", "--no-send") == 0
    assert "reset 1 delivery: 1" in capsys.readouterr().out
    assert cli("dispatch") == 0
    assert "sent 1" in capsys.readouterr().out
    assert cli("retry") == 2
    assert "give delivery ids or --all-failed" in capsys.readouterr().err
    assert cli("test", "--route", "nope") == 2
    assert "no route named 'nope'; known: urgent, partner" in capsys.readouterr().err


def test_help_names_every_notifier_kind(capsys):
    with pytest.raises(SystemExit):
        main(["alerts", "--help"])
    assert "email, slack, webhook" in capsys.readouterr().out
