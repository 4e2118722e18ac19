"""Hole 5: the data folder is private: folders 0700, files 0600 (catalog, WAL files, search index,
WARCs), set by the program's umask for new files and fixed on start for existing installs."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from tests.web.archive import write_warc

ROOT = Path(__file__).resolve().parents[2]


def spillwatch(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPILLWATCH_")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-m", "spillwatch", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=300)


def loose(root: Path) -> list[str]:
    """Paths under ``root`` (and root itself) that another local user could read or enter."""
    found = []
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if mode & 0o077:
            found.append(f"{path.relative_to(root.parent)} {oct(mode)}")
    return found


def test_new_and_existing_data_is_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    warcs = data / "crawls" / "agency" / "warcs"
    warcs.mkdir(parents=True)
    old_umask = os.umask(0o022)
    try:
        warc = write_warc(warcs / "old.warc.gz", [("https://agency.example.gov/", "text/html",
                                                  b"<html><title>t</title><p>hello</p></html>",
                                                  datetime(2022, 11, 27, tzinfo=UTC))])
        (data / "notes.txt").write_text("left by an earlier version")
    finally:
        os.umask(old_umask)
    for path in (data, data / "crawls", warcs.parent, warcs):
        path.chmod(0o755)
    warc.chmod(0o644)
    assert loose(data)  # an install from before: readable by everybody

    added = spillwatch("--data-dir", str(data), "users", "add", "alice", "--role", "admin", "--password-stdin",
                       stdin="a long enough password 42\n")
    assert added.returncode == 0, added.stderr
    assert "made 6 path(s) in" in added.stderr and "private" in added.stderr
    indexed = spillwatch("--data-dir", str(data), "index", str(warc))
    assert indexed.returncode == 0, indexed.stderr
    names = {p.name for p in data.rglob("*")}
    assert {"catalog.sqlite3", "search.sqlite3", "old.warc.gz"} <= names
    assert loose(data) == []
    again = spillwatch("--data-dir", str(data), "settings", "--effective")
    assert "private" not in again.stderr  # nothing left to fix: no log line
