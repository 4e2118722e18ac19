"""axe-core in the browser tests: the npm package installed by ``scripts/setup.sh --test`` (pinned in
``package-lock.json``), injected into every page by Playwright as an init script (init scripts are not
subject to the UI's Content-Security-Policy, so the page under test keeps its real headers)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(os.environ.get("SPILLWATCH_AXE", ROOT / "node_modules" / "axe-core" / "axe.min.js"))
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# what must be clean: axe's serious and moderate findings (and critical, which is worse than serious)
BLOCKING = frozenset({"critical", "serious", "moderate"})


def axe_script() -> Path:
    if not AXE.exists():
        message = f"{AXE} not found: run scripts/setup.sh --test (it runs npm ci for axe-core)"
        if IN_CI:
            pytest.fail(message + " (CI=true: the accessibility checks must run)", pytrace=False)
        pytest.skip(message)
    return AXE


def violations(page: Any) -> list[dict[str, Any]]:
    """axe's blocking violations on the page as it stands: rule id, impact, help and the elements."""
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in BLOCKING]


def describe(found: list[dict[str, Any]]) -> str:
    return "\n".join(f"  {v['id']} ({v['impact']}): {v['help']} at {v['nodes']}" for v in found)
