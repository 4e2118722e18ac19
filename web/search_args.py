"""Query-string arguments ↔ :class:`indexer.search.SearchQuery` (shared by the page and the API)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from werkzeug.datastructures import MultiDict

from core.media_names import media_type_of
from core.models import Severity
from indexer.search import SearchQuery
from indexer.search.query import SORTS

SEVERITY_CHOICES = Severity.names(worst_first=True)
MAX_PAGE = 500


class SearchArgsError(ValueError):
    """A query argument that cannot be used; the message names it and what is expected."""


def _date(raw: str, name: str, end: bool) -> datetime | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        day = datetime.strptime(raw, "%Y-%m-%d").date()
    except ValueError:
        raise SearchArgsError(f"{name}: {raw!r} is not a date; expected YYYY-MM-DD") from None
    start = datetime.combine(day, time(0, 0), tzinfo=UTC)
    return start + timedelta(days=1) - timedelta(microseconds=1) if end else start


def _values(args: MultiDict[str, str], name: str) -> tuple[str, ...]:
    out: list[str] = []
    for raw in args.getlist(name):
        out.extend(v.strip() for v in raw.split(",") if v.strip())
    return tuple(dict.fromkeys(out))


def _int(args: MultiDict[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SearchArgsError(f"{name}: {raw!r} is not a whole number") from None
    if not low <= value <= high:
        raise SearchArgsError(f"{name}: must be between {low} and {high}")
    return value


def parse_search_args(args: MultiDict[str, str], per_page_default: int = 20) -> SearchQuery:
    severities = _values(args, "severity")
    unknown = [s for s in severities if s not in SEVERITY_CHOICES]
    if unknown:
        raise SearchArgsError(f"severity: {unknown[0]!r} is not one of {', '.join(SEVERITY_CHOICES)}")
    has = args.get("has_finding", "").strip().lower()
    if has not in ("", "yes", "no", "true", "false", "1", "0"):
        raise SearchArgsError("has_finding: expected yes or no")
    has_finding = None if not has else has in ("yes", "true", "1")
    sort = args.get("sort", "").strip() or ("relevance" if args.get("q", "").strip() else "newest")
    if sort not in SORTS:
        raise SearchArgsError(f"sort: expected one of {', '.join(SORTS)}")
    date_from = _date(args.get("from", ""), "from", end=False)
    date_to = _date(args.get("to", ""), "to", end=True)
    if date_from and date_to and date_from > date_to:
        raise SearchArgsError("from: must not be after 'to'")
    return SearchQuery(
        text=args.get("q", "")[:1000], sites=_values(args, "site"),
        media_types=tuple(dict.fromkeys(media_type_of(t) for t in _values(args, "media_type"))),
        severities=severities, date_from=date_from, date_to=date_to, has_finding=has_finding, sort=sort,
        page=_int(args, "page", 1, 1, MAX_PAGE), per_page=_int(args, "per_page", per_page_default, 1, 100),
    )
