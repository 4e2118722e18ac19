"""A real pywb (``wayback``) serving collections built with ``wb-manager``: the public-archive stand-in
of the mirror sweep tests (pywb answers the CDX server API and Memento TimeMaps as the Wayback
Machine does).  pywb monkey-patches with gevent on import, so it runs in its own process."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.services.procs import free_port


def tool(name: str) -> str:
    path = Path(sys.executable).with_name(name)
    return str(path) if path.exists() else (shutil.which(name) or name)


@dataclass
class Pywb:
    root: Path
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def start_pywb(root: Path, collections: dict[str, list[Path]]) -> Pywb:
    """Collections (name → WARC files; an empty list makes an empty collection) served on a free port."""
    for name, warcs in collections.items():
        subprocess.run([tool("wb-manager"), "init", name], cwd=root, check=True, capture_output=True, timeout=60)
        if warcs:
            subprocess.run([tool("wb-manager"), "add", name, *map(str, warcs)], cwd=root, check=True,
                           capture_output=True, timeout=120)
    port = free_port()
    with open(root / "wayback.log", "wb") as log:
        process = subprocess.Popen([tool("wayback"), "-b", "127.0.0.1", "-p", str(port)], cwd=root, stdout=log,
                                   stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return Pywb(root, port, process)
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("pywb did not start: " + (root / "wayback.log").read_text()) from None
            time.sleep(0.1)
