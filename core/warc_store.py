"""Where closed WARC files are kept: the data folder (``warc_storage: file``) or an S3-compatible bucket
(``warc_storage: s3://BUCKET/PREFIX``).

The crawler always writes to the local data folder (``*.warc.gz.open``, renamed when closed); a closed
file is then *published*: with S3 it is uploaded under ``PREFIX/<its path below the data folder>``.
A ``.open`` file is never uploaded.  Whoever needs a file later (an index job on another machine,
replay, an export) reads it back by the same local path: :meth:`WarcStore.local_copy` streams it
down when it is not on this machine, :meth:`WarcStore.read_range` reads one record by offset and
length without fetching the file.  Paths in the catalog stay the local paths under the data folder,
so every machine must use the same ``data_dir`` (docs/scaling.md).

The S3 side uses boto3 (endpoint, region and credentials from the settings and the environment, as
every AWS tool reads them); an unreachable endpoint or a missing bucket raises
:class:`StorageUnavailable` naming the bucket, which a queued job turns into a retry.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any, BinaryIO, Literal, Protocol
from urllib.parse import urlsplit

from core.errors import ServiceUnavailable
from core.settings import Settings

OPEN_SUFFIX = ".open"
CHUNK = 8 * 1024 * 1024  # multipart size of uploads and downloads


class StorageUnavailable(ServiceUnavailable):
    """The WARC store cannot be reached or refused the request; the message names the bucket."""


class WarcStore(Protocol):
    name: str

    def publish(self, path: Path) -> str: ...

    def local_copy(self, path: Path) -> Path: ...

    def read_range(self, path: Path, offset: int, length: int) -> bytes: ...

    def open_stream(self, path: Path) -> BinaryIO: ...


class FileStore:
    """The data folder itself: publishing does nothing, reads are local."""

    name = "file"

    def publish(self, path: Path) -> str:
        _refuse_open(path)
        return str(path)

    def local_copy(self, path: Path) -> Path:
        return path

    def read_range(self, path: Path, offset: int, length: int) -> bytes:
        with open(path, "rb") as handle:
            handle.seek(offset)
            return handle.read(length)

    def open_stream(self, path: Path) -> BinaryIO:
        return open(path, "rb")


class S3Store:
    """WARC files in ``s3://bucket/prefix``, keyed by their path below the data folder."""

    name = "s3"

    def __init__(self, url: str, data_dir: Path, *, endpoint_url: str = "", region: str = "",
                 client: Any = None) -> None:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise ValueError(f"warc_storage: {url!r} is not s3://BUCKET/PREFIX (or 'file')")
        self.bucket = parts.netloc
        self.prefix = parts.path.strip("/")
        self.data_dir = data_dir.resolve()
        self.endpoint_url = endpoint_url
        self.client = client if client is not None else _client(endpoint_url, region)

    def key(self, path: Path) -> str:
        try:
            relative = path.resolve().relative_to(self.data_dir)
        except ValueError:
            raise ValueError(f"{path}: WARC files kept on S3 must lie in the data folder {self.data_dir}; "
                             "write them there (crawls/<site>/warcs) or use warc_storage: file") from None
        return f"{self.prefix}/{relative.as_posix()}" if self.prefix else relative.as_posix()

    def within(self, path: Path) -> bool:
        """Whether ``path`` lies in the data folder (only such files are kept in the bucket)."""
        return path.resolve().is_relative_to(self.data_dir)

    def uri(self, path: Path) -> str:
        return f"s3://{self.bucket}/{self.key(path)}"

    def publish(self, path: Path) -> str:
        """Upload a closed WARC file (multipart for large ones); returns its s3:// URI."""
        _refuse_open(path)
        with self._errors("upload", path):
            self.client.upload_file(str(path), self.bucket, self.key(path), Config=_transfer())
        return self.uri(path)

    def exists(self, path: Path) -> bool:
        from botocore.exceptions import ClientError

        try:
            with self._errors("look up", path):
                self.client.head_object(Bucket=self.bucket, Key=self.key(path))
        except StorageUnavailable as exc:
            if isinstance(exc.__cause__, ClientError) and _code(exc.__cause__) in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def local_copy(self, path: Path) -> Path:
        """The file at its local path, streamed down from the bucket first when it is not here (written
        to a temporary name and renamed, so a half-downloaded file is never taken for the whole)."""
        if path.is_file():
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as out, self._errors("download", path):
                self.client.download_fileobj(self.bucket, self.key(path), out, Config=_transfer())
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        return path

    def read_range(self, path: Path, offset: int, length: int) -> bytes:
        """``length`` bytes at ``offset`` (one WARC record) by an HTTP range read."""
        if length <= 0:
            return b""
        with self._errors("read", path):
            answer = self.client.get_object(Bucket=self.bucket, Key=self.key(path),
                                            Range=f"bytes={offset}-{offset + length - 1}")
            data: bytes = answer["Body"].read()
        return data

    def open_stream(self, path: Path) -> BinaryIO:
        """The whole object as a stream (read in chunks, never held in memory at once)."""
        with self._errors("read", path):
            answer = self.client.get_object(Bucket=self.bucket, Key=self.key(path))
        body: BinaryIO = answer["Body"]
        return body

    def size(self, path: Path) -> int:
        with self._errors("look up", path):
            answer = self.client.head_object(Bucket=self.bucket, Key=self.key(path))
        return int(answer["ContentLength"])

    def open_seekable(self, path: Path, size: int | None = None, buffer: int = 1 << 18) -> io.BufferedReader:
        """The object as a seekable file: every read the buffer cannot answer is one range read, so a
        reader that seeks (pywb's record loader, :mod:`indexer.record_source`) fetches only what it reads."""
        return io.BufferedReader(_RangeReader(self, path, self.size(path) if size is None else size), buffer)

    def _errors(self, action: str, path: Path) -> _TranslateErrors:
        return _TranslateErrors(self, action, path)


