"""Words, not internals: the dashboard leads with open findings and tells first captures from changes,
column types and severities are explained, search facets use friendly names and the CLI's short names,
and the API has a reference page built from its OpenAPI document."""

from __future__ import annotations

import re

from matcher.decide import ATTRIBUTES, NAME_TYPES
from tests.web.conftest import WebEnv
from web import labels
from web.openapi import openapi_document


def test_every_column_type_the_matcher_assigns_has_words() -> None:
    missing = sorted(t for t in ATTRIBUTES | NAME_TYPES if t not in labels.COLUMN_TYPES)
    assert not missing, f"add labels for {missing} to web/labels.py COLUMN_TYPES"
    assert labels.column_type("gov_id") == "Government ID number"
    assert labels.column_type("some_new_type") == "Some new type"
    assert labels.file_name("https://x.gov/files/Detainee%20list.xlsx") == "Detainee list.xlsx"
    assert labels.score_words(0.95).startswith("very sure")


def test_dashboard_leads_with_open_critical_findings(shared_env: WebEnv) -> None:
    a = shared_env.archive
    html = shared_env.client("viewer").get("/").get_data(as_text=True)
    lead = html[html.index("Open findings, worst first"):html.index("Changes worth a look")]
    assert f'href="/findings/{a.finding}"' in lead and 'class="lead-critical"' in lead
    assert "Government ID number" in lead and "gov_id" not in lead
    changes = html[html.index("Changes worth a look"):html.index("Findings over time")]
    assert "first capture" in changes and "100%" not in changes and "new 100" not in changes
    linked = changes[changes.index("new document linked"):].split("</tr>")[0]
    assert f'href="/captures/{a.table_v2}"' in linked  # the document itself…
    assert f'href="/captures/{a.page_v2}">the linking page' in linked  # …and the page that linked it
    assert 'sev-critical' in linked  # the critical file has its marker
    assert '<img src="/charts/findings.svg"' in html and "2022-11-28" in html  # the chart's figures table


def test_findings_chart_is_an_inert_svg(shared_env: WebEnv) -> None:
    chart = shared_env.client("viewer").get("/charts/findings.svg")
    assert chart.status_code == 200 and chart.content_type.startswith("image/svg+xml")
    assert b"critical" in chart.data and b"Findings first seen per day" in chart.data
    assert chart.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert shared_env.anonymous().get("/charts/findings.svg").status_code == 302  # login first


def test_finding_page_explains_severity_score_and_types(shared_env: WebEnv) -> None:
    html = shared_env.client("analyst").get(f"/findings/{shared_env.archive.finding}").get_data(as_text=True)
    assert "Government ID number" in html and "Date of birth" in html and "<td>gov_id</td>" not in html
    assert "government ID number or a sensitive category" in html
    assert re.search(r"(Very|Fairly) sure \(\d\.\d\d of 1\) that each row describes one person", html)


def test_search_facets_have_words_and_the_cli_short_names(shared_env: WebEnv) -> None:
    client = shared_env.client("analyst")
    facets = client.get("/search?q=").get_data(as_text=True)
    assert "CSV table" in facets and '<code class="cli-name"' in facets and ">csv</code>" in facets
    assert 'value="text/csv"' in facets
    by_short = client.get("/search?media_type=csv").get_data(as_text=True)
    by_type = client.get("/search?media_type=text/csv").get_data(as_text=True)
    count = re.compile(r"(\d+) results?")
    shorts, types = count.search(by_short), count.search(by_type)
    assert shorts and types and shorts.group(1) == types.group(1) != "0"


def test_api_docs_page_renders_every_operation_of_the_openapi_document(shared_env: WebEnv) -> None:
    html = shared_env.client("viewer").get("/api-docs").get_data(as_text=True)
    document = openapi_document()
    for path, item in document["paths"].items():
        for method in item:
            assert f"{method.upper()}</span> <code>{path}</code>" in html, (method, path)
    assert "<code>Authorization: Bearer &lt;token&gt;</code>" in html
    assert '<a href="#schema-Finding">Finding (application/json)</a>' in html and 'id="schema-Finding"' in html
    assert 'href="/api-docs"' in shared_env.client("viewer").get("/").get_data(as_text=True)  # linked from the UI
    assert "cdn" not in html.lower() and "<script" not in html.split("</head>")[1]


def test_charts_draw_counts_and_empty_windows() -> None:
    from datetime import date

    from web.charts import Series, bar_svg

    days = [date(2022, 11, d) for d in range(1, 31)]
    empty = bar_svg(Series("Crawls of x per day", days, {"full": [0] * 30, "watch": [0] * 30}))
    assert b"nothing in these days" in empty
    drawn = bar_svg(Series("Findings", days, {"critical": [0] * 29 + [7], "high": [2] + [0] * 29}))
    labels = re.findall(rb'class="major">([^<]*)<', drawn)
    assert labels[:5] == [b"0", b"2", b"4", b"6", b"8"]  # whole numbers up to the highest day (7)
    assert b"critical" in drawn and b"high" in drawn


def test_a_first_crawl_folds_into_one_row_and_files_with_findings_keep_theirs() -> None:
    from web.dashboard_feed import ChangeRow, fold_first_captures

    def row(i: int, kind: str = "new", severity: str | None = None, site: str = "agency") -> ChangeRow:
        return ChangeRow(i, kind, kind, f"https://x.gov/{i}", i, None, None, None, severity, site)

    rows = [row(1, "changed"), row(2), row(3), row(4, severity="critical"), row(5), row(6), row(7), row(8),
            row(9, site="other"), row(10, site="other")]
    folded = fold_first_captures(rows)
    assert [(r.kind, r.count, r.site_id) for r in folded] == [
        ("changed", 1, "agency"), ("new", 1, "agency"), ("new", 1, "agency"),  # a run of two stays
        ("new", 1, "agency"),  # the critical file keeps its row
        ("first_captures", 4, "agency"), ("new", 1, "other"), ("new", 1, "other")]
    assert folded[4].label == "4 URLs first captured" and folded[4].capture_id is None
