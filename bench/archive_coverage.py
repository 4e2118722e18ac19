"""Archive coverage: every http(s) response/resource/revisit record of foreign archives accounted for.

    .venv/bin/python bench/archive_coverage.py [--warcprox PATH/TO/warcprox] [--corpus DIR]

Indexes, into a throw-away catalog, the shared corpus (``../shared/corpus/warcs``: pywb's and
warcio's test archives, ARC included) plus archives written here of the demo agency site
(``spillwatch.demo.agency_site``, on 127.0.0.1) by three other writers:

- GNU wget (``wget --recursive --warc-file``, Debian's wget),
- pywb's recorder (``wayback`` with ``recorder: live``, pages fetched through ``/<coll>/record/``;
  ``recorder`` names the collection recorded *from*, so the config must keep pywb's ``live: $live``
  collection when it declares ``collections``: see tests/indexer/pywb_recorder.py),
- warcprox, when ``--warcprox`` names its executable (it pins libraries the project's virtualenv
  must not take, so it lives in a virtualenv of its own: ``python -m venv w && w/bin/pip install warcprox``),

then compares the captures with ``cdxj-indexer`` (pywb's indexer) on the same files, per writer:
captures it lists, the same in Spillwatch (SURT, time, offset, length), named per-record problems,
missing (must be 0), different, and captures only Spillwatch has. Prints figures; fails nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from core.catalog import open_catalog  # noqa: E402
from core.config import Config  # noqa: E402
from core.settings import resolve  # noqa: E402
from indexer.cdxj import export_lines  # noqa: E402
from indexer.pipeline import discover, index_paths  # noqa: E402
from indexer.search import open_search  # noqa: E402
from spillwatch.demo.agency_site import AgencySite  # noqa: E402
from tests.indexer.cdxj_reference import compare  # noqa: E402
from tests.indexer.pywb_recorder import record_with_pywb  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "warcs"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _own_address() -> str:
    """This machine's address on its default route (connecting a UDP socket sends nothing)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.connect(("192.0.2.1", 9))
        return str(sock.getsockname()[0])


def _wait(port: int, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise OSError(f"nothing listens on port {port} after {seconds:.0f}s")


def by_wget(site: AgencySite, out: Path) -> list[Path]:
    out.mkdir(parents=True)
    subprocess.run(["wget", "--recursive", "--level=3", "--no-verbose", "--delete-after", "-e", "robots=off",
                    f"--warc-file={out / 'wget'}", f"http://127.0.0.1:{site.port}/"], cwd=out, capture_output=True,
                   timeout=600, check=False)
    return sorted(out.glob("*.warc.gz"))


def by_warcprox(executable: str, out: Path, urls: list[str]) -> list[Path]:
    out.mkdir(parents=True)
    port = _free_port()
    server = subprocess.Popen([executable, "-p", str(port), "-d", str(out), "--dedup-db-file=/dev/null",
                               "--stats-db-file=/dev/null", "-c", str(out / "ca.pem"), "--certs-dir",
                               str(out / "certs")], cwd=out, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(port)
        with httpx.Client(proxy=f"http://127.0.0.1:{port}", timeout=60) as http:
            for url in urls:
                http.get(url)
    finally:
        server.terminate()
        server.wait(timeout=60)
    for open_file in out.glob("*.open"):
        open_file.rename(open_file.with_suffix(""))
    return sorted(p for p in out.iterdir() if p.name.endswith((".warc", ".warc.gz")))


def measure(label: str, files: list[Path], work: Path) -> None:
    if not files:
        print(f"{label:<10} no archive written")
        return
    data = work / f"data-{label}"
    config = Config(settings=resolve({}, {}, {"data_dir": str(data)}))
    engine, search = open_catalog(config.settings), open_search(config.settings)
    summary = index_paths(files, config, engine, search)
    with engine.connect() as conn:
        lines = list(export_lines(conn))
    search.close()
    engine.dispose()
    result = compare(discover(files), lines, summary.problems)
    print(f"{label:<10} {len(files):>5} {summary.records:>8} {result.reference:>10} {result.same:>6} "
          f"{len(result.named_problems):>8} {len(result.missing):>8} {len(result.different):>6} {result.extra:>6}")
    for item in result.named_problems + result.missing + result.different:
        print(f"           - {item}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--warcprox", help="the warcprox executable (in a virtualenv of its own)")
    args = parser.parse_args()
    # warcprox refuses loopback addresses: the site listens on this machine's own address as well
    address = _own_address()
    with tempfile.TemporaryDirectory(prefix="spillwatch-coverage-") as folder, AgencySite(host="0.0.0.0") as site:
        work = Path(folder)
        urls = [f"http://{address}:{site.port}{path}" for path in site.paths()]
        sources: dict[str, list[Path]] = {}
        if args.corpus.is_dir():
            sources["corpus"] = discover([args.corpus])
        sources["wget"] = by_wget(site, work / "wget") if shutil.which("wget") else []
        sources["pywb"] = record_with_pywb(urls, work / "pywb")
        if args.warcprox and os.access(args.warcprox, os.X_OK):
            sources["warcprox"] = by_warcprox(args.warcprox, work / "warcprox", urls)
        print(f"{'writer':<10} {'files':>5} {'records':>8} {'cdxj-idx':>10} {'same':>6} {'problems':>8} "
              f"{'missing':>8} {'differ':>6} {'extra':>6}")
        for label, files in sources.items():
            measure(label, files, work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
