"""Parsing the YAML config file: its structure validated by the config models, every problem reported
as ``file:line: key.path: what is wrong, what is expected``; line numbers come from PyYAML's node
tree, which keeps the position of every key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml
from pydantic import BaseModel, Field, ValidationError

from core.config_alerts import Alerts
from core.config_disclosure import Disclosure
from core.config_sites import Site
from core.config_vocabulary import Strict


class ConfigFile(Strict):
    settings: dict[str, Any] = Field(default_factory=dict)
    sites: list[Site] = Field(default_factory=list)
    alerts: Alerts = Field(default_factory=Alerts)
    disclosure: Disclosure = Field(default_factory=Disclosure)


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that also rejects duplicate keys (a silent override hides typos)."""


def _positions(node: yaml.Node, path: tuple[Any, ...], out: dict[tuple[Any, ...], int],
               problems: list[tuple[int, str]]) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                problems.append((key_node.start_mark.line + 1,
                                 f"{_dotted(path + (key,))}: duplicate key; keep only one"))
            seen.add(key)
            out[path + (key,)] = key_node.start_mark.line + 1
            _positions(value_node, path + (key,), out, problems)
            out[path + (key,)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _positions(item, path + (index,), out, problems)


def _dotted(path: tuple[Any, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _describe(error: Mapping[str, Any], model_fields: list[str]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"unknown key; expected one of: {', '.join(model_fields)}"
    if kind == "missing":
        return "required key is missing"
    message = str(error["msg"])
    message = message.removeprefix("Value error, ")
    return message[0].lower() + message[1:] if message else message


def _fields_at(path: tuple[Any, ...]) -> list[str]:
    """Allowed keys of the model that owns the mapping at ``path`` (for 'unknown key' messages)."""
    model: Any = ConfigFile
    for part in path:
        if isinstance(part, int):
            continue
        annotation = model.model_fields.get(part)
        if annotation is None:
            break
        candidate = annotation.annotation
        for arg in getattr(candidate, "__args__", ()) or (candidate,):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                candidate = arg
                break
            for inner in getattr(arg, "__args__", ()):
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    candidate = inner
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            model = candidate
        else:
            break
    return list(model.model_fields)


def parse_config_text(
    text: str, label: str
) -> tuple[ConfigFile | None, dict[str, Any], dict[tuple[Any, ...], int], list[str]]:
    """Parse and validate YAML text.

    Returns the validated file (None when its structure is invalid), the raw ``settings:`` mapping,
    the line of every key, and every structural problem as a ``file:line: key: message`` line.
    """
    try:
        root = yaml.compose(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        return None, {}, {}, [f"{label}:{line}: (yaml): {problem}; fix the YAML syntax"]
    positions: dict[tuple[Any, ...], int] = {}
    dup_problems: list[tuple[int, str]] = []
    if root is not None:
        _positions(root, (), positions, dup_problems)
    data = yaml.load(text, Loader=_LineLoader) if root is not None else {}
    if data is None:
        data = {}
    problems = [f"{label}:{line}: {msg}" for line, msg in dup_problems]
    if not isinstance(data, dict):
        return None, {}, positions, [f"{label}:1: (top level): expected a mapping with keys settings, "
                                     "sites, alerts"]
    given = data.get("settings")
    raw_settings: dict[str, Any] = given if isinstance(given, dict) else {}
    try:
        parsed: ConfigFile | None = ConfigFile.model_validate(data)
    except ValidationError as exc:
        parsed = None
        for error in exc.errors():
            loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))
            # pydantic adds union/literal branch names to loc; keep only real keys and indices
            loc = tuple(p for p in loc if isinstance(p, int) or p in _all_keys(data, loc))
            line = line_for(positions, loc)
            problems.append(f"{label}:{line}: {_dotted(loc)}: {_describe(error, _fields_at(loc[:-1]))}")
    if parsed is not None:
        problems.extend(_semantic_problems(parsed, positions, label))
    return parsed, raw_settings, positions, problems


def _all_keys(data: Any, loc: tuple[Any, ...]) -> set[str]:
    keys: set[str] = set()
    node = data
    for part in loc:
        if isinstance(node, dict):
            keys.update(str(k) for k in node)
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            break
    if isinstance(node, dict):
        keys.update(str(k) for k in node)
    return keys


def line_for(positions: Mapping[tuple[Any, ...], int], loc: tuple[Any, ...]) -> int:
    for end in range(len(loc), -1, -1):
        if loc[:end] in positions:
            return positions[loc[:end]]
    return 1


def _semantic_problems(cfg: ConfigFile, positions: Mapping[tuple[Any, ...], int], label: str) -> list[str]:
    """Cross-references that a per-field model cannot check."""
    problems: list[str] = []
    site_ids: set[str] = set()
    loc: tuple[str | int, ...]
    for index, site in enumerate(cfg.sites):
        if site.id in site_ids:
            loc = ("sites", index, "id")
            problems.append(f"{label}:{line_for(positions, loc)}: {_dotted(loc)}: duplicate site id "
                            f"{site.id!r}; each site needs its own id")
        site_ids.add(site.id)
    channel_names = {c.name for c in cfg.alerts.channels}
    for index, route in enumerate(cfg.alerts.routes):
        for c_index, name in enumerate(route.channels):
            if name not in channel_names:
                loc = ("alerts", "routes", index, "channels", c_index)
                known = ", ".join(sorted(channel_names)) or "none defined under alerts.channels"
                problems.append(f"{label}:{line_for(positions, loc)}: {_dotted(loc)}: no channel named "
                                f"{name!r}; expected one of: {known}")
        for s_index, site_id in enumerate(route.sites):
            if site_id != "*" and site_id not in site_ids:
                loc = ("alerts", "routes", index, "sites", s_index)
                problems.append(f"{label}:{line_for(positions, loc)}: {_dotted(loc)}: no site with id "
                                f"{site_id!r}; use a configured site id or '*'")
    return problems
