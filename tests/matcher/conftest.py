"""Fixtures for the matcher tests: the synthetic corpus, built once per session."""

from __future__ import annotations

import pytest

from tests.matcher.synthetic import Case, corpus


@pytest.fixture(scope="session")
def synthetic_cases() -> list[Case]:
    return corpus()
