"""The search page gives the same results on SQLite FTS5 and on a real Elasticsearch node."""

from __future__ import annotations

import re

from core.settings import Settings
from tests.web.conftest import WebEnv

HIT = re.compile(r'<article class="hit">\s*<h2>\s*<a href="/captures/(\d+)">')


def hits(env: WebEnv, query: str) -> list[int]:
    html = env.client("viewer").get("/search?" + query).get_data(as_text=True)
    return [int(x) for x in HIT.findall(html)]


def test_search_filters_facets_sorting_pagination(make_env, search_settings: Settings, tmp_path) -> None:
    env = make_env(search_settings.replace(data_dir=str(tmp_path / "data")))
    a = env.archive
    assert hits(env, "q=monthly+figures&sort=newest") == [a.page_v2, a.page_v1]
    assert hits(env, "q=monthly+figures&sort=oldest") == [a.page_v1, a.page_v2]
    assert hits(env, "q=november") == [a.page_v2]
    assert hits(env, "q=%22figures+for+october%22") == [a.page_v1]
    assert hits(env, "q=monthly+-november") == [a.page_v1]
    assert hits(env, "q=monthly&from=2022-11-28") == [a.page_v2]
    assert hits(env, "q=monthly&to=2022-11-27") == [a.page_v1]
    with_findings = set(hits(env, "has_finding=yes&sort=newest"))
    assert a.table_v2 in with_findings and a.zip_file in with_findings and a.page_v2 not in with_findings
    assert set(hits(env, "severity=critical")) == with_findings
    assert hits(env, "media_type=application/zip") == [a.zip_file]
    assert hits(env, "site=agency&q=november") == [a.page_v2]
    assert hits(env, "site=elsewhere&q=november") == []
    html = env.client("viewer").get("/search?sort=newest").get_data(as_text=True)
    assert re.search(r'name="media_type" value="text/html"\s*>\s*<span>Web page <code class="cli-name"[^>]*>html</code>'
                     r' <span class="muted">3</span>', html)
    assert re.search(r'name="site" value="agency"\s*>\s*<span>agency <span class="muted">\d+</span>', html)
    first = hits(env, "sort=oldest&per_page=2")
    second = hits(env, "sort=oldest&per_page=2&page=2")
    assert len(first) == 2 and len(second) == 2 and not set(first) & set(second)
    assert "page 1 of" in env.client("viewer").get("/search?sort=oldest&per_page=2").get_data(as_text=True)
    token = env.token("viewer")
    api = env.anonymous().get("/api/v1/search?q=monthly&sort=oldest&per_page=1&page=2",
                              headers={"Authorization": f"Bearer {token}"}).get_json()
    assert api["total"] == 2 and api["pages"] == 2 and [h["capture_id"] for h in api["hits"]] == [a.page_v2]
    assert api["facets"]["media_type"] == {"text/html": 2}


def test_a_search_beyond_the_rank_window_says_what_it_covers(make_env, make_settings, tmp_path) -> None:
    env = make_env(make_settings(search_backend="sqlite", search_rank_window=1, data_dir=str(tmp_path / "data")))
    html = env.client("viewer").get("/search?q=monthly").get_data(as_text=True)
    assert len(HIT.findall(html)) == 1
    assert re.search(r'id="search-scope">Ranked, and counted by site, type and severity, among the 1 most recently '
                     r'indexed of the 2 matches', html)
    token = env.token("viewer")
    api = env.anonymous().get("/api/v1/search?q=monthly", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert (api["total"], api["total_exact"], api["ranked_among"], api["pages"]) == (2, True, 1, 1)
    assert "search-scope" not in env.client("viewer").get("/search?q=november").get_data(as_text=True)
