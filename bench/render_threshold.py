"""How good is ``render: auto``'s rule (a page with a script and under ``AUTO_MAX_TEXT`` characters of
visible text is rendered)?  Figures per threshold: pages rendered, script-filled pages missed, pages
rendered for nothing.

Pages:

- real: every HTML page in ``../shared/corpus`` (the 200 text/html responses of its WARCs, de-duplicated
  by body, and the HTML files of ``real2/``);
- synthetic, agency-like, built by :func:`agency_page` from a seeded generator: the chrome of a
  government page (header, navigation of 4-60 links, breadcrumb, footer of 3-30 links and address
  lines), an introduction of 0-8 sentences, and the release list either in the HTML (with or without
  an analytics script) or empty and filled by a script from ``/api/releases.json``.

Ground truth is measured, not assumed: each page is served from a local HTTP server and rendered in
headless Debian Chromium (requests to other hosts aborted); a page *needs rendering* when its rendered
DOM links URLs that its HTML as fetched does not.  The rule is then applied to the HTML as fetched
(``crawler.render_rules.page_shape``).  Two generator seeds: the threshold is read off the first
("tune") and checked on the second ("check") and on the real pages.

    .venv/bin/python bench/render_threshold.py [--pages 150] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import random
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import lxml.html
from faker import Faker
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Route, sync_playwright
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from crawler.render_rules import AUTO_MAX_TEXT, HIDDEN_TAGS, page_shape

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
THRESHOLDS = (250, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000)
RELEASES = "/api/releases.json"


@dataclass
class Page:
    name: str
    group: str  # real | tune | check
    html: bytes
    scripts: int = 0
    text: int = 0  # visible text outside page chrome (the rule's input, crawler.render_rules.page_shape)
    text_all: int = 0  # visible text of the whole body (the rule before chrome was left out)
    needs_render: bool = False


def real_pages() -> list[Page]:
    pages: dict[str, Page] = {}
    for path in sorted(glob.glob(str(CORPUS / "warcs" / "*"))):
        try:
            with open(path, "rb") as stream:
                for record in ArchiveIterator(stream):
                    if record.rec_type != "response" or record.http_headers is None:
                        continue
                    if "html" not in (record.http_headers.get_header("Content-Type") or "") \
                            or record.http_headers.get_statuscode() != "200":
                        continue
                    body = record.content_stream().read()
                    key = hashlib.sha1(body).hexdigest()
                    if body and key not in pages:
                        uri = record.rec_headers.get_header("WARC-Target-URI") or Path(path).name
                        pages[key] = Page(uri, "real", body)
        except (ArchiveLoadFailed, ValueError, OSError) as exc:  # the corpus's broken files: the rest go on
            print(f"  {Path(path).name}: skipped after {exc.__class__.__name__}")
    for path in sorted(glob.glob(str(CORPUS / "real2" / "*.html"))):
        body = Path(path).read_bytes()
        pages.setdefault(hashlib.sha1(body).hexdigest(), Page(Path(path).name, "real", body))
    return list(pages.values())


def _links(fake: Faker, rng: random.Random, count: int, prefix: str) -> str:
    return "".join(f'<li><a href="{prefix}{n}/">{fake.catch_phrase()}</a></li>' for n in range(count))


def agency_page(rng: random.Random, fake: Faker, n: int, group: str) -> tuple[Page, bytes]:
    """One agency-like page and the JSON its script would load."""
    nav = _links(fake, rng, rng.randint(4, 60), "/section/")
    footer = _links(fake, rng, rng.randint(3, 30), "/about/") + "".join(
        f"<p>{fake.address()}</p>" for _ in range(rng.randint(0, 2)))
    intro = " ".join(fake.sentence(nb_words=14) for _ in range(rng.randint(0, 8)))
    releases = [(f"{fake.bs().title()} {2015 + k}", f"/files/{n}/release-{k}.xlsx") for k in range(rng.randint(1, 25))]
    kind = rng.choice(("scripted", "static", "static-analytics"))
    # page chrome in HTML5 landmarks (header/nav/footer) on most pages, in plain divs on some
    semantic = rng.random() < 0.75
    head, navigation, foot = ("header", "nav", "footer") if semantic else ("div", "div", "div")
    if kind == "scripted":
        listing = '<ul id="releases"></ul><script>fetch("' + RELEASES + '").then(r => r.json()).then(d => {' \
                  'const ul = document.getElementById("releases"); for (const r of d) { const li = ' \
                  'document.createElement("li"); const a = document.createElement("a"); a.href = r.url; ' \
                  'a.textContent = r.title; li.appendChild(a); ul.appendChild(li); } });</script>'
    else:
        listing = "<ul>" + "".join(f'<li><a href="{u}">{t}</a></li>' for t, u in releases) + "</ul>"
        if kind == "static-analytics":
            listing += "<script>window.dataLayer = window.dataLayer || []; dataLayer.push({event: 'view'});</script>"
    html = (f"<!doctype html><html><head><title>{fake.company()} statistics</title></head><body>"
            f"<{head}><h1>{fake.company()}</h1><{navigation}><ul>{nav}</ul></{navigation}></{head}>"
            f'<main><p class="crumbs"><a href="/">Home</a> / Statistics</p><h2>Statistics and releases</h2>'
            f"<p>{intro}</p>{listing}</main><{foot}><ul>{footer}</ul></{foot}></body></html>")
    data = ("[" + ",".join(f'{{"title": "{t}", "url": "{u}"}}' for t, u in releases) + "]").encode()
    return Page(f"{group}-{n}-{kind}{'' if semantic else '-divs'}", group, html.encode()), data


class _Server(ThreadingHTTPServer):
    pages: dict[str, tuple[bytes, str]]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        body, kind = self.server.pages.get(self.path, (b"not found", "text/plain"))
        self.send_response(200 if self.path in self.server.pages else 404)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


def _anchors(html: bytes | str, base: str) -> set[str]:
    try:
        root = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return set()
    root.make_links_absolute(base, resolve_base_href=True)
    return {a.get("href", "") for a in root.iter("a") if a.get("href")}


def measure(pages: list[Page], extra: dict[str, bytes], chromium: str) -> None:
    """Fill each page's shape (the rule's inputs) and its measured ground truth (rendering in Chromium)."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.pages = {}
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"

    def local_only(route: Route) -> None:
        if route.request.url.startswith(base):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--headless"])
        context = browser.new_context(service_workers="block")
        context.route("**", local_only)
        for n, page in enumerate(pages):
            path = f"/p{n}/"
            server.pages = {path: (page.html, "text/html; charset=utf-8")}
            if page.name in extra:
                server.pages[RELEASES] = (extra[page.name], "application/json")
            page.scripts, page.text = page_shape(page.html)
            page.text_all = body_text(page.html)
            tab = context.new_page()
            try:
                tab.goto(base + path, wait_until="load", timeout=15_000)
                try:
                    tab.wait_for_load_state("networkidle", timeout=5_000)
                except PlaywrightError:
                    print(f"  {page.name}: network not idle after 5 s; read as it is")
                rendered = tab.content()
            except Exception as exc:  # noqa: BLE001 (a page that does not render is reported, the rest go on)
                print(f"  {page.name}: not rendered ({exc.__class__.__name__})")
                rendered = page.html.decode("utf-8", "replace")
            finally:
                tab.close()
            page.needs_render = bool(_anchors(rendered, base + path) - _anchors(page.html, base + path))
        browser.close()
    server.shutdown()


