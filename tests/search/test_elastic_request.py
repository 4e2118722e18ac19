"""The Elasticsearch backend answers a page with one ``_search`` request: hits, total and facets together,
only the fields the page shows, a total counted up to a cap when no facets are asked, and the shard
request cache (which must never serve a page from before a refresh)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from indexer.search import SearchQuery
from indexer.search.elastic import ElasticsearchSearch
from tests.search.test_contract import doc


@pytest.fixture
def elastic(elasticsearch_url: str) -> Iterator[ElasticsearchSearch]:
    backend = ElasticsearchSearch(elasticsearch_url, f"spillwatch-test-{uuid.uuid4().hex[:10]}", total_cap=5)
    backend.ensure_ready()
    yield backend
    backend.client.indices.delete(index=backend.index_name, ignore_unavailable=True)
    backend.close()


def recorded_requests(backend: ElasticsearchSearch) -> list[tuple[str, str]]:
    """Every HTTP request the backend's client sends from now on, as (method, path with query string)."""
    calls: list[tuple[str, str]] = []
    send = backend.client.transport.perform_request

    def spy(method: str, target: str, **kwargs: Any) -> Any:
        calls.append((method, target))
        return send(method, target, **kwargs)

    backend.client.transport.perform_request = spy  # type: ignore[method-assign]
    return calls


def test_one_request_per_page_with_only_the_shown_fields(elastic: ElasticsearchSearch) -> None:
    elastic.index([doc(f"d{i}", f"roster of releases {i}", has_finding=i == 0, severity="high" if i == 0 else None,
                       masked_text="r***** of releases" if i == 1 else None, note="internal") for i in range(8)])
    elastic.refresh()
    calls = recorded_requests(elastic)
    result = elastic.search(SearchQuery(text="roster"))
    viewer = elastic.search(SearchQuery(text="releases", masked=True))
    assert [c[0] for c in calls] == ["POST", "POST"] and all("/_search" in c[1] for c in calls)
    plain, masked = (parse_qs(urlsplit(c[1]).query) for c in calls)
    assert plain["request_cache"] == ["true"]
    shown = set(plain["_source_includes"][0].split(","))
    assert "text" in shown and not shown & {"extra", "body_folded", "masked_text", "masked_title"}
    assert {"masked_text", "masked_title"} <= set(masked["_source_includes"][0].split(","))
    assert result.total == 8 and result.total_exact and result.facets["has_finding"] == {"true": 1, "false": 7}
    assert {h.id for h in viewer.hits} == {f"d{i}" for i in range(1, 8)}  # d0's finding is masked for viewers
    by_id = {h.id: h for h in viewer.hits}
    assert by_id["d1"].highlights and "".join(t for t, _ in by_id["d1"].highlights[0]).startswith("r***** of")


def test_total_is_capped_without_facets_and_exact_with_them(elastic: ElasticsearchSearch) -> None:
    elastic.index([doc(f"d{i}", "detention roster") for i in range(12)])
    elastic.refresh()
    capped = elastic.search(SearchQuery(text="roster", facets=False, per_page=3))
    assert (capped.total, capped.total_exact, capped.total_label) == (5, False, "5+")
    assert len(capped.hits) == 3
    faceted = elastic.search(SearchQuery(text="roster", per_page=3))
    assert (faceted.total, faceted.total_exact, faceted.total_label) == (12, True, "12")
    assert faceted.facets["site"] == {"ice": 12}


def test_request_cache_never_serves_a_page_from_before_a_refresh(elastic: ElasticsearchSearch) -> None:
    elastic.index([doc("a", "asylum hearing"), doc("b", "asylum court")])
    elastic.refresh()
    query = SearchQuery(text="asylum")
    assert elastic.search(query).total == elastic.search(query).total == 2  # the second from the cache
    elastic.index([doc("c", "asylum office")])
    elastic.refresh()
    again = elastic.search(query)
    assert again.total == 3 and {h.id for h in again.hits} == {"a", "b", "c"}
    assert again.facets["site"] == {"ice": 3}
