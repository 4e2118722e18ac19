"""Logging set-up: plain or one JSON object per line. Messages never carry personal data
(docs/architecture.md §5 rule 4): callers log counts, column types and masked samples only."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from core.settings import Settings


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key.startswith("sw_"):
                entry[key[3:]] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if settings.log_json:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    # alembic logs one INFO line per migration step (a dozen on first use); they matter when
    # debugging only
    logging.getLogger("alembic").setLevel(logging.DEBUG if settings.log_level == "debug" else logging.WARNING)