def body_text(html: bytes) -> int:
    """Visible text of the whole ``<body>`` (script, style, noscript, template left out), chrome included."""
    try:
        root = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return 0
    body = root.find("body")
    if body is None:
        return 0
    for element in list(body.iter(*HIDDEN_TAGS)):
        element.drop_tree()
    return len(" ".join(body.text_content().split()))


def figures(pages: list[Page], title: str) -> None:
    need = sum(p.needs_render for p in pages)
    print(f"\n{title}: {len(pages)} pages, {need} need rendering (rendered DOM links more than the HTML)")
    print("| threshold | rule | rendered | needed and rendered | missed | rendered for nothing |")
    print("|---|---|---|---|---|---|")
    for threshold in THRESHOLDS:
        for rule, text in (("whole body", "text_all"), ("chrome left out", "text")):
            chosen = [p for p in pages if p.scripts > 0 and getattr(p, text) < threshold]
            hit = sum(p.needs_render for p in chosen)
            mark = " (default)" if threshold == AUTO_MAX_TEXT else ""
            print(f"| {threshold:,}{mark} | {rule} | {len(chosen)} | {hit} | {need - hit} | {len(chosen) - hit} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=150, help="synthetic pages per seed")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    real = real_pages()
    synthetic: list[Page] = []
    extra: dict[str, bytes] = {}
    for group, seed in (("tune", 1701), ("check", 2602)):
        rng = random.Random(seed)
        fake = Faker(["en_US"])
        fake.seed_instance(seed)
        for n in range(args.pages):
            page, data = agency_page(rng, fake, n, group)
            synthetic.append(page)
            extra[page.name] = data
    measure(real + synthetic, extra, args.chromium)
    for page in real:
        print(f"  real {page.name}: {page.scripts} script(s), {page.text_all:,} characters of text "
              f"({page.text:,} outside chrome), "
              f"{'needs' if page.needs_render else 'does not need'} rendering")
    figures(real, "real pages (../shared/corpus)")
    for group in ("tune", "check"):
        chosen = [p for p in synthetic if p.group == group]
        figures(chosen, f"synthetic agency pages, seed '{group}'")
        scripted = sorted(p.text_all for p in chosen if p.needs_render)
        static = sorted(p.text_all for p in chosen if p.scripts and not p.needs_render)
        if scripted:
            print(f"  text of pages that need rendering: min {scripted[0]:,}, median "
                  f"{scripted[len(scripted) // 2]:,}, max {scripted[-1]:,} characters")
        if static:
            print(f"  text of static pages with scripts: min {static[0]:,}, median {static[len(static) // 2]:,}, "
                  f"max {static[-1]:,} characters")


if __name__ == "__main__":
    main()
