"""The visual-change rule: a rendered page whose text stays the same but whose picture changes is a new
version; the same picture stays 'unchanged'.  Pillow on synthetic images and hand-written WARC files,
then real Chromium rendering a local page three times."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from core.catalog import open_catalog
from core.catalog.schema import changes
from core.config import Config
from core.settings import Settings
from crawler.run import run_crawl
from indexer.pipeline import Indexer
from indexer.screenshots import changed_share
from indexer.search import open_search
from indexer.visual_change import PageAt, VisualChange, details, reason, significant
from spillwatch.demo.agency_site import AgencySite
from tests.crawler.conftest import fast_job
from tests.crawler.script_site import CHROMIUM, need_chromium
from tests.indexer.conftest import rows


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


WHITE = Image.new("RGB", (200, 100), (255, 255, 255))


def test_share_of_changed_pixels() -> None:
    block = WHITE.copy()
    block.paste((0, 0, 0), (0, 0, 20, 100))  # 10 % of the picture
    faint = WHITE.copy()
    faint.paste((240, 240, 240), (0, 0, 200, 100))  # below the tolerance everywhere
    assert changed_share(_png(WHITE), _png(block)) == pytest.approx(0.10)
    assert changed_share(_png(WHITE), _png(WHITE)) == 0.0
    assert changed_share(_png(WHITE), _png(faint)) == 0.0
    taller = Image.new("RGB", (200, 200), (255, 255, 255))
    taller.paste((0, 0, 255), (0, 100, 200, 200))  # the page grew: the new half counts
    assert changed_share(_png(WHITE), _png(taller)) == pytest.approx(0.5)


def test_rule_and_reason() -> None:
    assert significant(0.123, 0.05) and not significant(0.05, 0.05) and not significant(0.0, 0.05)
    assert not significant(None, 0.0), "no screenshots: the text decides"
    assert not significant(1.0, 1.0), "1.0 turns the pixel rule off"
    assert reason(0.1234) == "pixels changed 12.3 %"
    assert details(0.1234, "changed") == {"pixels_changed": 0.1234, "reason": "pixels changed 12.3 %"}
    assert details(0.0, "unchanged") == {"pixels_changed": 0.0}


def _rendering_warc(path: Path, url: str, screenshot: bytes) -> int:
    """A rendering crawl's file: the page's response, then its screenshot; returns the page's offset."""
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"spillwatch-render": "browser"}))
        offset = fh.tell()
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(b"<p>hi</p>"),
                                                      http_headers=http))
        writer.write_record(writer.create_warc_record(f"urn:screenshot:{url}", "resource",
                                                      payload=io.BytesIO(screenshot), warc_content_type="image/png"))
    return offset


def test_screenshots_are_found_compared_and_a_bad_one_is_a_warning(tmp_path: Path,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    url = "http://agency.example/board/"
    red = Image.new("RGB", (200, 100), (200, 0, 0))
    old = PageAt(tmp_path / "a.warc.gz", _rendering_warc(tmp_path / "a.warc.gz", url, _png(WHITE)), url)
    new = PageAt(tmp_path / "b.warc.gz", _rendering_warc(tmp_path / "b.warc.gz", url, _png(red)), url)
    bad = PageAt(tmp_path / "c.warc.gz", _rendering_warc(tmp_path / "c.warc.gz", url, b"not a png"), url)
    visual = VisualChange()
    assert visual.share(old, new) == 1.0
    assert visual.share(old, PageAt(new.path, new.offset, url + "other")) is None, "not rendered: no screenshot"
    with caplog.at_level(logging.WARNING, logger="indexer.visual_change"):
        assert visual.share(old, bad) is None
        assert visual.share(PageAt(tmp_path / "gone.warc.gz", 0, url), new) is None
    warnings = [r.getMessage() for r in caplog.records]
    assert any("not a readable PNG" in w for w in warnings), warnings
    assert any("gone.warc.gz" in w and "not found" in w for w in warnings), warnings


BOARD = """<!doctype html><html><head><title>Notice board</title></head>
<body data-build="{build}" style="margin:0;background:{colour}"><h1>Notice board</h1>
<p>Opening hours of the records office are unchanged this week.</p></body></html>"""


@pytest.mark.browser
def test_a_page_that_changes_only_its_picture_is_a_new_version(make_settings: Callable[..., Settings],
                                                                tmp_path: Path) -> None:
    need_chromium()
    files: list[str] = []
    with AgencySite() as site:
        seed = f"http://localhost:{site.port}/board/"
        # the same text each time: first white, then red (pixels), then red with another attribute (DOM only)
        for build, colour in ((1, "#ffffff"), (2, "#b00000"), (3, "#b00000")):
            site.set_page("/board/", BOARD.format(build=build, colour=colour))
            job = fast_job(tmp_path / "crawl", [seed], render="browser", chromium_path=CHROMIUM, sitemaps=False,
                           max_depth=0, render_page_timeout=15.0)
            files += [p for p in run_crawl(job).warc_files if p not in files]
    assert len(files) == 3
    found = {}
    for name, threshold in (("pixels", 0.05), ("text-only", 1.0)):
        settings = make_settings(data_dir=tmp_path / name, download_delay="0s", visual_change_threshold=threshold)
        engine, search = open_catalog(settings), open_search(settings)
        summary = Indexer(Config(settings=settings), engine, search).index_paths(files)
        assert summary.errors == 0, summary.problems
        search.close()
        found[name] = [(c["kind"], c["details"] | {"significance": c["significance"]})
                       for c in rows(engine, changes, changes.c.url == seed, order=changes.c.id)]
    kinds = [kind for kind, _ in found["pixels"]]
    assert kinds == ["new", "changed", "unchanged"], found["pixels"]
    pixels_changed = found["pixels"][1][1]
    assert pixels_changed["pixels_changed"] > 0.5 and pixels_changed["reason"].startswith("pixels changed ")
    assert pixels_changed["significance"] == pixels_changed["pixels_changed"], "the change is as big as its picture's"
    assert found["pixels"][2][1]["pixels_changed"] == 0.0, "an identical screenshot is no change"
    assert found["pixels"][2][1]["reason"] == "insignificant"
    assert [kind for kind, _ in found["text-only"]] == ["new", "unchanged", "unchanged"], found["text-only"]
