"""pywb, the replay engine, in a child process of the replay origin (``python -m web.pywb_child``).

Why a child process: importing pywb's app monkey-patches the whole interpreter with gevent
(``pywb/apps/frontendapp.py`` starts with ``patch_all()``), which the UI, the scheduler and the
database drivers of the parent must not run under. The child serves pywb on 127.0.0.1 only, reads
its index from the catalog (:class:`CatalogIndexSource`: the captures as CDXJ, the same lines as
``spillwatch export cdxj``) and reads records straight from Spillwatch's WARC files.

Protocol: the parent writes one JSON line on the child's standard input (``catalog_url``, and
``storage``: where WARC files not on this machine are, core.warc_store.storage_values); the child
answers with its port on standard output, and exits when its standard input closes (the parent
stopped). The parent passes the public prefix of each request (``/replay/<token>``) in the
``X-Spillwatch-Prefix`` header, so that pywb's rewritten links point back through the signed path.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any

COLLECTION = "archive"
LOADER_SCHEME = "spillwatch://"
PREFIX_HEADER = "HTTP_X_SPILLWATCH_PREFIX"
SCHEME_HEADER = "HTTP_X_FORWARDED_PROTO"


def _index_source(engine: Any) -> Any:
    """A pywb index source over the catalog's captures (pywb classes are imported in the child only)."""
    from pywb.warcserver.index.cdxobject import CDXObject
    from pywb.warcserver.index.indexsource import BaseIndexSource
    from sqlalchemy import select

    from core.catalog.schema import captures
    from indexer.cdxj import cdxj_line, fields, sort_order

    class CatalogIndexSource(BaseIndexSource):  # type: ignore[misc]
        def load_index(self, params: dict[str, Any]) -> Iterator[Any]:
            key, end = (v.decode("utf-8") if isinstance(v, bytes) else str(v)
                        for v in (params["key"], params["end_key"]))
            with engine.connect() as conn:
                rows = list(conn.execute(select(captures).where(captures.c.surt >= key, captures.c.surt < end)
                                         .order_by(*sort_order(conn.dialect.name)).limit(10_000)))
            return iter([CDXObject(cdxj_line(fields(row)).encode("utf-8")) for row in rows])

        def __str__(self) -> str:
            return "spillwatch-catalog"

    return CatalogIndexSource()


def _register_record_loader(storage: dict[str, str]) -> None:
    """pywb reads every record through :func:`indexer.record_source.open_record` (a ``spillwatch://``
    block loader): plain and per-record gzip WARCs in place, WARCs stored or deflated in a WACZ, and
    whole-file gzip WARCs (offsets in their decompressed data), which pywb's file loader cannot.  With
    ``warc_storage: s3://`` a file not on this machine is read from the bucket by range reads."""
    from pywb.utils.loaders import BaseLoader, BlockLoader

    from core.warc_store import S3Store, store_from
    from indexer.record_source import open_record

    store = store_from(storage) if storage.get("warc_storage") else None
    remote = store if isinstance(store, S3Store) else None

    class RecordLoader(BaseLoader):  # type: ignore[misc]
        def load(self, url: str, offset: int = 0, length: int = -1) -> Any:
            return open_record(url[len(LOADER_SCHEME):], int(offset), int(length), remote)

    BlockLoader.loaders[LOADER_SCHEME.split(":")[0]] = RecordLoader


def _with_prefix(app: Callable[..., Any]) -> Callable[..., Any]:
    """WSGI wrapper: the parent's public prefix becomes SCRIPT_NAME (pywb builds its links from it)."""

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        prefix = environ.get(PREFIX_HEADER, "")
        if prefix.startswith("/replay/") and "/" not in prefix[len("/replay/"):]:
            environ["SCRIPT_NAME"] = prefix
        if environ.get(SCHEME_HEADER) in ("http", "https"):
            environ["wsgi.url_scheme"] = environ[SCHEME_HEADER]
        result: Iterable[bytes] = app(environ, start_response)
        return result

    return wrapped


def main() -> None:
    from gevent.monkey import patch_all

    patch_all()  # before anything opens a socket: pywb runs on gevent
    import gevent
    from gevent.pywsgi import WSGIServer
    from pywb.warcserver import warcserver

    from core.catalog.db import create_catalog_engine
    from indexer.warcio_brotli import use_brotlicffi

    request = json.loads(sys.stdin.readline())

    engine = create_catalog_engine(str(request["catalog_url"]))
    source = _index_source(engine)

    class _Source:  # resolves the "$spillwatch" index string of the collection to the catalog source
        @classmethod
        def init_from_string(cls, value: str) -> Any:
            return source if value == "$spillwatch" else None

        @classmethod
        def init_from_config(cls, config: dict[str, Any]) -> Any:
            return None

    warcserver.register_source(_Source)
    from pywb.apps.frontendapp import FrontEndApp

    _register_record_loader(dict(request.get("storage") or {}))
    use_brotlicffi()  # pywb decodes br pages with warcio, whose `brotli` may be one it crashes on

    app = FrontEndApp(config_file=os.devnull, custom_config={
        "framed_replay": False,  # no top frame: the UI's <iframe sandbox> is the frame
        "collections": {COLLECTION: {"index": "$spillwatch",
                                     "archive_paths": [lambda name, _cdx: LOADER_SCHEME + name]}},
    })
    server = WSGIServer(("127.0.0.1", 0), _with_prefix(app), log=None)
    server.start()
    print(server.server_port, flush=True)

    def watch_parent() -> None:
        gevent.get_hub().threadpool.apply(sys.stdin.read)  # returns when the parent closes the pipe or dies
        server.stop(timeout=1)
        os._exit(0)

    gevent.spawn(watch_parent)
    server.serve_forever()


if __name__ == "__main__":  # run by path: importing the `web` package would load the whole UI first
    from pathlib import Path

    sys.path[0] = str(Path(__file__).resolve().parents[1])
    main()
