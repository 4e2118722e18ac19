"""Masking where it protects someone, not everywhere: the aggregate sheet beside a roster is shown to
analysts as it is, search snippets keep the typed words and words that are no name; personal values
stay masked (and viewers keep seeing every table cell masked, tests/web/test_viewer_never_sees.py)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from urllib.parse import quote

from openpyxl import Workbook
from sqlalchemy import select

from core.catalog.schema import captures, findings
from indexer.pipeline import index_paths
from tests.web.archive import BASE, COUNTRIES, detainee_csv, write_warc
from tests.web.conftest import WebEnv
from web.snippet_masking import mask_snippet, typed_words

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook() -> tuple[bytes, list[str]]:
    book = Workbook()
    people = book.active
    people.title = "Detainees"
    rows = [line.split(",") for line in detainee_csv(30, seed=11).decode().splitlines()]
    for row in rows:
        people.append(row)
    summary = book.create_sheet("By country")
    summary.append(["Country", "Detained"])
    for i, country in enumerate(COUNTRIES):
        summary.append([country, 100 + 37 * i])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), [r[0] for r in rows[1:]]


def _index_workbook(env: WebEnv) -> tuple[int, list[str]]:
    data, names = workbook()
    path = write_warc(env.settings.data_path / "book.warc.gz",
                      [(f"{BASE}/files/release.xlsx", XLSX, data, datetime(2022, 11, 29, 9, 0, tzinfo=UTC))])
    index_paths([path], env.config, env.engine, env.search)
    with env.engine.connect() as conn:
        capture_id = conn.execute(select(captures.c.id).where(captures.c.url == f"{BASE}/files/release.xlsx")
                                  ).scalar_one()
        located = set(conn.execute(select(findings.c.locator).where(findings.c.capture_id == capture_id)).scalars())
    assert located and all("By country" not in loc for loc in located), located
    return capture_id, names


def test_aggregate_sheet_is_shown_to_analysts_and_the_roster_stays_masked(env: WebEnv) -> None:
    capture_id, names = _index_workbook(env)
    html = env.client("analyst").get(f"/captures/{capture_id}").get_data(as_text=True)
    aggregate = html[html.index("By country"):]
    aggregate = aggregate[:aggregate.index("</table>")]
    assert "<td>Mexico</td>" in aggregate and "<td>137</td>" in aggregate and "***" not in aggregate
    assert not any(name in html for name in names)  # the roster's names are masked
    viewer = env.client("viewer").get(f"/captures/{capture_id}").get_data(as_text=True)
    assert "<td>Mexico</td>" not in viewer and "<td>137</td>" not in viewer  # viewers: every cell masked


def test_snippet_masking_keeps_typed_and_common_words_only() -> None:
    keep = typed_words('monthly "Otay Mesa" Hern* -total Garcia')
    assert keep == {"monthly", "otay", "mesa", "garcia"}
    masked = mask_snippet("Maria Hernández, 1987-03-14, A123456789, Otay Mesa, García, detained monthly", keep)
    assert masked == "M**** H********, ****-**-**, A*********, Otay Mesa, García, detained monthly"
    assert mask_snippet("rosa figures") == "r*** figures"  # a lower-case word in the name lists stays masked


def test_search_snippet_shows_the_query_word_and_masks_the_other_names(env: WebEnv) -> None:
    _capture, names = _index_workbook(env)
    surname = names[0].split(" ")[-1]
    others = [n for n in names if surname not in n]
    html = env.client("analyst").get(f"/search?q={quote(surname)}").get_data(as_text=True)
    assert f"<mark>{surname}</mark>" in html
    snippets = " ".join(re.findall(r'<p class="snippet">(.*?)</p>', html, re.S))
    assert snippets and not any(name in snippets for name in others)
    prefix = env.client("analyst").get(f"/search?q={quote(surname[:4])}*").get_data(as_text=True)
    assert f"<mark>{surname}</mark>" not in prefix  # a prefix never unmasks what it expands to
