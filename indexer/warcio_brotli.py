"""warcio decodes ``br`` with brotlicffi, whichever module ``import brotli`` finds.

warcio's brotli decoder (``warcio.bufferedreaders.try_brotli_init``) imports ``brotli`` and sets
``unused_data`` on its decompressor. Two distributions install the ``brotli`` module: Google's
``Brotli`` (a C type that refuses the attribute: every ``br`` record read through warcio's
``content_stream()`` raises ``AttributeError``; reproduced with warcio 1.8.1 and Brotli 1.2.1, see
docs/indexer.md) and the old ``brotlipy`` (cffi, accepts it). Spillwatch's environment has both:
Scrapy requires ``Brotli``, pywb requires ``brotlipy``, and brotlipy's ``brotli/`` package wins the
import only because a package directory shadows a module file of the same name.

The indexer never decodes with warcio (indexer/http_body.py reads the raw entity and
:mod:`core.encodings` decodes it with ``brotlicffi``). pywb does, to rewrite a page, so its process
(web/pywb_child.py) calls :func:`use_brotlicffi` to put a ``brotlicffi`` decompressor, which accepts
the attribute, in warcio's table of decoders.
"""

from __future__ import annotations

from typing import Any

import brotlicffi
from warcio.bufferedreaders import BufferedReader


def brotli_decompressor() -> Any:
    """A decompressor as warcio's ``BufferedReader`` uses it (``decompress``, ``unused_data``)."""
    decompressor = brotlicffi.Decompressor()
    decompressor.unused_data = None
    return decompressor


def use_brotlicffi() -> None:
    """Make warcio's ``br`` decoder :func:`brotli_decompressor` (warcio keeps its decoders in the
    class attribute ``BufferedReader.DECOMPRESSORS``, keyed by coding: the one place to change it)."""
    BufferedReader.DECOMPRESSORS["br"] = brotli_decompressor
