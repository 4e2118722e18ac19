"""The search contract: the same cases against SQLite FTS5 and a real Elasticsearch node."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.models import SearchDocument
from indexer.search import SearchQuery, open_search
from indexer.search.base import SearchBackend

T0 = datetime(2022, 11, 28, 9, 0, tzinfo=UTC)


def doc(doc_id: str, text: str = "", *, title: str = "", site: str = "ice", media_type: str = "text/html",
        at: datetime = T0, has_finding: bool = False, severity: str | None = None, masked_text: str | None = None,
        **extra: Any) -> SearchDocument:
    return SearchDocument(id=doc_id, url=f"https://{site}.example.gov/{doc_id}", site=site, media_type=media_type,
                          captured_at=at, title=title, text=text, has_finding=has_finding, severity=severity,
                          capture_id=abs(hash(doc_id)) % 10_000, extra=extra, masked_text=masked_text)


def ids(backend: SearchBackend, **query: Any) -> list[str]:
    backend.refresh()
    return [h.id for h in backend.search(SearchQuery(**query)).hits]


def test_round_trip_get(search_backend: SearchBackend) -> None:
    original = doc("a", "Detention statistics for FY2022.", title="Detention stats", media_type="text/html",
                   has_finding=True, severity="critical", note="kept")
    assert search_backend.index([original]) == 1
    search_backend.refresh()
    stored = search_backend.get("a")
    assert stored is not None
    assert (stored.url, stored.site, stored.title, stored.text) == (original.url, "ice", "Detention stats",
                                                                    original.text)
    assert stored.captured_at == T0 and stored.has_finding and stored.severity == "critical"
    assert stored.extra == {"note": "kept"}
    assert search_backend.get("missing") is None


def test_texts_of_several_documents_at_once(search_backend: SearchBackend) -> None:
    search_backend.index([doc("a", "Détention: 12 releases"), doc("b", "second text"), doc("c", "")])
    # no refresh: the indexer reads texts it wrote in the batch before
    assert search_backend.texts(["a", "c", "missing", "a"]) == {"a": "Détention: 12 releases", "c": ""}
    assert search_backend.texts([]) == {}


def test_reindexing_same_id_replaces(search_backend: SearchBackend) -> None:
    search_backend.index([doc("a", "old wording about parole")])
    search_backend.index([doc("a", "new wording about asylum")])
    assert search_backend.count() == 1
    assert ids(search_backend, text="asylum") == ["a"]
    assert ids(search_backend, text="parole") == []


def test_delete(search_backend: SearchBackend) -> None:
    search_backend.index([doc("a", "one"), doc("b", "two")])
    assert search_backend.delete(["a", "nope"]) == 1
    assert search_backend.count() == 1
    assert ids(search_backend, text="one") == []


def test_accents_and_case_fold_both_ways(search_backend: SearchBackend) -> None:
    search_backend.index([doc("a", "Lista de José Müller, São Paulo"), doc("b", "Jose Muller report")])
    assert sorted(ids(search_backend, text="jose")) == ["a", "b"]
    assert sorted(ids(search_backend, text="JOSÉ MÜLLER")) == ["a", "b"]
    assert ids(search_backend, text="sao paulo") == ["a"]


def test_highlights_show_original_text_as_segments(search_backend: SearchBackend) -> None:
    search_backend.index([doc("a", "Intro. The list of José <script>x</script> detainees was posted.")])
    search_backend.refresh()
    hit = search_backend.search(SearchQuery(text="jose detainees")).hits[0]
    marked = [text for fragment in hit.highlights for text, matched in fragment if matched]
    assert marked == ["José", "detainees"]
    joined = "".join(text for fragment in hit.highlights for text, _ in fragment)
    assert "<script>" in joined  # plain text: escaping is the UI's job, never pre-rendered markup


def test_phrase_prefix_and_negation(search_backend: SearchBackend) -> None:
    search_backend.index([
        doc("a", "detention statistics monthly"),
        doc("b", "statistics on detention centers"),
        doc("c", "detainee list"),
    ])
    assert ids(search_backend, text='"detention statistics"') == ["a"]
    assert sorted(ids(search_backend, text="detention statistics")) == ["a", "b"]
    assert sorted(ids(search_backend, text="deten*")) == ["a", "b"]
    assert sorted(ids(search_backend, text="DET*")) == ["a", "b", "c"]
    assert ids(search_backend, text="statistics -centers") == ["a"]
    assert sorted(ids(search_backend, text="-statistics")) == ["c"]


def test_filters_and_facets(search_backend: SearchBackend) -> None:
    search_backend.index([
        doc("a", "release", site="ice", media_type="text/csv", at=T0, has_finding=True, severity="critical"),
        doc("b", "release", site="ice", media_type="text/html", at=T0 + timedelta(days=1)),
        doc("c", "release", site="cbp", media_type="application/pdf", at=T0 + timedelta(days=2),
            has_finding=True, severity="high"),
        doc("d", "other", site="cbp", media_type="text/html", at=T0 + timedelta(days=3)),
    ])
    search_backend.refresh()
    assert sorted(ids(search_backend, text="release", sites=("ice",))) == ["a", "b"]
    assert ids(search_backend, text="release", media_types=("application/pdf",)) == ["c"]
    assert sorted(ids(search_backend, has_finding=True)) == ["a", "c"]
    assert ids(search_backend, severities=("critical",)) == ["a"]
    assert sorted(ids(search_backend, date_from=T0 + timedelta(hours=12), date_to=T0 + timedelta(days=2))) == [
        "b", "c"]
    result = search_backend.search(SearchQuery(text="release"))
    assert result.total == 3
    assert result.facets["site"] == {"ice": 2, "cbp": 1}
    assert result.facets["media_type"] == {"text/csv": 1, "text/html": 1, "application/pdf": 1}
    assert result.facets["has_finding"] == {"true": 2, "false": 1}
    assert result.facets["severity"] == {"critical": 1, "high": 1}


def test_pagination_and_sorting(search_backend: SearchBackend) -> None:
    search_backend.index([doc(f"d{i:02}", f"page number {i}", at=T0 + timedelta(hours=i)) for i in range(25)])
    search_backend.refresh()
    pages = [search_backend.search(SearchQuery(text="page", sort="newest", page=p, per_page=10)) for p in (1, 2, 3)]
    assert [len(p.hits) for p in pages] == [10, 10, 5]
    assert all(p.total == 25 and p.pages == 3 for p in pages)
    seen = [h.id for p in pages for h in p.hits]
    assert seen == [f"d{i:02}" for i in range(24, -1, -1)]
    assert ids(search_backend, sort="oldest", per_page=3) == ["d00", "d01", "d02"]
    assert ids(search_backend, text="page", page=9, per_page=10) == []


def test_relevance_prefers_title_and_repeated_terms(search_backend: SearchBackend) -> None:
    filler = " ".join(["routine words"] * 40)
    search_backend.index([
        doc("weak", f"{filler} asylum {filler}", at=T0 + timedelta(days=5)),
        doc("strong", "asylum seekers asylum records", title="Asylum seekers list"),
    ])
    assert ids(search_backend, text="asylum") == ["strong", "weak"]


def test_empty_query_lists_newest_first(search_backend: SearchBackend) -> None:
    search_backend.index([doc("old", "x", at=T0), doc("new", "y", at=T0 + timedelta(days=1))])
    assert ids(search_backend) == ["new", "old"]


def test_bulk_and_clear(search_backend: SearchBackend) -> None:
    assert search_backend.index(doc(f"n{i}", f"bulk {i}") for i in range(1200)) == 1200
    assert search_backend.count() == 1200
    search_backend.clear()
    assert search_backend.count() == 0


QUERIES: list[dict[str, Any]] = [
    {"text": "asylum"}, {"text": "détention"}, {"text": '"date of birth"'}, {"text": "nation*"},
    {"text": "list -aggregate"}, {"text": "list", "sites": ("cbp",)}, {"has_finding": True, "sort": "oldest"},
    {"text": "", "media_types": ("text/csv",), "sort": "newest"},
]


@pytest.fixture
def both_backends(make_settings: Callable[..., Any], elasticsearch_url: str) -> Iterator[list[SearchBackend]]:
    index = f"spillwatch-test-{uuid.uuid4().hex[:10]}"
    backends = [
        open_search(make_settings(search_backend="sqlite")),
        open_search(make_settings(search_backend="elasticsearch", elasticsearch_url=elasticsearch_url,
                                  elasticsearch_index=index)),
    ]
    yield backends
    backends[1].client.indices.delete(index=index, ignore_unavailable=True)  # type: ignore[attr-defined]
    for backend in backends:
        backend.close()


def test_backends_return_the_same_documents(both_backends: list[SearchBackend]) -> None:
    from faker import Faker

    fake = Faker(["en_US", "es_MX", "fr_FR", "pt_BR"])
    Faker.seed(2022)
    words = ["asylum", "detention", "aggregate", "list", "nationality", "date of birth", "statistics"]
    docs = []
    for i in range(120):
        picked = " ".join(fake.random_elements(words, length=3, unique=True))
        docs.append(doc(f"x{i:03}", f"{fake.sentence()} {picked} {fake.city()} détention" if i % 7 == 0
                        else f"{fake.sentence()} {picked}", site=("ice", "cbp")[i % 2],
                        media_type=("text/html", "text/csv")[i % 3 == 0], at=T0 + timedelta(minutes=i),
                        has_finding=i % 5 == 0, severity="high" if i % 5 == 0 else None))
    for backend in both_backends:
        backend.index(docs)
        backend.refresh()
    for query in QUERIES:
        results = [backend.search(SearchQuery(per_page=200, **query)) for backend in both_backends]
        assert results[0].total == results[1].total, query
        assert {h.id for h in results[0].hits} == {h.id for h in results[1].hits}, query
        assert results[0].facets == results[1].facets, query
        if query.get("sort") in ("newest", "oldest"):
            assert [h.id for h in results[0].hits] == [h.id for h in results[1].hits], query