class _RangeReader(io.RawIOBase):
    """A read-only, seekable view of one S3 object through range reads.  Written here because boto3,
    the store's client, has no seekable object file; s3fs/smart_open would add a second S3 client stack
    for these thirty lines."""

    def __init__(self, store: S3Store, path: Path, size: int) -> None:
        super().__init__()
        self.store, self.path, self.size, self._position = store, path, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self.size}[whence]
        if base + offset < 0:
            raise ValueError(f"{self.path.name}: negative seek position {base + offset}")
        self._position = base + offset
        return self._position

    def readinto(self, buffer: Any) -> int:
        wanted = min(len(buffer), self.size - self._position)
        if wanted <= 0:
            return 0
        data = self.store.read_range(self.path, self._position, wanted)
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)


class _TranslateErrors:
    """Turns boto3's errors into one StorageUnavailable that names the bucket and what to check."""

    def __init__(self, store: S3Store, action: str, path: Path) -> None:
        self.store, self.action, self.path = store, action, path

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, _tb: Any) -> Literal[False]:
        from boto3.exceptions import S3UploadFailedError
        from botocore.exceptions import BotoCoreError, ClientError

        if exc is None or not isinstance(exc, BotoCoreError | ClientError | S3UploadFailedError):
            return False
        where = self.store.endpoint_url or "AWS"
        raise StorageUnavailable(
            f"S3 bucket {self.store.bucket!r} at {where}: cannot {self.action} {self.path.name} "
            f"({exc.__class__.__name__}: {exc}); check s3_endpoint_url, the bucket and the AWS_* credentials "
            "in the environment — the job is retried") from exc


def _code(exc: Any) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _refuse_open(path: Path) -> None:
    if path.name.endswith(OPEN_SUFFIX):
        raise ValueError(f"{path}: a WARC file still being written (.open) is never published; "
                         "wait for the crawl to close it")


def _client(endpoint_url: str, region: str) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=60,
                    s3={"addressing_style": "path"} if endpoint_url else {})
    return boto3.client("s3", endpoint_url=endpoint_url or None, region_name=region or None, config=config)


def _transfer() -> Any:
    from boto3.s3.transfer import TransferConfig

    return TransferConfig(multipart_threshold=CHUNK, multipart_chunksize=CHUNK, use_threads=False)


def open_store(settings: Settings) -> FileStore | S3Store:
    """The store named by ``warc_storage``."""
    return store_from(storage_values(settings))


def storage_values(settings: Settings) -> dict[str, str]:
    """The settings a store is opened from, as plain strings (for a child process: web/pywb_child.py)."""
    return {"warc_storage": settings.warc_storage, "data_dir": str(settings.data_path),
            "s3_endpoint_url": settings.s3_endpoint_url, "s3_region": settings.s3_region}


def store_from(values: dict[str, str]) -> FileStore | S3Store:
    """The store described by :func:`storage_values`."""
    value = values["warc_storage"].strip()
    if value in ("", "file"):
        return FileStore()
    return S3Store(value, Path(values["data_dir"]), endpoint_url=values["s3_endpoint_url"],
                   region=values["s3_region"])


def remote_store(settings: Settings) -> S3Store | None:
    """The S3 store when WARC files are kept on S3, else None (readers then use the local files only)."""
    store = open_store(settings)
    return store if isinstance(store, S3Store) else None
