"""Retention and purge: ``spillwatch purge`` removes a finding's payload from the WARC files (a metadata
record keeps its digest, length and why), from the search index and extracted text; it is audited;
indexing again — the same files or another copy — brings nothing back; closed findings can be purged
by date or automatically."""

from __future__ import annotations

import gzip
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select, update
from warcio.archiveiterator import ArchiveIterator

from core.catalog.schema import audit_log, captures, finding_events, findings, purges, warc_files
from indexer.loader import document_id
from indexer.pipeline import index_paths
from spillwatch.cli import main
from tests.web.conftest import settings_for


def records(path: Path) -> list[tuple[str, str, str]]:
    with path.open("rb") as fh:
        return [(r.rec_type, r.rec_headers.get_header("WARC-Payload-Digest") or "",
                 r.content_stream().read().decode("utf-8", "replace")) for r in ArchiveIterator(fh)]


def test_purge_removes_the_payload_everywhere_and_keeps_the_evidence(make_env, tmp_path, monkeypatch) -> None:
    env = make_env(settings_for(tmp_path))
    monkeypatch.setenv("SPILLWATCH_SECRET_KEY", "test-secret-key-for-web-tests")
    with env.engine.connect() as conn:
        finding = conn.execute(select(findings).where(findings.c.id == env.archive.finding)).mappings().one()
        table = conn.execute(select(captures).where(captures.c.id == env.archive.table)).mappings().one()
    digest = finding["payload_digest"]
    assert table["payload_digest"] == digest
    warc = Path(table["warc_file"])
    backup = tmp_path / "backup" / warc.name
    backup.parent.mkdir()
    shutil.copy(warc, backup)
    doc_id = document_id(table["surt"], digest)
    assert env.search.get(doc_id) is not None
    analyst = env.client("analyst")
    assert env.archive.a_name in analyst.get(f"/captures/{env.archive.table}?unmasked=1").get_data(as_text=True)

    code = main(["--data-dir", str(env.settings.data_path), "purge", str(env.archive.finding), "--yes",
                 "--reason", "case 17 closed"])
    assert code == 0

    # the WARC file: no payload, a metadata record with the evidence; other records intact
    assert env.archive.table_bytes not in gzip.decompress(warc.read_bytes())
    kinds = records(warc)
    assert not [k for k in kinds if k[0] in ("response", "resource") and k[1] == digest]
    evidence = [body for kind, _d, body in kinds if kind == "metadata" and "purged-payload-digest" in body]
    assert len(evidence) == 1
    assert f"purged-payload-digest: {digest}" in evidence[0] and "case 17 closed" in evidence[0]
    assert f"purged-findings: {env.archive.finding}" in evidence[0]
    page = analyst.get(f"/captures/{env.archive.page_v1}").get_data(as_text=True)
    assert "Monthly figures for October" in page  # offsets followed the rewrite
    gone = analyst.get(f"/captures/{env.archive.table}?unmasked=1").get_data(as_text=True)
    assert "purged" in gone and env.archive.a_name not in gone
    # the search index: the document (its extracted text) is gone
    env.search.refresh()
    assert env.search.get(doc_id) is None
    with env.engine.connect() as conn:
        kept = conn.execute(select(purges)).mappings().all()
        audit = conn.execute(select(audit_log).where(audit_log.c.action == "purge")).mappings().all()
        events = conn.execute(select(finding_events.c.event).where(
            finding_events.c.finding_id == env.archive.finding)).scalars().all()
        still = conn.execute(select(findings.c.id).where(findings.c.id == env.archive.finding)).first()
    assert [k["payload_digest"] for k in kept] == [digest]
    assert kept[0]["length"] > len(env.archive.table_bytes)  # the record's block: HTTP headers and payload
    assert len(audit) == 1 and audit[0]["details"]["findings"] == [env.archive.finding]
    assert "purged" in events and still is not None  # the finding stays as evidence

    # indexing again, the same file or an old copy of it, resurrects nothing
    with env.engine.begin() as conn:
        conn.execute(update(warc_files).values(status="pending", resume_offset=0, size=0))
    index_paths([warc, backup], env.config, env.engine, env.search)
    env.search.refresh()
    assert env.search.get(doc_id) is None
    assert main(["--data-dir", str(env.settings.data_path), "purge", str(env.archive.finding), "--yes"]) == 0


def test_purge_closed_before_a_date(make_env, tmp_path, monkeypatch) -> None:
    env = make_env(settings_for(tmp_path))
    monkeypatch.setenv("SPILLWATCH_SECRET_KEY", "test-secret-key-for-web-tests")
    long_ago = datetime.now(UTC) - timedelta(days=400)
    with env.engine.begin() as conn:
        conn.execute(update(findings).where(findings.c.id == env.archive.zip_finding).values(status="dismissed"))
        conn.execute(insert(finding_events).values(finding_id=env.archive.zip_finding, at=long_ago, event="status",
                                                   from_status="new", to_status="dismissed", note=""))
    cutoff = (datetime.now(UTC) - timedelta(days=30)).strftime("%Y-%m-%d")
    assert main(["--data-dir", str(env.settings.data_path), "purge", "--closed-before", cutoff, "--yes"]) == 0
    with env.engine.connect() as conn:
        purged = set(conn.execute(select(purges.c.finding_id)).scalars())
    assert purged == {env.archive.zip_finding}
    assert main(["--data-dir", str(env.settings.data_path), "purge", "--closed-before", cutoff, "--yes"]) == 0


def test_closed_findings_are_purged_automatically_after_the_setting(make_env, tmp_path) -> None:
    from indexer.purge import purge_due

    env = make_env(settings_for(tmp_path, purge_closed_after="90d"))
    closed = datetime.now(UTC) - timedelta(days=100)
    with env.engine.begin() as conn:
        for fid, when in ((env.archive.finding, closed), (env.archive.zip_finding, datetime.now(UTC))):
            conn.execute(update(findings).where(findings.c.id == fid).values(status="removed"))
            conn.execute(insert(finding_events).values(finding_id=fid, at=when, event="status", from_status="new",
                                                       to_status="removed", note=""))
    result = purge_due(env.engine, env.search, env.settings.data_path, env.settings.purge_closed_after)
    assert result is not None and result.findings == [env.archive.finding] and result.records >= 1
    assert purge_due(env.engine, env.search, env.settings.data_path, env.settings.purge_closed_after) is None


def test_purge_on_each_search_backend(make_env, search_settings, tmp_path) -> None:
    from indexer.purge import purge_findings

    env = make_env(search_settings.replace(data_dir=str(tmp_path / "data")))
    with env.engine.connect() as conn:
        table = conn.execute(select(captures).where(captures.c.id == env.archive.table)).mappings().one()
    doc_id = document_id(table["surt"], table["payload_digest"])
    env.search.refresh()
    assert env.search.get(doc_id) is not None
    result = purge_findings(env.engine, env.search, env.settings.data_path, [env.archive.finding],
                            reason="test", who="pytest")
    assert result.records == 1 and result.documents >= 1 and result.problems == []
    assert env.search.get(doc_id) is None
    analyst = env.client("analyst")
    html = analyst.get(f"/search?q={env.archive.a_name.split()[-1]}&sort=oldest").get_data(as_text=True)
    assert f"/captures/{env.archive.table}\"" not in html
