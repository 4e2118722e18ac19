"""The texts of the versions an index run's captures may change, for the change's significance:
from the texts extracted this run, from their search documents (one request per batch), or by
reading and extracting their WARC records again."""

from __future__ import annotations

import logging
from collections import OrderedDict

from core.settings import Settings
from indexer import media_types, versions
from indexer.extract import extract
from indexer.loader import document_id
from indexer.records import CaptureInfo
from indexer.scan_cache import ScanCache
from indexer.search import SearchBackend
from indexer.warc_reader import read_record_at

# the index run's lines keep the logger name they had when the run was one module
log = logging.getLogger("indexer.pipeline")

TEXT_CACHE_ENTRIES = 256


class PreviousTexts:
    """Texts by search document id: the last ones extracted this run (LRU) and the batch's fetched
    ones."""

    def __init__(self, settings: Settings, backend: SearchBackend, scans: ScanCache) -> None:
        self.settings = settings
        self.backend = backend
        self.scans = scans
        self._texts: OrderedDict[str, str] = OrderedDict()
        self._batch_texts: dict[str, str] = {}  # previous versions' texts from the search backend

    def fetch(self, todo: list[CaptureInfo], states: dict[str, versions.VersionState]) -> None:
        """The texts of the versions this batch's captures may change, from their search documents
        (one request) rather than by reading and extracting their WARC records again one by one."""
        wanted: set[str] = set()
        for info in todo:
            state = states.get(info.surt)
            if (state is not None and info.holds_content and state.removed_at is None
                    and not state.same_content(info.digest)):
                key = document_id(state.surt, state.payload_digest)
                if key not in self._texts:
                    wanted.add(key)
        self._batch_texts = self.backend.texts(wanted) if wanted else {}

    def text(self, state: versions.VersionState) -> str:
        key = document_id(state.surt, state.payload_digest)
        if key in self._texts:
            return self._texts[key]
        if key in self._batch_texts:  # the search document holds the text extracted then
            return self._batch_texts[key]
        try:
            record = read_record_at(state.text_file, state.text_offset, int(self.settings.index_max_payload))
        except LookupError as exc:
            log.warning("previous version of %s unreadable (%s); change significance taken as 1", state.surt, exc)
            return ""
        previous = extract(record.payload, record.url, record.content_type,
                           media_types.sniff(record.payload, record.url), text_only=True)
        if previous.media_type not in media_types.HTML_TYPES:
            self.scans.scan_once(previous, record.payload, record.url)
        self.remember(key, previous.text)
        return previous.text

    def remember(self, key: str, text: str) -> None:
        self._texts[key] = text
        self._texts.move_to_end(key)
        while len(self._texts) > TEXT_CACHE_ENTRIES:
            self._texts.popitem(last=False)
