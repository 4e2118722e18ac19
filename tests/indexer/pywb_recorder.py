"""Record pages with pywb's recorder (``wayback`` with ``recorder: live``), for the coverage bench and
tests: the WARCs another archiving tool writes of a local site.

``recorder: live`` names the collection recorded *from*; a config that declares ``collections``
replaces pywb's defaults, so it must declare pywb's live-web collection (``live: $live``) itself.
Without it (an earlier bench wrote ``collections: {rec: auto}``) every ``/rec/record/`` request
answers "No Resource Found". The collection written to is found in ``collections/`` (``wb-manager
init``).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

RECORDER_CONFIG = "collections:\n  live: $live\nrecorder: live\n"
COLLECTION = "rec"


def _tool(name: str) -> str:
    path = Path(sys.executable).with_name(name)
    return str(path) if path.exists() else (shutil.which(name) or name)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(port: int, process: subprocess.Popen[bytes], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise OSError(f"pywb's wayback did not listen on port {port} (exit {process.poll()})")


def record_with_pywb(urls: list[str], out: Path) -> list[Path]:
    """Fetch ``urls`` through pywb's recorder (``/rec/record/id_/URL``); the WARC files it wrote."""
    out.mkdir(parents=True)
    subprocess.run([_tool("wb-manager"), "init", COLLECTION], cwd=out, capture_output=True, check=True, timeout=120)
    (out / "config.yaml").write_text(RECORDER_CONFIG, encoding="utf-8")
    port = _free_port()
    with (out / "wayback.log").open("wb") as log:
        server = subprocess.Popen([_tool("wayback"), "-b", "127.0.0.1", "-p", str(port)], cwd=out, stdout=log,
                                  stderr=subprocess.STDOUT)
    try:
        _wait(port, server)
        with httpx.Client(timeout=60) as http:
            for url in urls:
                answer = http.get(f"http://127.0.0.1:{port}/{COLLECTION}/record/id_/{url}")
                if answer.status_code >= 400 and b"No Resource Found" in answer.content:
                    raise OSError(f"pywb's recorder could not fetch {url}: see {out / 'wayback.log'}")
        time.sleep(1)  # the recorder writes the records after the response
    finally:
        server.terminate()
        server.wait(timeout=30)
    return sorted((out / "collections" / COLLECTION / "archive").glob("*.warc.gz"))
