"""Every failure of the CLI that issue 15 lists ends with its exit status and one line on stderr saying
what to do, run as a user runs it: ``python -m spillwatch`` in a real subprocess (docs/cli.md)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from spillwatch.exit_codes import MEANINGS, Exit

ROOT = Path(__file__).resolve().parents[2]
DOCS = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")


def spillwatch(*args: str, cwd: Path, timeout: float = 240, **kwargs: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SPILLWATCH_DATA_DIR": str(cwd / "data")}
    env.pop("SPILLWATCH_LOG_LEVEL", None)
    return subprocess.run([sys.executable, "-m", "spillwatch", *args], cwd=cwd, env=env, text=True,
                          capture_output=True, timeout=timeout, check=False, **kwargs)  # type: ignore[call-overload]


class _Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<html><title>t</title><body>a page</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_crawl_to_loopback_without_the_option_says_how(tmp_path: Path, site: str) -> None:
    done = spillwatch("crawl", "--url", site, "--out", "out", cwd=tmp_path)
    assert done.returncode == Exit.ATTENTION
    assert "finished" not in done.stdout and "nothing fetched" in done.stdout
    assert "loopback" in done.stderr and "--allow-private-addresses" in done.stderr
    assert "Traceback" not in done.stderr


def test_crawl_of_a_closed_port_fails_with_the_reason(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/"
    done = spillwatch("crawl", "--url", url, "--out", "out", "--allow-private-addresses", cwd=tmp_path)
    assert done.returncode == Exit.ATTENTION
    assert f"nothing could be fetched from {url}" in done.stderr and "refused" in done.stderr.lower()
    assert "0 bytes in 0 WARC file(s)" in done.stdout  # human units, not "0.0 MB"


def test_crawl_that_fetches_pages_exits_0_with_sizes_people_read(tmp_path: Path, site: str) -> None:
    done = spillwatch("crawl", "--url", site, "--out", "out", "--allow-private-addresses", "--max-pages", "2",
                      cwd=tmp_path)
    assert done.returncode == Exit.OK, done.stderr
    assert re.search(r"\d+(\.\d)? (bytes|KB) in 1 WARC file", done.stdout)


def test_crawl_of_no_url_is_a_usage_error(tmp_path: Path) -> None:
    done = spillwatch("crawl", "--url", "notaurl", "--out", "out", cwd=tmp_path)
    assert done.returncode == Exit.USAGE
    assert done.stderr.strip().startswith("crawl: --url 'notaurl' is not an http(s) address")
    assert not (tmp_path / "out").exists()


def test_index_of_a_csv_says_it_is_no_archive(tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text("name,birth date\nAda Example,1990-01-02\n", encoding="utf-8")
    done = spillwatch("index", "people.csv", cwd=tmp_path)
    assert done.returncode == Exit.USAGE
    assert "people.csv is not a WARC, ARC or WACZ file" in done.stderr and "spillwatch scan people.csv" in done.stderr
    assert "indexed" not in done.stdout


def test_search_in_a_folder_without_an_archive_creates_nothing(tmp_path: Path) -> None:
    done = spillwatch("--data-dir", "elsewhere", "search", "smith", cwd=tmp_path)
    assert done.returncode == Exit.USAGE
    assert "holds no archive" in done.stderr and "spillwatch index" in done.stderr
    assert not (tmp_path / "elsewhere").exists()


def test_scan_of_a_missing_file_is_one_line_on_stderr(tmp_path: Path) -> None:
    done = spillwatch("scan", "missing.csv", cwd=tmp_path)
    assert done.returncode == Exit.USAGE
    assert done.stdout == ""
    assert done.stderr.strip() == "scan: missing.csv: no such file or directory; check the path"


def test_scan_of_a_folder_ends_with_a_summary(tmp_path: Path) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    for n in range(3):
        (folder / f"prices-{n}.csv").write_text("fruit,price\napple,1\npear,2\n", encoding="utf-8")
    done = spillwatch("scan", "files", cwd=tmp_path)
    assert done.returncode == Exit.OK, done.stderr
    assert re.search(r"^scanned 3 file\(s\) in \d+\.\d s: nothing found$", done.stdout, re.M)
    assert "scanning" not in done.stderr  # no progress bar when stderr is not a terminal


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line, as after `| head -1` has its line
    try:
        done = subprocess.run([sys.executable, "-m", "spillwatch", "settings"], cwd=tmp_path, env=env,
                              stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=120, check=False)
    finally:
        os.close(write_end)
    assert done.returncode == Exit.BROKEN_PIPE
    assert done.stderr == ""


def test_ctrl_c_exits_130_without_a_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SPILLWATCH_DATA_DIR": str(tmp_path / "data")}
    process = subprocess.Popen([sys.executable, "-m", "spillwatch", "users", "add", "ada", "--role", "analyst",
                                "--password-stdin"], cwd=tmp_path, env=env, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 120
    while not (tmp_path / "data" / "catalog.sqlite3").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)  # now waiting for the password on standard input
    os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole process group
    out, err = process.communicate(timeout=60)
    assert process.returncode == Exit.INTERRUPTED
    assert err.strip() == "interrupted" and "Traceback" not in err


def test_first_use_prints_no_migration_lines(tmp_path: Path) -> None:
    done = spillwatch("users", "list", cwd=tmp_path)
    assert done.returncode == Exit.OK
    assert "alembic" not in done.stderr and "INFO" not in done.stderr
    assert (tmp_path / "data" / "catalog.sqlite3").exists()


def test_help_imports_no_command_dependencies(tmp_path: Path) -> None:
    probe = ("import sys\nfrom spillwatch.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
             "heavy = ('sqlalchemy', 'pydantic', 'yaml', 'matcher', 'indexer', 'alerts', 'web', 'crawler', 'scrapy')\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=120, check=False)
    assert "COMMAND" in done.stdout and "scan" in done.stdout
    assert done.stderr.strip() == "[]"


def test_exit_statuses_are_documented_in_one_table() -> None:
    rows = dict(re.findall(r"^\| `(\d+)` \| (.+?) \|$", DOCS, re.M))
    assert sorted(int(code) for code in rows) == sorted(int(code) for code in Exit)
    for code, meaning in MEANINGS.items():
        assert rows[str(int(code))] == meaning


def test_a_second_demo_on_the_same_folder_exits_4_and_touches_nothing(tmp_path: Path) -> None:
    from spillwatch.demo.lock import DemoLock

    data = tmp_path / "data"
    running = data / "demo" / "catalog.sqlite3"
    running.parent.mkdir(parents=True)
    running.write_text("the running demo's data", encoding="utf-8")
    with DemoLock(data):  # this test process plays the running demo
        done = spillwatch("demo", "--once", cwd=tmp_path)
    assert done.returncode == Exit.BUSY
    assert done.stderr.strip().splitlines()[-1].startswith(f"demo: another demo (process {os.getpid()}) runs on {data}")
    assert running.read_text(encoding="utf-8") == "the running demo's data"
    assert (data / "demo.lock").read_text(encoding="utf-8") == ""  # released: the next demo may start


def test_ctrl_c_during_a_crawl_closes_it_and_exits_130(tmp_path: Path) -> None:
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(50)  # accepts and never answers: the crawl waits until it is interrupted
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SPILLWATCH_DATA_DIR": str(tmp_path / "data")}
    process = subprocess.Popen([sys.executable, "-m", "spillwatch", "crawl", "--url", url, "--out", "out",
                                "--allow-private-addresses"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not list((tmp_path / "out").glob("logs/*.log")) and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2.0)  # the crawl process runs
        os.killpg(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=120)
    finally:
        listener.close()
    assert process.returncode == Exit.INTERRUPTED
    assert "killed (interrupted)" in out and err.strip().endswith("interrupted") and "Traceback" not in err
