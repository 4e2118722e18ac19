"""ReplayWeb.page (Webrecorder's in-browser replay) for the tests: the built files of the npm package
``replaywebpage`` (``ui.js``, ``sw.js``), fetched by ``scripts/setup.sh --test`` with ``npm pack`` (npm
keeps the tarball in its cache) and unpacked under ``.services/`` in the checkout once.

Run by hand: ``python -m tests.services.replaywebpage`` fetches it and prints the folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

RWP_VERSION = os.environ.get("SPILLWATCH_TEST_RWP_VERSION", "2.5.3")
REPO_ROOT = Path(__file__).resolve().parents[2]
CACHE = REPO_ROOT / ".services"


def folder() -> Path:
    """Where the package's files are (``SPILLWATCH_REPLAYWEBPAGE`` names another folder holding them)."""
    named = os.environ.get("SPILLWATCH_REPLAYWEBPAGE")
    return Path(named) if named else CACHE / f"replaywebpage-{RWP_VERSION}"


def installed() -> Path | None:
    """The folder when it holds ``ui.js`` and ``sw.js``, else None."""
    home = folder()
    return home if (home / "ui.js").is_file() and (home / "sw.js").is_file() else None


def fetch() -> Path:
    """Fetch ``replaywebpage@RWP_VERSION`` with ``npm pack`` and unpack it (once); its folder."""
    home = installed()
    if home is not None:
        return home
    npm = shutil.which("npm")
    if npm is None:
        raise OSError("npm not found: install Debian's npm package (apt-get install -y npm) to fetch ReplayWeb.page")
    target = folder()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rwp-") as work:
        done = subprocess.run([npm, "pack", "--silent", f"replaywebpage@{RWP_VERSION}"], cwd=work,
                              capture_output=True, text=True, timeout=600, check=False)
        tarballs = list(Path(work).glob("replaywebpage-*.tgz"))
        if done.returncode != 0 or not tarballs:
            raise OSError(f"npm pack replaywebpage@{RWP_VERSION} failed (exit {done.returncode}): "
                          f"{(done.stderr or done.stdout).strip()[-300:]}")
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix="unpack-"))
        with tarfile.open(tarballs[0]) as archive:
            archive.extractall(staging, filter="data")
        (staging / "package").rename(target)
        staging.rmdir()
    return target


if __name__ == "__main__":
    print(fetch())
