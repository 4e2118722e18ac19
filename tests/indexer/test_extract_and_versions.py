"""Extraction of pages and the significance of a change (pure functions, no backends)."""

from __future__ import annotations

import pytest

from indexer import media_types
from indexer.extract import extract, scan_into, tables_text
from indexer.extract_html import extract as extract_page
from indexer.surt import surt_key
from indexer.versions import normalise, significance
from matcher.scan import scan_bytes

PAGE = """<!DOCTYPE html><html><head><meta charset="windows-1252"><title>Statistiques  d\xe9tention</title>
<style>.x{color:red}</style><script>var secret = "not text";</script><base href="/stats/"></head>
<body><nav><a href="/">Home</a></nav><h1>Donn\xe9es</h1><p>Lib\xe9r\xe9s <b>en</b> 2023</p>
<noscript>enable js</noscript><template><p>hidden template</p></template>
<table><tr><th>Pays</th><th>Total</th></tr><tr><td>Mexique</td><td>12</td></tr></table>
<a href="releases/fy2023.xlsx#sheet">FY 2023</a> <a href="https://other.example/x.pdf">Other</a>
<a href="mailto:press@agency.example">Mail</a> <a href="javascript:void(0)">JS</a>
<a href="/">Home again</a><iframe src="//cdn.example/embed.html"></iframe></body></html>"""


def test_page_title_visible_text_and_links() -> None:
    page = extract_page(PAGE.encode("cp1252"), "https://agency.example/stats/index.html",
                        "text/html; charset=windows-1252")
    assert page.title == "Statistiques détention"
    assert "Libérés en 2023" in page.text and "Mexique 12" in page.text.replace("\n", " ")
    for hidden in ("secret", "color:red", "enable js", "hidden template"):
        assert hidden not in page.text
    assert [(link.url, link.text) for link in page.links] == [
        ("https://agency.example/", "Home"),
        ("https://agency.example/stats/releases/fy2023.xlsx", "FY 2023"),
        ("https://other.example/x.pdf", "Other"),
        ("https://cdn.example/embed.html", ""),
    ]


def test_control_characters_in_a_page_do_not_lose_its_text_or_links() -> None:
    # libxml2 keeps C0 control characters that lxml then refuses to set back into the tree
    page = extract_page(b"<html><body><p>Release\x01notes</p><div>FY\x0b2023</div>after\x02div<br>end"
                        b'<a href="/docs/roster.xlsx">Roster\x1f list</a></body></html>',
                        "https://agency.example/")
    assert page.text == "Release notes\nFY 2023\nafter div\nendRoster list"
    assert [(link.url, link.text) for link in page.links] == [("https://agency.example/docs/roster.xlsx",
                                                               "Roster list")]


def test_documents_get_text_from_their_tables() -> None:
    data = b"Country,Book-ins\nMexico,11240\nGuatemala,6120\n"
    extraction = extract(data, "https://agency.example/r.csv", "application/octet-stream",
                         media_types.sniff(data, "https://agency.example/r.csv"))
    assert extraction.media_type == "text/csv" and extraction.text == ""
    scan_into(extraction, data, "https://agency.example/r.csv", scan_bytes)
    assert "Guatemala\t6120" in extraction.text and extraction.findings == []
    assert tables_text([]) == ""


def test_sniffing_is_by_content_not_by_name() -> None:
    html = b"<!DOCTYPE html><html><body>x</body></html>"
    assert media_types.sniff(html, "https://a.example/report.pdf") == "text/html"
    assert media_types.effective("text/html", "application/pdf") == "text/html"
    assert media_types.effective("application/octet-stream", "image/png; x=y") == "image/png"
    assert media_types.is_document_url("https://a.example/files/List.XLSX?download=1")
    assert not media_types.is_document_url("https://a.example/about/")


@pytest.mark.parametrize(("old", "new"), [
    ("Updated 10:42:13 UTC. Figures for May.", "Updated 11:07:55 UTC. Figures for May."),
    ("Generated 2026-01-01T10:00:00Z by the portal", "Generated 2026-01-02T09:13:44Z by the portal"),
    ("session a8f3c2d19e4b7a6c5d2e1f0a ok", "session 0b9e8d7c6f5a4b3c2d1e0f9a ok"),
    ("id 123e4567-e89b-12d3-a456-426614174000 end", "id 9f0e4567-e89b-12d3-a456-426614174999 end"),
    ("cache 1764000000 x", "cache 1764003600 x"),
])
def test_volatile_tokens_are_not_a_change(old: str, new: str) -> None:
    assert significance(old, new) == 0.0
    assert normalise(old) == normalise(new)


def test_real_changes_score_by_how_much_text_changed() -> None:
    base = "The Office publishes yearly detention statistics by country of citizenship. " * 5
    small = base + "A new release for fiscal year 2023 was added."
    assert 0.02 < significance(base, small) < 0.2
    assert significance(base, "Completely different content about a new website.") > 0.6
    assert significance("", "anything") == 1.0 and significance("same", "same") == 0.0
    # numbers that are data, not clocks, do count
    assert significance("Mexico 11240 Guatemala 6120", "Mexico 11980 Guatemala 6120") > 0


def test_surt_keys() -> None:
    assert surt_key("http://www.Example.gov/a?b=1&a=2") == surt_key("https://example.gov/a?a=2&b=1")
    assert surt_key("http://example.gov/a") != surt_key("http://example.gov/b")
