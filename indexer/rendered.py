"""Pages a browser rendered: their text and links come from the rendered DOM (docs/indexer.md).

A rendering crawl (crawler/render_archive.py) stores a page's HTML as fetched in its ``response``
record and, later in the same file, the DOM after scripts ran as a ``resource`` record named
``urn:rendered-dom:<url>``.  A list of releases that a script fills from JSON is only in the second.
So for such a URL the indexer reads the rendered DOM in place of the fetched HTML: text, links (new
documents), tables, the version's digest.  The capture row keeps the response record's position, so
replay still plays the page's own HTML and scripts.

Which files to look in: those whose ``warcinfo`` record says ``spillwatch-render`` (written by the
crawler when a site renders); other files are not read twice.
"""

from __future__ import annotations

import logging
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from indexer.parse_errors import is_bad_input
from indexer.warc_reader import WarcRecord, read_record_at

log = logging.getLogger(__name__)

RENDERED_DOM = "urn:rendered-dom:"
RENDER_FIELD = b"spillwatch-render:"
DOM_TYPE = "text/html; charset=utf-8"


SCAN_RECORDS = 5_000  # records read forward from a page's record to find its rendered DOM


def renders(path: Path) -> bool:
    """Whether the file's ``warcinfo`` record says a rendering crawl wrote it."""
    try:
        with path.open("rb") as fh:
            first = next(iter(ArchiveIterator(fh, arc2warc=True)), None)
            return first is not None and first.rec_type == "warcinfo" and RENDER_FIELD in first.content_stream().read()
    except Exception as exc:  # bad input (parse_errors): not a rendering crawl's file; a bug is raised
        if not is_bad_input(exc):
            raise
        return False


def rendered_dom_after(path: str | Path, offset: int, url: str, max_payload: int = 200 * 2**20) -> WarcRecord | None:
    """The ``urn:rendered-dom:`` record of ``url`` written after the page's record at ``offset`` (for readers
    of one capture: diffs, the web UI); None for pages that were not rendered."""
    path = Path(path)
    if not renders(path):
        return None
    wanted = RENDERED_DOM + url
    try:
        with path.open("rb") as fh:
            fh.seek(offset)
            iterator = ArchiveIterator(fh, arc2warc=True)
            for index, record in enumerate(iterator):
                if index >= SCAN_RECORDS:
                    return None
                if record.rec_type == "resource" and record.rec_headers.get_header("WARC-Target-URI") == wanted:
                    dom_offset = iterator.get_record_offset()  # absolute: warcio starts at fh.tell()
                    break
            else:
                return None
        return read_record_at(path, dom_offset, max_payload)
    except Exception as exc:  # bad input (parse_errors) or a record not found: no DOM; a bug is raised
        if not isinstance(exc, LookupError) and not is_bad_input(exc):
            raise
        log.debug("%s: no rendered DOM for %s: %s", path, url, exc.__class__.__name__)
        return None


def rendered_doms(path: Path) -> dict[str, int]:
    """``{page URL: offset of its urn:rendered-dom: record}`` of a file (the last one per URL)."""
    found: dict[str, int] = {}
    try:
        with path.open("rb") as fh:
            iterator = ArchiveIterator(fh, arc2warc=True)
            for index, record in enumerate(iterator):
                if index == 0 and (record.rec_type != "warcinfo" or RENDER_FIELD not in record.content_stream().read()):
                    return {}
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                if record.rec_type == "resource" and uri.startswith(RENDERED_DOM):
                    found[uri[len(RENDERED_DOM):]] = iterator.get_record_offset()
    except Exception as exc:  # the main reader reports the damage; the DOMs found so far are used
        if not is_bad_input(exc):
            raise
        log.debug("%s: looking for rendered DOMs stopped: %s", path, exc.__class__.__name__)
    return found


def use_rendered_dom(record: WarcRecord, doms: dict[str, int], max_payload: int) -> bool:
    """Put the rendered DOM of ``record``'s URL in place of its payload; False when there is none."""
    offset = doms.get(record.url)
    if offset is None or record.rec_type not in ("response", "revisit") or record.status not in (200, 304, None):
        return False
    try:
        dom = read_record_at(record.path, offset, max_payload)
    except LookupError as exc:
        log.warning("%s: rendered DOM unreadable (%s); the page as fetched is indexed", record.url, exc)
        return False
    record.payload = dom.payload
    record.payload_size = dom.payload_size
    record.payload_digest = dom.payload_digest
    record.truncated = dom.truncated
    record.content_type = DOM_TYPE
    record.prepared = None  # the read-ahead process extracted the HTML as fetched
    record.payload_dropped = False
    # an unchanged page (revisit, 304) may still have changed once rendered: the DOM is its content now
    record.rec_type, record.status = "response", 200
    return True
