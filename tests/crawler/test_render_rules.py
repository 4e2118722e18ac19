"""``render: auto`` leaves the page's chrome (navigation, page header and footer, landmarks) out of the
text it counts: a script-filled release list on a page with a large menu is still rendered."""

from __future__ import annotations

from crawler.render_rules import AUTO_MAX_TEXT, needs_render, page_shape

MENU = "".join(f'<li><a href="/section/{n}/">Programs and services section {n}</a></li>' for n in range(60))
SHELL = f"""<!doctype html><html><body>
<header><h1>Agency</h1><nav><ul>{MENU}</ul></nav></header>
<main><h2>Statistics</h2><ul id="releases"></ul><script>fetch('/api/releases.json')</script></main>
<footer><ul>{MENU}</ul><p>1 Agency Plaza, Washington DC</p></footer></body></html>"""


def test_a_shell_with_a_large_menu_is_rendered() -> None:
    scripts, text = page_shape(SHELL.encode())
    assert scripts == 1 and text == len("Statistics")
    assert needs_render("auto", SHELL.encode(), "text/html")


def test_landmark_roles_count_as_chrome_and_article_headers_as_content() -> None:
    page = (f'<html><body><div role="navigation"><ul>{MENU}</ul></div><div role="contentinfo">Footer</div>'
            "<main><article><header><h2>Release title</h2></header><p>Body.</p></article></main>"
            "<script>x()</script></body></html>")
    assert page_shape(page.encode()) == (1, len("Release titleBody."))


def test_a_page_with_its_content_as_text_is_not_rendered() -> None:
    prose = " ".join(["The annual report describes the programs of the year."] * 40)
    page = f"<html><body><nav><ul>{MENU}</ul></nav><main><p>{prose}</p></main><script>a()</script></body></html>"
    assert page_shape(page.encode())[1] >= AUTO_MAX_TEXT
    assert not needs_render("auto", page.encode(), "text/html")
