"""A :class:`Step`: what one capture does to the catalog, planned (:mod:`indexer.planner`) before the
batch's write transaction applies it (:mod:`indexer.apply_steps`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from indexer import versions
from indexer.extract import Extraction
from indexer.extract_html import Link
from indexer.links import LinkValues
from indexer.records import CaptureInfo


@dataclass
class Step:
    """What one capture does to the catalog (planned before the write transaction)."""

    info: CaptureInfo
    kind: str  # new | changed | unchanged | same | removed | reappeared | none
    state: versions.VersionState | None = None
    extraction: Extraction | None = None
    significance: float = 0.0
    pixels: float | None = None  # share of the screenshot's pixels changed (indexer.visual_change)
    links: list[Link] = field(default_factory=list)
    store_links: bool = False
    link_values: list[LinkValues] | None = None  # what is stored of ``links``, when already made
    new_documents: list[Link] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # link targets the page no longer has
    known_findings: list[tuple[int, str]] = field(default_factory=list)
    compare_links: bool = False  # new_documents and dropped still to compute (batched)
