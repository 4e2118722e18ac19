"""Every package of the project is in what ``pip install`` installs (a package left out works from a
checkout, where the current folder is on ``sys.path``, and fails in an installed copy or a container)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from setuptools import find_packages

ROOT = Path(__file__).resolve().parents[2]
NOT_SHIPPED = {"tests", "bench", "scripts"}  # run from a checkout only


def _packages() -> set[str]:
    return {p.parent.name for p in ROOT.glob("*/__init__.py")} - NOT_SHIPPED


def test_every_top_level_package_is_installed() -> None:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    include = setuptools["packages"]["find"]["include"]
    installed = {name.split(".")[0] for name in find_packages(str(ROOT), include=include)}
    assert _packages() - installed == set(), "add these to [tool.setuptools.packages.find] include in pyproject.toml"


def test_the_image_copies_every_package() -> None:
    copied = {line.split()[1] for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
              if line.startswith("COPY ")}
    assert _packages() - copied == set(), "add a COPY line for these to the Dockerfile"
