"""Fixtures of the web tests: an app over a real catalog and search index loaded through the indexer,
three users (one per role) and logged-in test clients that handle CSRF tokens like a browser."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, update

from core.catalog import open_catalog
from core.catalog.schema import users as users_table
from core.config import Config
from core.settings import Settings, resolve
from indexer.search import open_search
from tests.web.archive import Archive, build_archive, site_config
from web import accounts, create_app

PASSWORDS = {"admin": "admin-password-1", "analyst": "analyst-password-1", "viewer": "viewer-password-1"}
# Admins must log in with a TOTP code: the test admin is enrolled with this key.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


class Client:
    """A test client logged in as one user; ``post`` adds the CSRF token unless told not to."""

    def __init__(self, app: Flask, name: str, password: str) -> None:
        self.http: FlaskClient = app.test_client()
        self.name = name
        page = self.http.get("/login")
        response = self.http.post("/login", data={"name": name, "password": password,
                                                  "csrf_token": csrf_from(page.get_data(as_text=True))})
        assert response.status_code == 302, response.get_data(as_text=True)
        if response.headers["Location"].startswith("/login/verify"):
            with app.extensions["spillwatch"].engine.begin() as conn:  # a code may be used once per 30 s
                conn.execute(update(users_table).where(users_table.c.name == name).values(totp_last_step=0))
            form = self.http.get("/login/verify").get_data(as_text=True)
            response = self.http.post("/login/verify", data={"code": pyotp.TOTP(TOTP_SECRET).now(),
                                                             "csrf_token": csrf_from(form)})
            assert response.status_code == 302, response.get_data(as_text=True)
        self.token = csrf_from(self.http.get("/").get_data(as_text=True))

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.http.get(url, **kwargs)

    def post(self, url: str, data: dict[str, Any] | None = None, csrf: bool = True, **kwargs: Any) -> Any:
        form = dict(data or {})
        if csrf:
            form["csrf_token"] = self.token
        return self.http.post(url, data=form, **kwargs)


@dataclass
class WebEnv:
    config: Config
    engine: Engine
    search: Any
    app: Flask
    archive: Archive
    users: dict[str, accounts.Account] = field(default_factory=dict)
    _clients: dict[str, Client] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        return self.config.settings

    def client(self, role: str) -> Client:
        if role not in self._clients:
            self._clients[role] = Client(self.app, role, PASSWORDS[role])
        return self._clients[role]

    def anonymous(self) -> FlaskClient:
        return self.app.test_client()

    def token(self, role: str) -> str:
        with self.engine.begin() as conn:
            return accounts.issue_token(conn, self.users[role].id)


def build_env(settings: Settings, folder: Path, beacon: str = "http://127.0.0.1:9") -> WebEnv:
    config = Config(settings=settings, sites=site_config())
    engine = open_catalog(settings)
    search = open_search(settings)
    archive = build_archive(config, engine, search, folder / "warcs", beacon=beacon)
    users = {}
    with engine.begin() as conn:
        for role, password in PASSWORDS.items():
            users[role] = accounts.create(conn, role, role, password)
        enrol_admin(conn, users["admin"].id)
    return _assemble(config, engine, search, archive, users)


def enrol_admin(conn: Connection, user_id: int) -> None:
    conn.execute(update(users_table).where(users_table.c.id == user_id).values(
        totp_secret=TOTP_SECRET, totp_enabled=True, totp_last_step=0))


def reset_totp_step(env: WebEnv, name: str) -> None:
    with env.engine.begin() as conn:
        conn.execute(update(users_table).where(users_table.c.name == name).values(totp_last_step=0))


def _assemble(config: Config, engine: Engine, search: Any, archive: Archive,
              users: dict[str, accounts.Account]) -> WebEnv:
    app = create_app(config, engine=engine)
    app.config["TESTING"] = True
    return WebEnv(config, engine, search, app, archive, users)


def close_env(env: WebEnv) -> None:
    env.app.extensions["spillwatch"].close()
    if env.search.name == "elasticsearch":
        env.search.client.indices.delete(index=env.settings.elasticsearch_index, ignore_unavailable=True)
    env.search.close()


def settings_for(folder: Path, **values: Any) -> Settings:
    base: dict[str, Any] = {"data_dir": str(folder / "data"), "allow_private_addresses": "true"}
    base.update({k: str(v) for k, v in values.items()})
    secret = {"SPILLWATCH_SECRET_KEY": "test-secret-key-for-web-tests"}
    if "database_url" in base:
        secret["SPILLWATCH_DATABASE_URL"] = base.pop("database_url")
    return resolve({}, secret, base)


@pytest.fixture(scope="module")
def shared_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebEnv]:
    """One archive for the read-only tests of a module (SQLite catalog and search)."""
    folder = tmp_path_factory.mktemp("web")
    env = build_env(settings_for(folder), folder)
    yield env
    close_env(env)


@pytest.fixture(scope="session")
def archive_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Archive, dict[str, accounts.Account]]:
    """The archive built once (SQLite catalog and search files); each ``env`` starts from a copy."""
    folder = tmp_path_factory.mktemp("web-template")
    built = build_env(settings_for(folder), folder)
    close_env(built)  # closes the SQLite files, so that copies are complete
    return folder / "data", built.archive, built.users


@pytest.fixture
def env(tmp_path: Path, archive_template: tuple[Path, Archive, dict[str, accounts.Account]]) -> Iterator[WebEnv]:
    """A fresh copy of the archive for tests that change things (SQLite catalog and search)."""
    data, archive, users = archive_template
    shutil.copytree(data, tmp_path / "data")
    settings = settings_for(tmp_path)
    built = _assemble(Config(settings=settings, sites=site_config()), open_catalog(settings), open_search(settings),
                      archive, users)
    yield built
    close_env(built)


@pytest.fixture
def make_env(tmp_path: Path) -> Iterator[Callable[..., WebEnv]]:
    """Build an env from given settings (e.g. the lead's ``search_settings`` or a PostgreSQL catalog)."""
    built: list[WebEnv] = []

    def factory(settings: Settings, beacon: str = "http://127.0.0.1:9") -> WebEnv:
        env = build_env(settings, tmp_path, beacon=beacon)
        built.append(env)
        return env

    yield factory
    for item in built:
        close_env(item)
