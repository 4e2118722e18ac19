"""Signed evidence packages: built from real captures (publish → crawl → removal proof), signed with
Ed25519 and time-stamped by a local RFC 3161 TSA (openssl ts); `verify` passes, and a byte changed
anywhere — a WARC, the report, datapackage.json, the signature, the time stamp — fails it."""

from __future__ import annotations

import base64
import json
import shutil
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from core.config import Config
from core.settings import resolve
from disclosure import signing
from disclosure.evidence import DIGEST_FILE, PACKAGE_FILE
from disclosure.package import build_for_url
from disclosure.verify import verify
from spillwatch.demo.agency_site import AgencySite
from tests.disclosure.conftest import Crawled, make_crawled, roster
from tests.services.tsa import LocalTsa, start_tsa

RELEASE = "/statistics/releases/detainee-roster.csv"


@pytest.fixture(scope="module")
def tsa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalTsa]:
    server = start_tsa(tmp_path_factory.mktemp("tsa"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    """One site published, crawled, removed and re-checked for the whole module (crawls take seconds)."""
    folder = tmp_path_factory.mktemp("evidence-data")
    settings = resolve({}, {}, {"data_dir": str(folder), "allow_private_addresses": "true", "download_delay": "0"})
    with AgencySite() as site:
        result = make_crawled(site, settings)
        yield result
        result.engine.dispose()


@pytest.fixture(scope="module")
def published_and_removed(crawled: Crawled) -> str:
    url = crawled.site.publish(RELEASE, roster(), "text/csv")
    crawled.crawl_and_index()
    crawled.site.unpublish(RELEASE)
    crawled.fetch_and_index([url, crawled.site.url("/statistics/")])
    return url


def _with_evidence_settings(crawled: Crawled, tmp_path: Path, tsa: LocalTsa | None) -> tuple[Config, str]:
    key = tmp_path / "keys" / "evidence.pem"
    public = signing.generate_key(key)
    settings = crawled.config.settings.replace(evidence_signing_key=str(key),
                                               evidence_tsa_url=tsa.url if tsa else "")
    return Config(settings=settings, sites=crawled.config.sites), public


@pytest.fixture
def package(crawled: Crawled, published_and_removed: str, tsa: LocalTsa, tmp_path: Path) -> tuple[Path, str]:
    config, public = _with_evidence_settings(crawled, tmp_path, tsa)
    out = tmp_path / "evidence.wacz"
    with crawled.engine.connect() as conn:
        summary = build_for_url(conn, config, published_and_removed, out)
    assert summary.records >= 3 and summary.stamped_at is not None and not summary.skipped
    return out, public


def test_package_verifies_and_holds_what_the_issue_lists(package: tuple[Path, str], tsa: LocalTsa,
                                                          published_and_removed: str) -> None:
    path, public = package
    result = verify(path, trusted_ca=str(tsa.ca_file), expected_key=public)
    assert result.ok, [(c.name, c.detail) for c in result.checks]
    assert [c.name for c in result.checks] == ["digest", "signature", "members", "timestamp"]
    assert len(tsa.requests) >= 1
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        summary = json.loads(archive.read("evidence/incident.json"))
        report = archive.read("evidence/report.html").decode()
    assert {"evidence/report.html", "evidence/incident.json", PACKAGE_FILE, DIGEST_FILE} <= names
    statuses = sorted((c["url"].rsplit("/", 1)[-1] or "page", c["status"]) for c in summary["captures"])
    assert ("detainee-roster.csv", 200) in statuses and ("detainee-roster.csv", 404) in statuses
    assert any(name == "page" for name, _ in statuses)  # the linking page is in the package too
    assert summary["severity"] == "critical" and summary["rows"] == 60
    assert summary["exposure"][0]["end"] is not None and "online at least" in summary["exposure"][0]["text"]
    assert "link gone from" in report and "online at least" in report and "@media print" in report


def test_package_content_is_masked(package: tuple[Path, str]) -> None:
    path, _ = package
    data = roster()
    cells = {cell for line in data.decode().splitlines()[1:] for cell in line.split(",")[:3] + line.split(",")[4:5]}
    with zipfile.ZipFile(path) as archive:
        text = archive.read("evidence/report.html").decode() + archive.read("evidence/incident.json").decode()
    leaked = sorted(cell for cell in cells if len(cell) > 3 and cell in text)
    assert leaked == []


def _rewrite(source: Path, target: Path, member: str, change: Callable[[bytes], bytes]) -> None:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info, change(data) if info.filename == member else data)


def _flip(data: bytes, at: int | None = None) -> bytes:
    where = len(data) // 2 if at is None else at
    return data[:where] + bytes([data[where] ^ 0x01]) + data[where + 1:]


def test_a_changed_byte_fails_verification_wherever_it_is(package: tuple[Path, str], tsa: LocalTsa,
                                                          tmp_path: Path) -> None:
    path, _ = package
    with zipfile.ZipFile(path) as archive:
        warc = next(n for n in archive.namelist() if n.startswith("archive/"))
    cases = {
        "warc": (warc, _flip),
        "report": ("evidence/report.html", lambda d: d.replace(b"Incident report", b"Incident rep0rt", 1)),
        "datapackage": (PACKAGE_FILE, lambda d: d.replace(b'"bytes": ', b'"bytes":  ', 1)),
        "signature": (DIGEST_FILE, lambda d: _resign(d, "signature")),
        "timestamp": (DIGEST_FILE, lambda d: _resign(d, "timeStampToken")),
    }
    failed = {}
    for name, (member, change) in cases.items():
        target = tmp_path / f"tampered-{name}.wacz"
        _rewrite(path, target, member, change)
        result = verify(target, trusted_ca=str(tsa.ca_file))
        failed[name] = [c.name for c in result.checks if not c.ok]
        assert not result.ok, name
    # the signature is over the digest the digest file holds: a changed datapackage.json fails the digest
    assert failed == {"warc": ["members"], "report": ["members"], "datapackage": ["digest", "timestamp"],
                      "signature": ["signature"], "timestamp": ["timestamp"]}
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 3] ^= 0x01  # a byte of the file itself, wherever it falls
    (tmp_path / "raw.wacz").write_bytes(bytes(raw))
    assert not verify(tmp_path / "raw.wacz", trusted_ca=str(tsa.ca_file)).ok


