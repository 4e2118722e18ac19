"""The crawl queue in the catalog: a crawl is *requested* by inserting a ``queued`` row in ``crawls``.

The scheduler (``spillwatch run``), the UI's "crawl now" and the demo request crawls here; the
service's crawl worker takes queued rows and runs them.  A request identical to one already queued or
running is not queued twice.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import Engine, and_, insert, select

from core.catalog import schema as s


def enqueue_crawl(engine: Engine, site_id: str, kind: str, seeds: list[str] | None = None) -> bool:
    """Insert a ``queued`` crawl row; False when an identical crawl is already queued or running.

    The request (seeds) is kept as JSON in ``message`` until the worker starts the crawl.
    """
    request = json.dumps({"seeds": sorted(seeds or [])})
    with engine.begin() as conn:
        busy = conn.execute(
            select(s.crawls.c.id).where(and_(s.crawls.c.site_id == site_id, s.crawls.c.kind == kind,
                                             s.crawls.c.message == request,
                                             s.crawls.c.status.in_(("queued", "running"))))
        ).first()
        if busy is not None:
            return False
        conn.execute(insert(s.crawls).values(
            site_id=site_id, kind=kind, status="queued", started_at=datetime.now(UTC), warc_files=[],
            message=request,
        ))
    return True
