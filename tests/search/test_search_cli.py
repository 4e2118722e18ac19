"""``spillwatch search`` says when a search was ranked among its most recently indexed matches only."""

from __future__ import annotations

import json
from pathlib import Path

from indexer.search.sqlite_fts import SqliteSearch
from spillwatch.exit_codes import Exit
from tests.core.test_cli_failures import spillwatch
from tests.search.test_contract import doc


def test_the_cli_names_the_rank_window(tmp_path: Path) -> None:
    assert spillwatch("users", "list", cwd=tmp_path).returncode == Exit.OK  # creates the catalog
    backend = SqliteSearch(tmp_path / "data" / "search.sqlite3")
    backend.ensure_ready()
    backend.index([doc(f"d{n}", "deportation docket") for n in range(3)])
    backend.close()
    windowed = spillwatch("--set", "search_rank_window=2", "search", "docket", cwd=tmp_path)
    assert windowed.returncode == Exit.OK, windowed.stderr
    assert windowed.stdout.splitlines()[:2] == [
        "3 capture(s) match; page 1 of 1",
        "Ranked, and counted by site, type and severity, among the 2 most recently indexed of the 3 matches: add "
        "words or filters to reach the others."]
    as_json = json.loads(spillwatch("--set", "search_rank_window=2", "search", "docket", "--json", cwd=tmp_path).stdout)
    assert (as_json["total"], as_json["ranked_among"], len(as_json["hits"])) == (3, 2, 2)
    whole = spillwatch("search", "docket", cwd=tmp_path)
    assert "Ranked" not in whole.stdout and whole.stdout.startswith("3 capture(s) match")
