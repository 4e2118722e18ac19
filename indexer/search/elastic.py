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

from indexer.search.base import MAX_TEXT_CHARS, SearchBackend
from indexer.search.budget import REFINE, Budget, SearchTooBroad
from indexer.search.folding import index_text
from indexer.search.highlight import highlight
from indexer.search.query import (
    FACET_FIELDS,
    ParsedQuery,
    SearchHit,
    SearchQuery,
    SearchResult,
    Term,
    parse_query,
)
from spillwatch.errors import ServiceUnavailable
from spillwatch.models import SearchDocument
from spillwatch.timestamps import as_utc

log = logging.getLogger(__name__)

DEFAULT_TEMPLATE = Path(__file__).resolve().parents[2] / "config" / "elasticsearch" / "index-template.json"
# Prefix queries expand to at most this many terms (Elasticsearch's default of 50 would silently
# miss documents that the SQLite backend finds).
MAX_EXPANSIONS = 10_000
_FIELDS = ("title_folded", "body_folded")
_BOOSTS = {"title_folded": 2.0, "body_folded": 1.0}


def _term_query(term: Term) -> dict[str, Any]:
    phrase = " ".join(term.words)
    should: list[dict[str, Any]] = []
    for field in _FIELDS:
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
    return {
        "bool": {
            "must": [_term_query(t) for t in parsed.positive] or [{"match_all": {}}],
            "must_not": [_term_query(t) for t in parsed.negative],
            "filter": filters,
        }
    }


class ElasticsearchSearch(SearchBackend):
    name = "elasticsearch"

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
    ) -> None:
        kwargs: dict[str, Any] = {"request_timeout": timeout}
        self.budget = budget or Budget(seconds=0, max_prefix_terms=0)
        if username:
            kwargs["basic_auth"] = (username, password)
        if ca_certs:
            kwargs["ca_certs"] = ca_certs
        self.url = url
        self.index_name = index
        self.template_path = template_path
        self.client = Elasticsearch(url, **kwargs)

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
        except (TransportConnectionError, ConnectionTimeout) as exc:
            raise self._unavailable(exc) from None
        except ApiError as exc:
            if exc.meta.status == 400 and "resource_already_exists" in str(exc):
                return
            raise self._unavailable(exc) from None

    def _actions(self, documents: Iterable[SearchDocument]) -> Iterator[dict[str, Any]]:
        for doc in documents:
            text = doc.text[:MAX_TEXT_CHARS]
            yield {
                "_op_type": "index",
                "_index": self.index_name,
                "_id": doc.id,
                "_source": {
                    "id": doc.id, "url": doc.url, "site": doc.site, "media_type": doc.media_type,
                    "captured_at": as_utc(doc.captured_at).isoformat(), "title": doc.title, "text": text,
                    "title_folded": index_text(doc.title), "body_folded": index_text(text),
                    "has_finding": doc.has_finding, "severity": doc.severity, "capture_id": doc.capture_id,
                    "extra": doc.extra,
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

    def search(self, query: SearchQuery) -> SearchResult:
        parsed = parse_query(query.text)
        sort: list[Any]
        if query.sort == "newest" or (query.sort == "relevance" and not parsed.positive):
            sort = [{"captured_at": "desc"}, {"id": "asc"}]
        elif query.sort == "oldest":
            sort = [{"captured_at": "asc"}, {"id": "asc"}]
        else:
            sort = [{"_score": "desc"}, {"captured_at": "desc"}, {"id": "asc"}]
        aggs = None
        if query.facets:
            aggs = {name: {"terms": {"field": name, "size": 100}} for name in FACET_FIELDS}
        bounded: dict[str, Any] = {}
        client = self.client
        if self.budget.seconds > 0:  # shards stop at the budget; the client waits a little longer
            bounded = {"timeout": f"{int(self.budget.seconds * 1000)}ms"}
            client = self.client.options(request_timeout=self.budget.seconds + 5)
        try:
            response = client.search(
                index=self.index_name, query=build_query(query, parsed), sort=sort, from_=query.offset,
                size=query.per_page, aggs=aggs, track_total_hits=True, track_scores=True,
                source_excludes=["title_folded", "body_folded"], **bounded,
            )
        except ConnectionTimeout as exc:
            if self.budget.seconds > 0:
                raise SearchTooBroad(f"the search took longer than {self.budget.seconds:g} s; {REFINE}") from None
            raise self._unavailable(exc) from None
        except TransportConnectionError as exc:
            raise self._unavailable(exc) from None
        if response.get("timed_out"):  # a partial answer would be a wrong one
            raise SearchTooBroad(f"the search took longer than {self.budget.seconds:g} s and was stopped; {REFINE}")
        hits = [self._hit(h, parsed) for h in response["hits"]["hits"]]
        facets: dict[str, dict[str, int]] = {}
        for name in FACET_FIELDS if query.facets else ():
            buckets = response["aggregations"][name]["buckets"]
            facets[name] = {
                (b.get("key_as_string") if name == "has_finding" else str(b["key"])): int(b["doc_count"])
                for b in buckets
            }
        total = int(response["hits"]["total"]["value"])
        return SearchResult(total=total, hits=hits, facets=facets, page=query.page, per_page=query.per_page)

    @staticmethod
    def _hit(hit: dict[str, Any], parsed: ParsedQuery) -> SearchHit:
        src = hit["_source"]
        return SearchHit(
            id=src["id"], url=src["url"], site=src["site"], media_type=src["media_type"],
            captured_at=datetime.fromisoformat(src["captured_at"]), title=src["title"],
            has_finding=bool(src["has_finding"]), severity=src.get("severity"),
            capture_id=src.get("capture_id"), score=float(hit.get("_score") or 0.0),
            highlights=highlight(src.get("text", ""), parsed),
        )

    def get(self, doc_id: str) -> SearchDocument | None:
        try:
            response = self.client.get(index=self.index_name, id=doc_id,
                                       source_excludes=["title_folded", "body_folded"])
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
