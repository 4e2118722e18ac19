"""Config file validation: line-numbered problems, unknown keys are errors, CLI exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from core.config import load_config
from core.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "config" / "spillwatch.example.yml"


def problems_for(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "broken.yml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path, {}, {})
    return [p.replace(str(path), "F") for p in info.value.problems]


def test_example_config_is_valid() -> None:
    config = load_config(EXAMPLE, {}, {})
    assert [s.id for s in config.sites] == ["example-agency"]
    assert {c.kind for c in config.alerts.channels} == {"email", "slack", "webhook"}


def test_unknown_keys_are_errors_with_line_and_expected_keys(tmp_path: Path) -> None:
    problems = problems_for(tmp_path, "sites:\n  - id: ice\n    seeds: [https://ice.example.gov/]\n"
                                      "    max_deph: 3\nalert:\n  routes: []\n")
    assert "F:4: sites[0].max_deph: unknown key; expected one of: id, name, seeds" in problems[0]
    assert problems[1].startswith("F:5: alert: unknown key; expected one of: settings, sites, alerts")


def test_type_errors_and_semantic_cross_references(tmp_path: Path) -> None:
    problems = problems_for(tmp_path, """\
sites:
  - id: ice
    seeds: [https://ice.example.gov/]
    max_pages: lots
    schedule: {cron: "every day"}
alerts:
  channels:
    - {name: mail, kind: email, to: [a@example.org]}
  routes:
    - name: r
      min_severity: urgent
      channels: [mail]
""")
    assert any(p.startswith("F:4: sites[0].max_pages: ") and "integer" in p for p in problems)
    assert any(p.startswith("F:5: sites[0].schedule: ") and "5 fields" in p for p in problems)
    assert any(p.startswith("F:11: alerts.routes[0].min_severity: ") and "'medium'" in p for p in problems)


def test_route_refers_to_unknown_channel_and_site(tmp_path: Path) -> None:
    problems = problems_for(tmp_path, """\
sites:
  - id: ice
    seeds: [https://ice.example.gov/]
alerts:
  channels:
    - {name: mail, kind: email, to: [a@example.org]}
  routes:
    - name: r
      sites: [cbp]
      channels: [mial]
""")
    assert "F:10: alerts.routes[0].channels[0]: no channel named 'mial'; expected one of: mail" in problems
    assert any(p.startswith("F:9: alerts.routes[0].sites[0]: no site with id 'cbp'") for p in problems)


def test_duplicates_yaml_errors_and_secrets(tmp_path: Path) -> None:
    assert problems_for(tmp_path, "settings:\n  log_level: info\n  log_level: debug\n") == [
        "F:3: settings.log_level: duplicate key; keep only one"]
    assert problems_for(tmp_path, "sites: [\n")[0].startswith("F:2: (yaml): ")
    secret = problems_for(tmp_path, "settings:\n  smtp_password: hunter2\n")
    assert secret == ["F:2: settings.smtp_password: secrets are read from the environment only; remove it "
                      "here and set SPILLWATCH_SMTP_PASSWORD"]


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "spillwatch", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)


def test_cli_check_config_exit_codes(tmp_path: Path) -> None:
    good = run_cli("check-config", str(EXAMPLE))
    assert good.returncode == 0, good.stderr
    assert "ok — 1 site(s)" in good.stdout
    broken = tmp_path / "broken.yml"
    broken.write_text("settings:\n  log_levl: info\n")
    bad = run_cli("check-config", str(broken))
    assert bad.returncode == 2
    assert f"{broken}:2: settings.log_levl: unknown setting (did you mean log_level?)" in bad.stderr
    missing = run_cli("check-config", str(tmp_path / "nope.yml"))
    assert missing.returncode == 2 and "file not found" in missing.stderr


def test_cli_help_and_settings() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("check-config", "settings", "demo"):
        assert command in result.stdout
    effective = run_cli("--data-dir", "/tmp/x", "settings", "--effective")
    assert "data_dir = '/tmp/x'  (command line)" in effective.stdout
