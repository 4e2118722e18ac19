"""Twenty analysts at once, bounded (issue 12 item 4): the UI and API on the production server
(waitress, few threads) answer every request of twenty concurrent clients, and a prefix query that
expands too far answers "refine your search" instead of holding the server.  Pass/fail only; the
latency figures come from bench/load.py."""

from __future__ import annotations

import http.cookiejar
import random
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from tests.services.procs import free_port
from tests.web.conftest import PASSWORDS, WebEnv, build_env, close_env, settings_for
from web import create_replay_app
from web.server import Servers, serve

CLIENTS = 20
PER_CLIENT = 12


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[WebEnv, str]]:
    folder = tmp_path_factory.mktemp("load")
    port = free_port()
    # a prefix may expand to 3 words at most: "d*" (detainee, detention, data…) is too broad here
    settings = settings_for(folder, web_port=port, replay_port=free_port(), search_max_prefix_terms=3)
    env = build_env(settings, folder)
    env.app.config["TESTING"] = False
    servers: Servers = serve(env.app, "127.0.0.1", port, create_replay_app(env.config), "127.0.0.1",
                             free_port(), threads=4, connection_limit=50)
    try:
        yield env, servers.urls[0]
    finally:
        servers.stop()
        close_env(env)


def _session(base: str) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(base + "/login", timeout=60).read().decode()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf is not None
    form = urllib.parse.urlencode({"name": "analyst", "password": PASSWORDS["analyst"],
                                   "csrf_token": csrf.group(1)}).encode()
    opener.open(base + "/login", data=form, timeout=60).read()
    return opener


def _get(opener: urllib.request.OpenerDirector, url: str, token: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with opener.open(request, timeout=120) as answer:
            return int(answer.status), answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read().decode("utf-8", "replace")


def test_twenty_clients_all_answered_and_broad_prefixes_refused(served: tuple[WebEnv, str]) -> None:
    env, base = served
    token = env.token("analyst")
    archive = env.archive
    paths: list[tuple[str, bool, int]] = [  # path, API, expected status
        ("/search?q=monthly+figures", False, 200), ("/search?q=d*", False, 422),
        ("/api/v1/search?q=totals", True, 200), ("/api/v1/search?q=d*", True, 422),
        (f"/captures/{archive.page_v2}", False, 200), (f"/captures/{archive.table}", False, 200),
        (f"/findings/{archive.finding}", False, 200), ("/search?q=detainee", False, 200),
    ]
    outcomes: list[tuple[str, int, str]] = []
    lock = threading.Lock()

    def client(seed: int) -> None:
        rng = random.Random(seed)
        opener = _session(base)
        for _ in range(PER_CLIENT):
            path, api, expected = rng.choice(paths)
            status, body = _get(opener, base + path, token if api else None)
            with lock:
                outcomes.append((path, status, body if status != expected or status == 422 else ""))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert len(outcomes) == CLIENTS * PER_CLIENT
    expected = {path: status for path, _api, status in paths}
    wrong = [(path, status, body[:200]) for path, status, body in outcomes if status != expected[path]]
    assert not wrong
    refused = [body for path, status, body in outcomes if status == 422]
    assert all("refine your search" in body for body in refused)
