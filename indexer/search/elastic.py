"""Elasticsearch 8.x search backend, for production and scale.

Uses only analysis that ships in every 8.x distribution (the core ``whitespace`` analyzer): the
text arrives folded and tokenised by :mod:`indexer.search.folding`, exactly as the SQLite backend
indexes it, so both find the same documents.  The index template lives in
``config/elasticsearch/index-template.json`` and is installed by :meth:`ensure_ready`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout
from elasticsearch import ApiError, Elasticsearch, NotFoundError, helpers

from core.errors import ServiceUnavailable
from core.models import SearchDocument
from core.settings import Settings
from core.timestamps import as_utc
from indexer.search.base import MAX_TEXT_CHARS, SearchBackend
from indexer.search.budget import REFINE, Budget, SearchTooBroad
from indexer.search.folding import index_text
from indexer.search.highlight import highlight
from indexer.search.masking import document_view
from indexer.search.query import (
    FACET_FIELDS,
    ParsedQuery,
    SearchHit,
    SearchQuery,
    SearchResult,
    Term,
    parse_query,
)

log = logging.getLogger(__name__)

DEFAULT_TEMPLATE = Path(__file__).resolve().parents[2] / "config" / "elasticsearch" / "index-template.json"
# Prefix queries expand to at most this many terms (Elasticsearch's default of 50 would silently
# miss documents that the SQLite backend finds).
MAX_EXPANSIONS = 10_000
_FIELDS = ("title_folded", "body_folded")
_MASKED_FIELDS = ("masked_title_folded", "masked_body_folded")
_BOOSTS = {"title_folded": 2.0, "body_folded": 1.0, "masked_title_folded": 2.0, "masked_body_folded": 1.0}
_INTERNAL = ["title_folded", "body_folded", "masked_title_folded", "masked_body_folded"]
# What a page of hits shows (SearchHit) and the text its highlights are cut from: nothing else is sent
# back (``extra`` and the folded copies stay on the node; the viewer view only for viewers).
_HIT_SOURCE = ["id", "url", "site", "media_type", "captured_at", "title", "text", "has_finding", "severity",
               "capture_id", "masked"]
_VIEWER_SOURCE = [*_HIT_SOURCE, "masked_title", "masked_text"]
# Without facets a search counts matches up to here and says "10,000+" beyond (Lucene then skips
# documents that cannot enter the page); with facets every match is visited for the aggregations anyway,
# so the count is exact at no cost (bench/README.md, "Search").
TOTAL_HITS_CAP = 10_000


def _term_query(term: Term, fields: tuple[str, ...] = _FIELDS) -> dict[str, Any]:
    phrase = " ".join(term.words)
    should: list[dict[str, Any]] = []
    for field in fields:
        boost = _BOOSTS[field]
        if term.prefix and len(term.words) == 1:
            should.append({"prefix": {field: {"value": phrase, "boost": boost}}})
        elif term.prefix:
            should.append({"match_phrase_prefix": {field: {"query": phrase, "max_expansions": MAX_EXPANSIONS,
                                                           "boost": boost}}})
        else:
            should.append({"match_phrase": {field: {"query": phrase, "boost": boost}}})
    return {"bool": {"should": should, "minimum_should_match": 1}}


def build_query(query: SearchQuery, parsed: ParsedQuery) -> dict[str, Any]:
    filters: list[dict[str, Any]] = []
    for field, values in (("site", query.sites), ("media_type", query.media_types),
                          ("severity", query.severities)):
        if values:
            filters.append({"terms": {field: list(values)}})
    if query.date_from is not None or query.date_to is not None:
        bounds: dict[str, str] = {}
        if query.date_from is not None:
            bounds["gte"] = as_utc(query.date_from).isoformat()
        if query.date_to is not None:
            bounds["lte"] = as_utc(query.date_to).isoformat()
        filters.append({"range": {"captured_at": bounds}})
    if query.has_finding is not None:
        filters.append({"term": {"has_finding": query.has_finding}})
    if not query.masked:
        return {"bool": {**_terms(parsed, _FIELDS), "filter": filters}}
    # viewers: documents that are the same for them match on their text; the others on their viewer
    # view only (indexer/search/masking.py); documents without the flag (indexed before) on neither
    same = {"bool": {**_terms(parsed, _FIELDS), "filter": [{"term": {"masked": False}}]}}
    masked = {"bool": {**_terms(parsed, _MASKED_FIELDS), "filter": [{"term": {"masked": True}}]}}
    return {"bool": {"should": [same, masked], "minimum_should_match": 1, "filter": filters}}


def _terms(parsed: ParsedQuery, fields: tuple[str, ...]) -> dict[str, Any]:
    return {"must": [_term_query(t, fields) for t in parsed.positive] or [{"match_all": {}}],
            "must_not": [_term_query(t, fields) for t in parsed.negative]}


class ElasticsearchSearch(SearchBackend):
    name = "elasticsearch"

    @classmethod
    def from_settings(cls, settings: Settings) -> ElasticsearchSearch:
        return cls(settings.elasticsearch_url, settings.elasticsearch_index,
                   username=settings.elasticsearch_username, password=settings.elasticsearch_password,
                   ca_certs=settings.elasticsearch_ca_certs, timeout=settings.elasticsearch_timeout,
                   budget=Budget.from_settings(settings))

    def __init__(
        self,
        url: str,
        index: str,
        *,
        username: str = "",
        password: str = "",
        ca_certs: str = "",
        timeout: float = 30.0,
        template_path: Path = DEFAULT_TEMPLATE,
        budget: Budget | None = None,
        total_cap: int = TOTAL_HITS_CAP,
    ) -> None:
        kwargs: dict[str, Any] = {"request_timeout": timeout}
        self.total_cap = total_cap
        self.budget = budget or Budget(seconds=0, max_prefix_terms=0)
        if username:
            kwargs["basic_auth"] = (username, password)
        if ca_certs:
            kwargs["ca_certs"] = ca_certs
        self.url = url
        self.index_name = index
        self.template_path = template_path
        # several nodes of one cluster (comma-separated): the client's node pool sends each request to
        # a live node and retries a failed or timed-out one on the next (docs/scaling.md)
        self.hosts = [h.strip() for h in url.split(",") if h.strip()]
        if len(self.hosts) > 1:
            kwargs.update(retry_on_timeout=True, max_retries=max(3, len(self.hosts)))
        self.client = Elasticsearch(self.hosts if len(self.hosts) > 1 else url, **kwargs)

    def _unavailable(self, exc: Exception) -> ServiceUnavailable:
        return ServiceUnavailable(
            f"Elasticsearch at {self.url}: {exc.__class__.__name__}: {exc}; check elasticsearch_url "
            "and that the node is running (GET /_cluster/health)"
        )

    def template(self) -> dict[str, Any]:
        raw = self.template_path.read_text(encoding="utf-8").replace("{index}", self.index_name)
        body: dict[str, Any] = json.loads(raw)
        body.pop("_comment", None)
        return body

    def ensure_ready(self) -> None:
        try:
            self.client.cluster.health(wait_for_status="yellow", timeout="30s")
            body = self.template()
            self.client.indices.put_index_template(
                name=self.index_name, index_patterns=body["index_patterns"], template=body["template"],
                priority=body.get("priority"),
            )
            if not self.client.indices.exists(index=self.index_name):
                self.client.indices.create(index=self.index_name)
            else:  # an index created by an earlier version gains the fields added since (viewer views)
                self.client.indices.put_mapping(index=self.index_name,
                                                properties=body["template"]["mappings"]["properties"])
        except (TransportConnectionError, ConnectionTimeout) as exc:
            raise self._unavailable(exc) from None
        except ApiError as exc:
            if exc.meta.status == 400 and "resource_already_exists" in str(exc):
                return
            raise self._unavailable(exc) from None

    def _actions(self, documents: Iterable[SearchDocument]) -> Iterator[dict[str, Any]]:
        for doc in documents:
            text = doc.text[:MAX_TEXT_CHARS]
            view = document_view(doc)
            masked_title, masked_text = (view[0], view[1][:MAX_TEXT_CHARS]) if view else ("", "")
            yield {
                "_op_type": "index",
                "_index": self.index_name,
                "_id": doc.id,
                "_source": {
                    "id": doc.id, "url": doc.url, "site": doc.site, "media_type": doc.media_type,
                    "captured_at": as_utc(doc.captured_at).isoformat(), "title": doc.title, "text": text,
                    "title_folded": index_text(doc.title), "body_folded": index_text(text),
                    "has_finding": doc.has_finding, "severity": doc.severity, "capture_id": doc.capture_id,
                    "extra": doc.extra, "masked": view is not None,
                    "masked_title": masked_title, "masked_text": masked_text,
                    "masked_title_folded": index_text(masked_title), "masked_body_folded": index_text(masked_text),
                },
            }

    def index(self, documents: Iterable[SearchDocument]) -> int:
        try:
            ok, errors = helpers.bulk(self.client, self._actions(documents), raise_on_error=False,
                                      chunk_size=500, max_chunk_bytes=50 * 2**20)
        except (TransportConnectionError, ConnectionTimeout) as exc:
            raise self._unavailable(exc) from None
        failed = errors if isinstance(errors, list) else []
        for error in failed:
            item = next(iter(error.values()))
            reason = item.get("error", {})
            # ids and error types only: the document text may hold personal data
            log.error("search document %s not indexed: %s", item.get("_id"),
                      reason.get("type", reason) if isinstance(reason, dict) else reason)
        return int(ok)

    def delete(self, ids: Iterable[str]) -> int:
        actions = ({"_op_type": "delete", "_index": self.index_name, "_id": i} for i in ids)
        try:
            ok, _errors = helpers.bulk(self.client, actions, raise_on_error=False)
        except (TransportConnectionError, ConnectionTimeout) as exc:
            raise self._unavailable(exc) from None
        return int(ok)

    def refresh(self) -> None:
        try:
            self.client.indices.refresh(index=self.index_name)
        except (TransportConnectionError, ConnectionTimeout, ApiError) as exc:
            raise self._unavailable(exc) from None

    def _request(self, query: SearchQuery, parsed: ParsedQuery) -> dict[str, Any]:
        """The one ``_search`` request a page needs: hits, total and facets (as ``aggs``) together."""
        sort: list[Any]
        if query.sort == "newest" or (query.sort == "relevance" and not parsed.positive):
            sort = [{"captured_at": "desc"}, {"id": "asc"}]
        elif query.sort == "oldest":
            sort = [{"captured_at": "asc"}, {"id": "asc"}]
        else:
            sort = [{"_score": "desc"}, {"captured_at": "desc"}, {"id": "asc"}]
        request: dict[str, Any] = {
            "query": build_query(query, parsed), "sort": sort, "from_": query.offset, "size": query.per_page,
            "track_total_hits": True if query.facets else self.total_cap,
            "track_scores": True,
            "source_includes": _VIEWER_SOURCE if query.masked else _HIT_SOURCE,
            # the shard request cache keeps the query phase (page, total, facets) until the next refresh
            # that changes the index; by default it caches only size=0 requests. No date math on "now"
            # in our queries, so every request is cacheable.
            "request_cache": True,
        }
        if query.facets:
            request["aggs"] = {name: {"terms": {"field": name, "size": 100}} for name in FACET_FIELDS}
        if self.budget.seconds > 0:  # shards stop at the budget
            request["timeout"] = f"{int(self.budget.seconds * 1000)}ms"
        return request

    def search(self, query: SearchQuery) -> SearchResult:
        parsed = parse_query(query.text)
        client = self.client
        if self.budget.seconds > 0:  # the client waits a little longer than the shards
            client = self.client.options(request_timeout=self.budget.seconds + 5)
        try:
            response = client.search(index=self.index_name, **self._request(query, parsed))
        except ConnectionTimeout as exc:
            if self.budget.seconds > 0:
                raise SearchTooBroad(f"the search took longer than {self.budget.seconds:g} s; {REFINE}") from None
            raise self._unavailable(exc) from None
        except TransportConnectionError as exc:
            raise self._unavailable(exc) from None
        if response.get("timed_out"):  # a partial answer would be a wrong one
            raise SearchTooBroad(f"the search took longer than {self.budget.seconds:g} s and was stopped; {REFINE}")
        hits = [self._hit(h, parsed, query.masked) for h in response["hits"]["hits"]]
        facets: dict[str, dict[str, int]] = {}
        for name in FACET_FIELDS if query.facets else ():
            buckets = response["aggregations"][name]["buckets"]
            facets[name] = {
                (b.get("key_as_string") if name == "has_finding" else str(b["key"])): int(b["doc_count"])
                for b in buckets
            }
        total = response["hits"]["total"]
        return SearchResult(total=int(total["value"]), hits=hits, facets=facets, page=query.page,
                            per_page=query.per_page, total_exact=total.get("relation", "eq") == "eq")

    @staticmethod
    def _hit(hit: dict[str, Any], parsed: ParsedQuery, masked: bool) -> SearchHit:
        src = hit["_source"]
        title, text = src["title"], src.get("text", "")
        if masked and src.get("masked"):  # the viewer view
            title, text = src.get("masked_title", ""), src.get("masked_text", "")
        return SearchHit(
            id=src["id"], url=src["url"], site=src["site"], media_type=src["media_type"],
            captured_at=datetime.fromisoformat(src["captured_at"]), title=title,
            has_finding=bool(src["has_finding"]), severity=src.get("severity"),
            capture_id=src.get("capture_id"), score=float(hit.get("_score") or 0.0),
            highlights=highlight(text, parsed),
        )

    def get(self, doc_id: str) -> SearchDocument | None:
        try:
            response = self.client.get(index=self.index_name, id=doc_id, source_excludes=_INTERNAL)
        except NotFoundError:
            return None
        except (TransportConnectionError, ConnectionTimeout) as exc:
            raise self._unavailable(exc) from None
        src = response["_source"]
        return SearchDocument(
            id=src["id"], url=src["url"], site=src["site"], media_type=src["media_type"],
            captured_at=datetime.fromisoformat(src["captured_at"]), title=src["title"], text=src["text"],
            has_finding=bool(src["has_finding"]), severity=src.get("severity"),
            capture_id=src.get("capture_id"), extra=src.get("extra") or {},
            masked_title=src.get("masked_title") if src.get("masked") else None,
            masked_text=src.get("masked_text") if src.get("masked") else None,
        )

    def texts(self, doc_ids: Iterable[str]) -> dict[str, str]:
        wanted = list(dict.fromkeys(doc_ids))
        if not wanted:
            return {}
        try:  # multi-get is real-time: no refresh needed for documents just written
            response = self.client.mget(index=self.index_name, ids=wanted, source_includes=["text"])
        except (TransportConnectionError, ConnectionTimeout) as exc:
            raise self._unavailable(exc) from None
        return {str(d["_id"]): str(d["_source"].get("text", "")) for d in response["docs"] if d.get("found")}

    def count(self) -> int:
        self.refresh()
        return int(self.client.count(index=self.index_name)["count"])

    def clear(self) -> None:
        # Drop and recreate rather than _delete_by_query: that API lives in the 'reindex' module,
        # which minimal distributions (like the integration-test zip) do not ship.
        try:
            self.client.indices.delete(index=self.index_name, ignore_unavailable=True)
        except (TransportConnectionError, ConnectionTimeout) as exc:
            raise self._unavailable(exc) from None
        self.ensure_ready()

    def close(self) -> None:
        self.client.close()
