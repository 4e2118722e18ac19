"""Signed, time-stamped evidence packages: a WACZ of an incident's captures (the file, the linking
page before and after, the removal proof) plus the printable report and a JSON summary, every
member hashed in ``datapackage.json``, that file's digest signed (Ed25519, :mod:`disclosure.signing`)
and time-stamped by an RFC 3161 authority (:mod:`disclosure.timestamping`) in
``datapackage-digest.json`` — the WACZ signing spec's layout.  ``spillwatch verify`` checks it
(:mod:`disclosure.verify`).

The WACZ itself is written by the archive export (:func:`indexer.wacz_export.export_wacz`: py-wacz,
``wacz validate`` passes); this module adds the evidence members and the signature.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from core.catalog.schema import captures
from core.settings import Settings
from disclosure import signing, timestamping
from disclosure.report import PackageInfo
from indexer.wacz_export import export_wacz

DIGEST_FILE = "datapackage-digest.json"
PACKAGE_FILE = "datapackage.json"
SOFTWARE = "Spillwatch evidence 1"


@dataclass
class EvidenceSummary:
    path: Path
    records: int
    digest: str  # sha256:… of datapackage.json
    fingerprint: str  # of the signing key
    stamped_at: datetime | None
    skipped: list[str]


def _sha256_file(fh: Any) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := fh.read(1 << 20):
        digest.update(chunk)
        size += len(chunk)
    return "sha256:" + digest.hexdigest(), size


def _repack(base: Path, out: Path, members: dict[str, bytes], meta: dict[str, Any]) -> bytes:
    """Copy ``base`` (a WACZ) to ``out`` with ``members`` added (hashed into datapackage.json and
    described by ``meta``); returns the new datapackage.json bytes (written last but one)."""
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(out, "w") as dst:
        package = json.loads(src.read(PACKAGE_FILE))
        for info in src.infolist():
            if info.filename in (PACKAGE_FILE, DIGEST_FILE):
                continue
            with src.open(info) as reader, dst.open(info, "w") as writer:
                shutil.copyfileobj(reader, writer, 1 << 20)
        for name, data in members.items():
            dst.writestr(zipfile.ZipInfo(name, date_time=datetime.now(UTC).timetuple()[:6]), data,
                         compress_type=zipfile.ZIP_DEFLATED)
            package["resources"].append({"name": Path(name).name, "path": name,
                                         "hash": "sha256:" + hashlib.sha256(data).hexdigest(), "bytes": len(data)})
        package.update(meta)
        data = json.dumps(package, indent=2, sort_keys=False).encode("utf-8")
        dst.writestr(PACKAGE_FILE, data, compress_type=zipfile.ZIP_DEFLATED)
    return data


def _signed_data(settings: Settings, digest: str, raw_digest: bytes, created: str
                 ) -> tuple[dict[str, Any], str, datetime | None]:
    key = signing.load_key(settings.evidence_signing_key)
    public = signing.public_key_b64(key.public_key())
    # ``created`` is the datapackage's own (the WACZ spec and `wacz validate` require them equal)
    signed: dict[str, Any] = {"hash": digest, "signature": signing.sign(key, digest), "publicKey": public,
                              "algorithm": signing.ALGORITHM, "created": created, "software": SOFTWARE}
    stamped_at: datetime | None = None
    if settings.evidence_tsa_url:
        stamp = timestamping.request_stamp(settings.evidence_tsa_url, raw_digest, timeout=settings.alert_timeout,
                                           allow_private=settings.allow_private_addresses,
                                           user_agent=settings.effective_user_agent)
        signed.update(timeStampToken=base64.b64encode(stamp.token).decode("ascii"),
                      timeStampAuthority=stamp.tsa, timeStampTime=stamp.gen_time.isoformat())
        stamped_at = stamp.gen_time
    return signed, signing.fingerprint(public), stamped_at


def build(conn: Connection, settings: Settings, capture_ids: list[int], out: Path, *, title: str,
          members: dict[str, bytes], meta: dict[str, Any] | None = None) -> EvidenceSummary:
    """Write the evidence package ``out`` holding the captures ``capture_ids`` and ``members``
    (report, summary); signed with ``evidence_signing_key``, stamped by ``evidence_tsa_url``."""
    signing.load_key(settings.evidence_signing_key)  # fail before the export when no key is set
    query = select(captures).where(captures.c.id.in_(sorted(set(capture_ids))))
    with tempfile.TemporaryDirectory(prefix="spillwatch-evidence-") as work:
        base = Path(work) / "base.wacz"
        exported = export_wacz(conn, query, base, source=title, title=title)
        staged = Path(work) / "evidence.wacz"
        package = _repack(base, staged, members, {"title": title, **(meta or {})})
        raw = hashlib.sha256(package).digest()
        digest = "sha256:" + raw.hex()
        created = str(json.loads(package).get("created", ""))
        signed, fingerprint, stamped_at = _signed_data(settings, digest, raw, created)
        with zipfile.ZipFile(staged, "a") as dst:
            dst.writestr(DIGEST_FILE, json.dumps({"path": PACKAGE_FILE, "hash": digest, "signedData": signed},
                                                 indent=2), compress_type=zipfile.ZIP_DEFLATED)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staged), out)
    return EvidenceSummary(out, exported.records, digest, fingerprint, stamped_at, exported.skipped)


def package_info(summary: EvidenceSummary) -> PackageInfo:
    stamp = f"{summary.stamped_at:%Y-%m-%d %H:%M:%S} UTC (RFC 3161)" if summary.stamped_at else ""
    return PackageInfo(summary.path.name, summary.digest, summary.fingerprint, stamp)