def _resign(data: bytes, field: str) -> bytes:
    envelope = json.loads(data)
    value = base64.b64decode(envelope["signedData"][field])
    envelope["signedData"][field] = base64.b64encode(_flip(value, len(value) - 5)).decode()
    return json.dumps(envelope).encode()


def test_untrusted_tsa_and_other_key_fail(package: tuple[Path, str], tmp_path: Path) -> None:
    path, _ = package
    other_ca = tmp_path / "other"
    other_ca.mkdir()
    from tests.services.tsa import make_pki

    result = verify(path, trusted_ca=str(make_pki(other_ca)), expected_key="0000:1111")
    failed = {c.name: c.detail for c in result.checks if not c.ok}
    assert set(failed) == {"signature", "timestamp"}
    assert "not the expected key" in failed["signature"] and "not issued by a trusted" in failed["timestamp"]


def test_without_a_key_nothing_is_built(crawled: Crawled, published_and_removed: str, tmp_path: Path) -> None:
    with crawled.engine.connect() as conn, pytest.raises(signing.SigningError, match="evidence_signing_key"):
        build_for_url(conn, crawled.config, published_and_removed, tmp_path / "e.wacz")
    assert not (tmp_path / "e.wacz").exists()


def test_wacz_validate_still_passes(package: tuple[Path, str], tmp_path: Path) -> None:
    from indexer.wacz_export import validate_wacz

    copy = tmp_path / "copy.wacz"
    shutil.copy(package[0], copy)
    validate_wacz(copy)


def test_cli_verify_exit_codes(package: tuple[Path, str], tsa: LocalTsa, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    from spillwatch.cli import main

    path, public = package
    assert main(["verify", str(path), "--tsa-ca", str(tsa.ca_file), "--key", signing.fingerprint(public)]) == 0
    assert "verified" in capsys.readouterr().out
    tampered = tmp_path / "t.wacz"
    _rewrite(path, tampered, "evidence/incident.json", lambda d: d.replace(b'"rows": 60', b'"rows": 6', 1))
    assert main(["verify", str(tampered), "--tsa-ca", str(tsa.ca_file)]) == 1
    assert "FAIL members: evidence/incident.json" in capsys.readouterr().out
    (tmp_path / "not.wacz").write_bytes(b"not a zip")
    assert main(["verify", str(tmp_path / "not.wacz")]) == 2


def test_cli_keygen_and_build(crawled: Crawled, published_and_removed: str, tsa: LocalTsa, tmp_path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    from spillwatch.cli import main

    key = tmp_path / "k.pem"
    assert main(["evidence", "keygen", str(key)]) == 0 and oct(key.stat().st_mode & 0o777) == "0o600"
    assert main(["evidence", "keygen", str(key)]) == 2  # never overwritten
    out, report = tmp_path / "cli.wacz", tmp_path / "report.html"
    data_dir = str(crawled.config.settings.data_dir)
    args = ["--data-dir", data_dir, "--set", f"evidence_signing_key={key}", "--set", f"evidence_tsa_url={tsa.url}",
            "--set", "allow_private_addresses=true"]
    assert main([*args, "evidence", "build", "--url", published_and_removed, "-o", str(out),
                 "--report", str(report)]) == 0, capsys.readouterr().err
    assert "time-stamped" in capsys.readouterr().out
    assert "datapackage.json" in report.read_text() or "sha256:" in report.read_text()
    assert main(["verify", str(out), "--tsa-ca", str(tsa.ca_file)]) == 0
