"""The web UI (docs/architecture.md §5 rules 3, 4, 6): search, captures, diffs, findings triage,
sandboxed replay, JSON API.

``create_app(config)`` builds the UI app; ``create_replay_app(config)`` the separate replay origin.
``spillwatch serve`` runs both; the service loop (``spillwatch run``) does the same.
"""

from web.app import create_app
from web.replay import create_replay_app

__all__ = ["create_app", "create_replay_app"]
