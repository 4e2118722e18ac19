"""WARC files rotate near the configured size; each new file starts with its own warcinfo."""

from __future__ import annotations

from pathlib import Path

from crawler.run import run_crawl
from spillwatch.demo.agency_site import AgencySite
from tests.crawler.conftest import fast_job, gzip_members, read_records, warcio_check


def test_rotation_near_the_configured_size(tmp_path: Path) -> None:
    rotate = 8_000
    with AgencySite() as site:
        manifest = run_crawl(fast_job(tmp_path, [site.url("/")], warc_rotate_size=rotate))
    files = [Path(p) for p in manifest.warc_files]
    assert len(files) >= 4
    assert [p.name[-13:] for p in files[:2]] == ["00001.warc.gz", "00002.warc.gz"]
    largest_record = 40_000  # the DOCX release, compressed
    for path in files:
        records = read_records([path])
        assert records[0].type == "warcinfo"
        assert records[0].payload.count(f"filename: {path.name}".encode()) == 1
        assert gzip_members(path) == len(records)
        assert path.stat().st_size < rotate + largest_record
    assert warcio_check(files).returncode == 0
    assert sum(p.stat().st_size for p in files) >= manifest.bytes > 0


def test_gzip_member_stores_incompressible_large_records() -> None:
    import gzip
    import random

    from crawler.warc_files import gzip_member

    noise = random.Random(1).randbytes(2_000_000)
    member = gzip_member(noise)
    assert gzip.decompress(member) == noise and len(member) < len(noise) * 1.001
    text = b"country,count\n" * 200_000
    assert gzip.decompress(gzip_member(text)) == text and len(gzip_member(text)) < len(text) / 50
