"""Settings precedence: defaults < config file < environment < command line; secrets from env only."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import load_config
from core.errors import ConfigError
from core.settings import SETTINGS, parse_duration, parse_size, resolve


def test_defaults() -> None:
    settings = resolve({}, {}, {})
    assert settings.data_dir == "./spillwatch-data"
    assert settings.search_backend == "sqlite"
    assert settings.max_response_size == 200_000_000
    assert settings.source("data_dir") == "default"
    assert settings.catalog_url.endswith("spillwatch-data/catalog.sqlite3")


def test_precedence_file_env_cli() -> None:
    file_values = {"log_level": "warning", "web_port": 9000, "smtp_port": 2525}
    env = {"SPILLWATCH_WEB_PORT": "9100", "SPILLWATCH_SMTP_PORT": "2626"}
    settings = resolve(file_values, env, {"smtp_port": "2727"})
    assert (settings.log_level, settings.source("log_level")) == ("warning", "config file")
    assert (settings.web_port, settings.source("web_port")) == (9100, "env SPILLWATCH_WEB_PORT")
    assert (settings.smtp_port, settings.source("smtp_port")) == (2727, "command line")


def test_secrets_only_from_environment() -> None:
    with pytest.raises(ConfigError) as info:
        resolve({"smtp_password": "hunter2"}, {}, {})
    assert "SPILLWATCH_SMTP_PASSWORD" in str(info.value)
    with pytest.raises(ConfigError):
        resolve({}, {}, {"secret_key": "x"})
    settings = resolve({}, {"SPILLWATCH_SMTP_PASSWORD": "hunter2"}, {})
    assert settings.smtp_password == "hunter2"
    assert settings.redacted()["smtp_password"] == "***"


def test_every_problem_reported_with_suggestion() -> None:
    with pytest.raises(ConfigError) as info:
        resolve({"log_levl": "info", "smtp_port": "many"}, {"SPILLWATCH_LOG_JSON": "maybe"}, {})
    problems = info.value.problems
    assert len(problems) == 3
    assert any("did you mean log_level" in p for p in problems)
    assert any("smtp_port: 'many' is not an integer" in p for p in problems)
    assert any(p.startswith("env SPILLWATCH_LOG_JSON: log_json") for p in problems)


def test_replay_must_be_a_separate_origin() -> None:
    with pytest.raises(ConfigError, match="replay_port"):
        resolve({"web_port": 8000, "replay_port": 8000}, {}, {})


@pytest.mark.parametrize(("raw", "expected"), [("200MB", 200_000_000), ("1GiB", 2**30), (1024, 1024),
                                               ("1.5 kb", 1500)])
def test_sizes(raw: object, expected: int) -> None:
    assert parse_size(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [("90", 90.0), ("5m", 300.0), ("6h", 21600.0), (2, 2.0)])
def test_durations(raw: object, expected: float) -> None:
    assert parse_duration(raw) == expected


def test_bad_size_and_duration_say_what_is_expected() -> None:
    with pytest.raises(ValueError, match="200MB"):
        parse_size("lots")
    with pytest.raises(ValueError, match="5m"):
        parse_duration("soon")


def test_config_file_then_env_then_cli(tmp_path: Path) -> None:
    path = tmp_path / "c.yml"
    path.write_text("settings:\n  data_dir: /from/file\n  log_level: debug\n")
    config = load_config(path, {"SPILLWATCH_DATA_DIR": "/from/env"}, {"log_level": "error"})
    assert config.settings.data_dir == "/from/env"
    assert config.settings.log_level == "error"


def test_settings_table_is_well_formed() -> None:
    names = [s.name for s in SETTINGS]
    assert len(names) == len(set(names))
    for setting in SETTINGS:
        assert setting.help.strip(), setting.name
        setting.parse(setting.default)  # every default parses


def test_settings_class_declares_every_setting_with_its_type() -> None:
    """mypy sees settings through the TYPE_CHECKING block of ``Settings``; it must match the table."""
    import inspect

    import core.settings as module

    source = inspect.getsource(module.Settings)
    assert module.typed_attributes() in source, "regenerate with `python -m core.settings --annotations`"
