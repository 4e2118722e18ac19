"""WARC files the indexer gave up on are on the dashboard with why (issue 12 item 3)."""

from __future__ import annotations

import html

from sqlalchemy import insert

from core.catalog.schema import warc_files
from tests.web.conftest import WebEnv


def test_the_dashboard_lists_failed_files_with_the_reason(env: WebEnv) -> None:
    page = env.client("viewer").get("/").get_data(as_text=True)
    assert "WARC files not indexed" not in page
    reason = ("cannot read the file: IsADirectoryError: Is a directory; check that it exists, that this user may "
              "read it and that it is a WARC/ARC file")
    with env.engine.begin() as conn:
        conn.execute(insert(warc_files).values(path="/data/other/broken.warc.gz", size=10, status="failed",
                                               resume_offset=0, records=0, errors=[], attempts=3, failure=reason))
    page = html.unescape(env.client("viewer").get("/").get_data(as_text=True))
    assert "WARC files not indexed" in page and "/data/other/broken.warc.gz" in page
    assert "IsADirectoryError: Is a directory" in page
