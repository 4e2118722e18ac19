"""WARC files on S3 (core/warc_store.py) against a real S3 server (tests/services/s3.py)."""

from __future__ import annotations

import gzip
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from core.settings import Settings
from core.warc_store import FileStore, S3Store, StorageUnavailable, open_store


@pytest.fixture
def s3_settings(s3_server: Any, make_settings: Callable[..., Settings],
                monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    for name, value in s3_server.environ.items():
        monkeypatch.setenv(name, value)
    bucket = s3_server.create_bucket(f"warcs-{uuid.uuid4().hex[:10]}")
    yield make_settings(warc_storage=f"s3://{bucket}/archive", s3_endpoint_url=s3_server.url)


def _warc(settings: Settings, name: str = "crawl-1-00000.warc.gz", size: int = 300_000) -> Path:
    folder = settings.data_path / "crawls" / "site-a" / "warcs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(gzip.compress(os.urandom(size), compresslevel=0))
    return path


def test_file_store_is_the_data_folder(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    store = open_store(settings)
    assert isinstance(store, FileStore)
    path = _warc(settings)
    assert store.publish(path) == str(path)
    assert store.read_range(path, 10, 5) == path.read_bytes()[10:15]


def test_upload_then_stream_down_on_another_machine(s3_settings: Settings, tmp_path: Path) -> None:
    store = open_store(s3_settings)
    assert isinstance(store, S3Store)
    path = _warc(s3_settings, size=9_000_000)  # above the multipart threshold
    content = path.read_bytes()
    uri = store.publish(path)
    assert uri == f"s3://{store.bucket}/archive/crawls/site-a/warcs/{path.name}"
    assert store.read_range(path, 1234, 100) == content[1234:1334]
    with store.open_stream(path) as stream:
        assert stream.read() == content
    path.unlink()  # another machine: the same data_dir, but not this file
    assert store.local_copy(path) == path
    assert path.read_bytes() == content
    assert not list(path.parent.glob("*.part"))


def test_open_files_are_never_uploaded(s3_settings: Settings) -> None:
    store = open_store(s3_settings)
    path = _warc(s3_settings, name="crawl-2-00000.warc.gz.open")
    with pytest.raises(ValueError, match="never published"):
        store.publish(path)
    assert isinstance(store, S3Store)
    assert not store.exists(path)


def test_a_missing_object_names_the_bucket(s3_settings: Settings) -> None:
    store = open_store(s3_settings)
    assert isinstance(store, S3Store)
    path = s3_settings.data_path / "crawls" / "site-a" / "warcs" / "never-uploaded.warc.gz"
    with pytest.raises(StorageUnavailable, match=store.bucket):
        store.local_copy(path)
    assert not path.exists()


def test_an_unreachable_server_names_the_bucket_and_the_store_recovers(s3_settings: Settings,
                                                                         s3_server: Any) -> None:
    store = open_store(s3_settings)
    assert isinstance(store, S3Store)
    path = _warc(s3_settings, size=10_000)
    s3_server.pause()
    try:
        slow = S3Store(s3_settings.warc_storage, s3_settings.data_path, endpoint_url=s3_server.url,
                       client=_impatient_client(s3_server.url))
        with pytest.raises(StorageUnavailable, match=f"{store.bucket}.*retried"):
            slow.publish(path)
    finally:
        s3_server.resume()
    store.publish(path)  # once the server is back, the same upload goes through
    assert store.exists(path)


def test_files_outside_the_data_folder_are_refused(s3_settings: Settings, tmp_path: Path) -> None:
    store = open_store(s3_settings)
    outside = tmp_path / "elsewhere.warc.gz"
    outside.write_bytes(b"x")
    with pytest.raises(ValueError, match="data folder"):
        store.publish(outside)


def _impatient_client(url: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client("s3", endpoint_url=url, config=Config(connect_timeout=1, read_timeout=1,
                                                              retries={"max_attempts": 1}))
