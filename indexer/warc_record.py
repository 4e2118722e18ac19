"""One record as the indexer needs it (:class:`WarcRecord`), read by :mod:`indexer.warc_reader`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from indexer.prepared import Prepared


@dataclass
class WarcRecord:
    """What the indexer needs from one record. ``payload`` is the HTTP entity, de-chunked and
    content-decoded (gzip/deflate/br/zstd, stacked too: :mod:`core.encodings`), cut at ``max_payload``
    bytes (``truncated`` says so)."""

    path: str
    offset: int
    length: int
    rec_type: str
    url: str
    date: datetime
    record_id: str = ""
    status: int | None = None
    content_type: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    payload: bytes = b""
    payload_digest: str = ""
    truncated: bool = False
    payload_size: int = 0
    refers_to_uri: str = ""
    refers_to_date: datetime | None = None
    warc_truncated: str = ""
    # set by the read-ahead process (indexer.readahead, indexer.prepared): its extraction, and whether it dropped
    # the payload (the record is read again from the file if the payload is needed after all)
    prepared: Prepared | None = None
    payload_dropped: bool = False
    surt: str = ""  # the URL's SURT and host, when the read-ahead process computed them
    host: str = ""
    # the HTTP body is exactly as long as its HTTP Content-Length says (a short WARC block is then kept)
    body_complete: bool = False
    overran: int = 0  # bytes of the next record the WARC Content-Length took in (cut off the payload)
