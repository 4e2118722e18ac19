"""What a capture page shows of a page the browser rendered: its rendered DOM (indexer/rendered.py), the
content the indexer read, rather than the HTML as fetched (whose script-filled lists are empty).
Downloads and replay keep the bytes as fetched (web/archive.py ``read_payload``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from indexer.rendered import DOM_TYPE, rendered_dom_after
from web.archive import MAX_PAYLOAD, Payload, read_payload


def shown_payload(capture: dict[str, Any], data_dir: Path) -> Payload:
    path = Path(capture["warc_file"])
    if not path.is_absolute() and not path.exists():
        path = data_dir / path
    dom = rendered_dom_after(path, int(capture["warc_offset"]), capture["url"], MAX_PAYLOAD)
    if dom is not None:
        return Payload(DOM_TYPE, dom.payload, dom.truncated)
    return read_payload(capture, data_dir)
