"""Documentation stays complete: every setting, config key and command is documented."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from core.config import ConfigFile
from core.settings import SETTINGS
from spillwatch.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
EXAMPLE = (ROOT / "config" / "spillwatch.example.yml").read_text(encoding="utf-8")


def test_every_setting_is_in_the_readme_table() -> None:
    missing = [s.name for s in SETTINGS if f"| `{s.name}` | `{s.env_var}` |" not in README]
    assert not missing, f"add these settings to README.md (spillwatch settings --markdown): {missing}"


def test_every_setting_is_in_the_example_config() -> None:
    missing = [s.name for s in SETTINGS if not re.search(rf"^\s*#?\s*{s.name}:", EXAMPLE, re.MULTILINE)]
    assert not missing, f"document these settings in config/spillwatch.example.yml: {missing}"


def _model_keys(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[str]:
    keys: set[str] = set()
    if model in seen:
        return keys
    seen.add(model)
    for name, info in model.model_fields.items():
        keys.add(name)
        stack = [info.annotation]
        while stack:
            annotation = stack.pop()
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                keys |= _model_keys(annotation, seen)
            stack.extend(getattr(annotation, "__args__", ()))
    return keys


def test_every_config_key_is_in_the_example_config() -> None:
    keys = _model_keys(ConfigFile, set())
    missing = sorted(k for k in keys if not re.search(rf"(^|[\s{{,-])#?\s*{k}:", EXAMPLE, re.MULTILINE))
    assert not missing, f"document these keys in config/spillwatch.example.yml: {missing}"


def test_every_command_is_in_the_readme() -> None:
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command_name").choices
    missing = [name for name in commands if f"spillwatch {name}" not in README]
    assert not missing, f"document these commands in README.md: {missing}"


def test_changelog_follows_keep_a_changelog() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.startswith("# Changelog")
    assert "## [Unreleased]" in changelog
