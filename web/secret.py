"""The key signing sessions, CSRF tokens and replay links.

From ``secret_key`` (environment only) or, when empty, generated once and kept in
``DATA_DIR/web-secret-key`` (mode 0600) so that sessions survive a restart and the UI and the replay
origin (possibly two processes) agree on it.
"""

from __future__ import annotations

import os
import secrets

from core.settings import Settings

FILE_NAME = "web-secret-key"


def secret_key(settings: Settings) -> str:
    configured: str = settings.secret_key
    if configured:
        return configured
    path = settings.data_path / FILE_NAME
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    settings.data_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process wrote it first: use theirs
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
    return key
