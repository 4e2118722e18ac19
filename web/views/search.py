"""Full-text search over every capture: highlights, filters, facets, sorting, pagination.

Snippets are masked as :mod:`web.policy` says: those of documents holding findings for everybody (the
capture page shows the unmasked text to analysts, with an audit entry), table-derived ones for viewers.
A viewer's query runs against the viewer view of the documents only; an analyst's search whose hits
include documents with findings is written to the audit log (which captures, not the query).
"""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, render_template, request
from flask_login import current_user

from core.errors import ServiceUnavailable
from indexer.search.budget import SearchTooBroad
from web.audit import record_flagged_search
from web.policy import snippet_masked
from web.search_args import SearchArgsError, parse_search_args
from web.snippet_masking import typed_words
from web.state import state

bp = Blueprint("search", __name__)


@bp.route("/search")
def index() -> tuple[str, int] | str:
    partial = request.headers.get("HX-Request") == "true" and request.headers.get("HX-Target") == "results"
    template = "partials/search_results.html" if partial else "search.html"
    try:
        query = parse_search_args(request.args)
    except SearchArgsError as exc:
        return render_template(template, error=str(exc), result=None, query=None), 400
    # viewers match the documents' viewer view only (indexer/search/masking.py)
    query = replace(query, masked=not current_user.can_unmask)
    try:
        result = state().search().search(query)
    except SearchTooBroad as exc:  # the time budget or the prefix limit (indexer/search/budget.py)
        return render_template(template, error=str(exc).capitalize(), result=None, query=query), 422
    except ServiceUnavailable as exc:
        return render_template(template, error=f"Search is unavailable: {exc}", result=None, query=query), 503
    if not query.masked and query.text.strip():
        record_flagged_search(state().engine, current_user.id, result.hits, "search")
    masked = {hit.id for hit in result.hits
              if snippet_masked(hit.has_finding, hit.media_type, current_user.can_unmask)}
    return render_template(template, result=result, query=query, error=None, masked=masked,
                           keep=typed_words(query.text))
